"""Structured data for search engines and social networks, as plain dicts.

The template tags in ``templatetags/distribution.py`` turn these into JSON-LD
``<script>`` blocks; ``includes/meta/*.html`` add OpenGraph and Twitter tags. Every URL
is absolute on the host the request came in on, so each masthead speaks for its own domain,
but one: a story a masthead runs from a sister masthead names its page on its home masthead
as the original (``rel=canonical``, JSON-LD ``url`` and ``mainEntityOfPage``) and its home
masthead as its publisher, the way syndicated news is marked for search engines.
"""

import json

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from articles.sanitize import plain_text
from newsroom import renditions
from newsroom.addresses import address

SCHEMA = "https://schema.org"
# <, > and & become \u escapes, so no string in the data can close the <script>.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def to_script_json(data):
    """JSON for a <script type="application/ld+json"> block; safe for any headline."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)


def original_image_only(image, request):
    """The original file, whatever its shape: what ``rendition_variants`` (the default
    ``NEWSROOM_IMAGE_VARIANTS``) lists while an image has no rendition yet.

    ``NEWSROOM_IMAGE_VARIANTS`` is a dotted path to a function taking ``(image, request)``
    and returning one dict per crop (e.g. one each for 16x9, 4x3 and 1x1) with ``url``,
    ``width`` and ``height``.
    """
    return [{"url": request.build_absolute_uri(image.file.url),
             "width": image.width, "height": image.height}]


def rendition_variants(image, request):
    """The largest stored rendition of each shape: the picture as framed, and its 3:2 crop
    around the focal point. Only fixed renditions are listed, never the uploaded original,
    whose metadata and size are not for sharing."""
    variants = []
    for kind in ("full", "crop"):
        sizes = renditions.renditions(image, kind)
        if sizes:
            largest = sizes[-1]
            variants.append({"url": request.build_absolute_uri(largest.url),
                             "width": largest.width, "height": largest.height})
    return variants or original_image_only(image, request)


def image_variants(image, request):
    if not image:
        return []
    path = getattr(settings, "NEWSROOM_IMAGE_VARIANTS", "articles.distribution.metadata.rendition_variants")
    return import_string(path)(image, request)


def image_object(variant, image):
    return {"@type": "ImageObject", "url": variant["url"], "width": variant["width"],
            "height": variant["height"], "caption": image.caption or image.alt_text}


def front_page_url(publication, request):
    """``publication``'s home page: on this host, or on its own for a sister masthead."""
    if publication == getattr(request, "publication", None):
        return request.build_absolute_uri(address("articles:home"))
    return publication.url_for(address("articles:home"), request=request)


def organization(publication, request):
    org = {"@type": "NewsMediaOrganization", "name": publication.name,
           "url": front_page_url(publication, request)}
    if publication.logo:
        org["logo"] = {"@type": "ImageObject",
                       "url": request.build_absolute_uri(publication.logo.url)}
    return org


def person_object(person, request):
    return {"@type": "Person", "name": person.full_name,
            "url": request.build_absolute_uri(person.get_absolute_url())}


def plain_description(article):
    """The description as plain text: the SEO description, the summary, or the body's
    opening words with tags removed and entities (&amp;) turned back into characters."""
    text = article.seo_description or article.summary
    return text or plain_text(article.body, words=30)


def share_title(article):
    """The title search results and shared cards show: the SEO title, else the headline."""
    return article.seo_title or article.headline


def share_card(article, request):
    """What a search result and a shared card show of the story: the title, description,
    address and picture its page's <head> gives them (``includes/meta/article.html``), and
    the picture's focal point, where a card's crop centres. The admin's preview asks for
    this with the form's unsaved values (``articles.admin.share_preview``)."""
    images = image_variants(article.lead_image, request)
    card = {
        "title": share_title(article),
        "description": plain_description(article),
        "url": article.canonical_url or article.home_url(request),
        "site_name": article.publication.name,
        "image": None,
    }
    if images:
        image = article.lead_image
        card["image"] = {**images[0], "alt": image.alt_text, "focal_x": image.focal_x,
                         "focal_y": image.focal_y}
    return card


def canonical_url(article, request):
    """The story's original address: one given by hand (first published elsewhere), its
    page on its home masthead when shown on a sister masthead, else this page."""
    if article.canonical_url:
        return article.canonical_url
    if article.is_shown_elsewhere:
        return article.home_url(request)
    return request.build_absolute_uri(article.get_absolute_url())


def modified_time(article):
    """When the story last changed for readers: an update or a correction, else publication."""
    times = [article.publish_at, article.updated_at]
    times += [c.created_at for c in article.corrections.all()]
    return max((t for t in times if t), default=article.modified_at)


def story_facts(article, request):
    """What a story page's <head> says of the story in more than one place (OpenGraph,
    Twitter's card, JSON-LD), each worked out once: its pictures, canonical address,
    description, last change and authors."""
    return {
        "images": image_variants(article.lead_image, request),
        "canonical": canonical_url(article, request),
        "description": plain_description(article),
        "modified": modified_time(article),
        "authors": article.authors(),
    }


def news_article(article, request, *, known=None):
    """NewsArticle and BreadcrumbList for a story page. The publisher is the story's home
    masthead; the breadcrumbs are this masthead's (its home page, the section here).
    ``known``: what the page's <head> already worked out of the story (``story_facts``)."""
    known = known or story_facts(article, request)
    publication = article.publication
    url = known["canonical"]
    image = article.lead_image
    data = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": known["description"],
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "dateModified": known["modified"].isoformat(),
        "author": [person_object(p, request) for p in known["authors"]],
        "publisher": organization(publication, request),
        "inLanguage": publication.language,
        "keywords": [tag.name for tag in article.tags.all()],
        "image": [image_object(v, image) for v in known["images"]],
    }
    if article.publish_at:  # a preview of a draft has none yet
        data["datePublished"] = article.publish_at.isoformat()
    if article.section:
        data["articleSection"] = article.section.name
    if article.dateline:
        data["dateline"] = article.dateline
    corrections = [
        {"@type": "CorrectionComment", "text": c.text, "datePublished": c.created_at.isoformat()}
        for c in article.corrections.all()
    ]
    if corrections:
        data["correction"] = corrections
    here = getattr(request, "publication", None) or publication
    crumbs = [(here.name, request.build_absolute_uri(address("articles:home")))]
    if article.section:
        crumbs.append(
            (article.section.name, request.build_absolute_uri(article.section.get_absolute_url()))
        )
    crumbs.append((article.headline, url))
    breadcrumbs = {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": link}
            for n, (name, link) in enumerate(crumbs, start=1)
        ],
    }
    return [data, breadcrumbs]


def profile_page(person, request):
    """ProfilePage for an author page, with the Person as its main entity."""
    entity = person_object(person, request)
    if person.job_title:
        entity["jobTitle"] = person.job_title
    if person.short_bio:
        entity["description"] = person.short_bio
    if person.photo:
        entity["image"] = request.build_absolute_uri(person.photo.url)
    same_as = [link.url for link in person.social_links.all()]
    if same_as:
        entity["sameAs"] = same_as
    return {
        "@context": SCHEMA,
        "@type": "ProfilePage",
        "url": entity["url"],
        "dateModified": person.updated_at.isoformat(),
        "mainEntity": entity,
    }


def search_path():
    # The reading site's search page, at /search/?q= until it has a named route.
    try:
        return reverse("articles:search")
    except NoReverseMatch:
        return "/search/"


def website(publication, request):
    """WebSite with a SearchAction, for the home page."""
    home = request.build_absolute_uri(address("articles:home"))
    search = request.build_absolute_uri(search_path())
    data = {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": publication.name,
        "url": home,
        "inLanguage": publication.language,
        "publisher": organization(publication, request),
        "potentialAction": {
            "@type": "SearchAction",
            # The engine fills in {search_term_string}.
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }
    if publication.tagline:
        data["description"] = publication.tagline
    return data
