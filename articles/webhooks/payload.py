"""What a webhook says: one JSON document per event, the same for every endpoint.

Built when the event happens and stored with the delivery, so a retry an hour later sends
what was true at the time, and the signature covers exactly these bytes.
"""

import json

from django.conf import settings
from django.utils import timezone


def origin(publication):
    """The scheme and host readers use for a masthead: its domain over https, or
    ``NEWSROOM_SITE_URL`` for one without a domain (a single-site install)."""
    if publication.domain:
        return f"https://{publication.domain}"
    return settings.NEWSROOM_SITE_URL.rstrip("/")


def story_url(article):
    """The story's canonical address: where it was first published, else its page on its
    home masthead."""
    return article.canonical_url or origin(article.publication) + article.home_path()


def api_detail_url(article):
    """The story's record in the read-only content API (docs/api.md)."""
    return f"{origin(article.publication)}/api/v1/stories/{article.pk}/"


def mastheads(article):
    """The mastheads the story runs on (``Run``), home first, each with its address there."""
    runs = article.runs.select_related("publication").order_by("-is_home", "publication__name")
    return [{"slug": run.publication.slug, "name": run.publication.name,
             "url": origin(run.publication) + run.get_absolute_url()} for run in runs]


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def build(*, event_id, event, article, correction=None, at=None):
    """The body of an event's deliveries, as compact JSON text."""
    document = {
        "id": str(event_id),
        "event": event,
        "occurred_at": _iso(at or timezone.now()),
        "story": {
            "id": article.pk,
            "headline": article.headline,
            "url": story_url(article),
            "mastheads": mastheads(article),
            "published_at": _iso(article.first_published_at or article.publish_at),
            "updated_at": _iso(article.updated_at),
            "api_url": api_detail_url(article),
        },
    }
    if correction is not None:
        document["correction"] = {"kind": correction.kind, "text": correction.text,
                                  "created_at": _iso(correction.created_at)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
