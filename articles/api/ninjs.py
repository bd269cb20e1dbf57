"""A story as an IPTC ninjs 2.4 item (News in JSON), for partners' and agencies' tools.

``Accept: application/ninjs+json`` or ``?format=ninjs`` on a story. The item is what
``articles.importers.ninjs`` reads, so one Newsroom can take another's stories as it takes
an agency's: the headline is the "main" headline, the text the "main" HTML body, the
summary the "summary" description, tags are subjects, the lead picture an association
named "featureimage" with its renditions, and each byline's portrait one named "portrait-N"
with its square renditions (ninjs's people carry no pictures). Checked against the IPTC's JSON schema in tests.
"""

from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from articles import body_images
from articles.api.serializers import absolute
from articles.distribution.metadata import modified_time
from articles.models import Byline
from newsroom import renditions

MEDIA_TYPE = "application/ninjs+json"
SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.4.json"
# Names of byline portraits among a story's associations (the lead picture's is
# "featureimage"): ``articles.importers.ninjs`` does not take them for the story's picture.
PORTRAIT = "portrait"
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


class NinjsRenderer(JSONRenderer):
    media_type = MEDIA_TYPE
    format = "ninjs"


def _values(*pairs):
    return [{"role": role, "value": value} for role, value in pairs if value]


def picture(image, request):
    """The lead picture as an association: its renditions, caption, credit, alt text."""
    found = []
    for kind in ("full", "crop"):
        for ext in dict.fromkeys(("webp", renditions.fallback_ext(image.file.name))):
            for r in renditions.renditions(image, kind, ext):
                found.append({
                    "name": f"{kind}-{r.width}-{ext}", "href": absolute(request, r.url),
                    "contenttype": CONTENT_TYPES[ext], "width": r.width, "height": r.height,
                    # The focal point, in the rendition's pixels (only "full" keeps the frame).
                    **({"poi": {"x": round(image.focal_x * r.width),
                                "y": round(image.focal_y * r.height)}}
                       if kind == "full" else {}),
                })
    item = {
        "name": "featureimage",
        "uri": f"urn:newsroom:{request.get_host()}:image:{image.pk}",
        "type": "picture",
        "headlines": _values(("main", image.alt_text)),
        "descriptions": _values(("caption", image.caption)),
        "renditions": found,
    }
    if image.credit:
        item["by"] = image.credit
    return item


def portrait(byline, number, request):
    """A byline's portrait as an association: ninjs's people carry no pictures, so each
    portrait is a picture of its own (named ``portrait-1``, ``portrait-2``… in byline
    order), its square renditions, depicting the person."""
    person = byline.person
    squares = person.portrait_renditions()
    found = [{"name": f"square-{r.width}-{ext}", "href": absolute(request, r.url),
              "contenttype": CONTENT_TYPES[ext], "width": r.width, "height": r.height}
             for ext, listed in squares.items() for r in listed]
    if not found:
        return None
    return {
        "name": f"{PORTRAIT}-{number}",
        "uri": f"urn:newsroom:{request.get_host()}:portrait:{person.pk}",
        "type": "picture",
        "headlines": _values(("main", f"Portrait of {person.full_name}")),
        "people": [{"name": person.full_name, "rel": "depicted",
                    "uri": absolute(request, person.get_absolute_url())}],
        "renditions": found,
    }


def item(article, request):
    """The ninjs 2.4 item of a public story (prefetched as the story's page does)."""
    url = absolute(request, article.get_absolute_url())
    bylines = list(article.bylines.all())
    authors = [b.person.full_name for b in bylines if b.role == Byline.Role.AUTHOR]
    data = {
        "uri": url,
        "standard": {"name": "ninjs", "version": "2.4", "schema": SCHEMA},
        "type": "text",
        "representationtype": "full",
        "version": str(article.version),
        "firstcreated": (article.first_published_at or article.publish_at).isoformat(),
        "versioncreated": modified_time(article).isoformat(),
        "contentcreated": article.publish_at.isoformat(),
        "pubstatus": "usable",
        "language": article.publication.language,
        "copyrightholder": article.publication.name,
        "slugline": article.slug,
        "headlines": _values(("main", article.headline), ("sub", article.dek),
                             ("kicker", article.kicker)),
        "descriptions": _values(("summary", article.summary),
                                *(("correction", c.text) for c in article.corrections.all())),
        "bodies": [{"role": "main", "contenttype": "text/html",
                    "value": body_images.render(article.body,
                                                absolute=request.build_absolute_uri)}],
        "people": [
            {"name": b.person.full_name, "rel": b.role,
             "uri": absolute(request, b.person.get_absolute_url())}
            for b in bylines
        ],
        "subjects": [
            {"name": tag.name, "uri": absolute(request, reverse("articles:tag", args=[tag.slug]))}
            for tag in article.tags.all()
        ],
        "altids": [{"role": "newsroom-story-id", "value": str(article.pk)}],
    }
    if authors:
        data["by"] = "By " + (authors[0] if len(authors) == 1 else
                              ", ".join(authors[:-1]) + " and " + authors[-1])
    if article.dateline:
        data["located"] = article.dateline
    associations = []
    if article.lead_image and article.lead_image.width:
        associations.append(picture(article.lead_image, request))
    associations += filter(None, (portrait(b, n, request)
                                  for n, b in enumerate(bylines, start=1)))
    if associations:
        data["associations"] = associations
    return {k: v for k, v in data.items() if v not in ([], "")}

