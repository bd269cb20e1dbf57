"""Which changes become webhook deliveries, recorded in the change's own transaction.

- **published**: the story went live (``article_went_live``, sent by the publication-events
  worker once per go-live moment, so a scheduled story is announced when readers can see
  it, not when it was approved).
- **updated**: a revision of a public story changed what partners show (headline, text,
  bylines, section, address…); status, times and the featured flag are other events or
  none. Revisions are recorded wherever a story is saved on purpose (the admin, imports,
  restoring an old version), so this is the one place every such save passes.
  A sister masthead starting or dropping the story is an update too (the mastheads it
  runs on are in the body); how a sister shows it (its section, headline, featured flag
  there) is that desk's business, not an update of the story.
- **unpublished**: a story readers had seen was taken down.
- **corrected**: a correction or update was appended to a public story.

Each event gets one id and one body, and one ``WebhookDelivery`` row per active endpoint
that asked for it, inserted in the same transaction as the change: the deliveries exist if
and only if the change committed. ``connect()`` wires the receivers
(``ArticlesConfig.ready``).
"""

import uuid

from django.db.models.signals import post_save
from django.utils import timezone

from articles.editorial import signals
from articles.editorial.revisions import FIELDS
from articles.models import Revision, WebhookDelivery, WebhookEndpoint, WebhookEvent
from articles.webhooks import payload

# What partners show of a story; a revision changing none of these is no "updated".
NOT_CONTENT = {"status", "publish_at", "embargo_until", "featured", "priority"}
CONTENT_FIELDS = [name for name, _label in FIELDS if name not in NOT_CONTENT]


def subscribed_endpoints(event):
    # Few endpoints, each with a short list: filtered here, the same on every database.
    return [e for e in WebhookEndpoint.objects.filter(is_active=True) if event in e.events]


def record(event, article, *, correction=None, at=None):
    """Queue ``event`` about ``article`` for every endpoint that asked for it."""
    endpoints = subscribed_endpoints(event)
    if not endpoints:
        return []
    at = at or timezone.now()
    event_id = uuid.uuid4()
    body = payload.build(event_id=event_id, event=event, article=article,
                         correction=correction, at=at)
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event=event, article=article,
                        body=body, created_at=at, next_attempt_at=at)
        for endpoint in endpoints
    )


def story_went_live(sender, article, **kwargs):
    record(WebhookEvent.PUBLISHED, article)


def story_unpublished(sender, article, **kwargs):
    # A scheduled story pulled before its time was never announced: nothing to take back.
    if article.first_published_at and article.first_published_at <= timezone.now():
        record(WebhookEvent.UNPUBLISHED, article)


def story_corrected(sender, article, correction, **kwargs):
    if article.is_public:
        record(WebhookEvent.CORRECTED, article, correction=correction)


def _seen_by_partners(name, value):
    if name == "runs":  # which mastheads carry it, not how each one shows it
        return sorted(run["publication"] for run in value or [])
    return value


def changed_content(previous, current):
    return any(_seen_by_partners(name, previous.get(name))
               != _seen_by_partners(name, current.get(name)) for name in CONTENT_FIELDS)


def revision_recorded(sender, instance, created, raw=False, **kwargs):
    """A new revision of a public story whose content differs from the one before."""
    if not created or raw:
        return
    article = instance.article
    if not article.is_public or not subscribed_endpoints(WebhookEvent.UPDATED):
        return
    previous = (Revision.objects.filter(article_id=article.pk, number__lt=instance.number)
                .order_by("-number").values_list("data", flat=True).first())
    if previous is not None and changed_content(previous, instance.data):
        record(WebhookEvent.UPDATED, article)


def connect():
    """Connect the receivers above, each once however often this runs (``dispatch_uid``)."""
    signals.article_went_live.connect(story_went_live, dispatch_uid="webhook-published")
    signals.article_unpublished.connect(story_unpublished, dispatch_uid="webhook-unpublished")
    signals.article_corrected.connect(story_corrected, dispatch_uid="webhook-corrected")
    post_save.connect(revision_recorded, sender=Revision, dispatch_uid="webhook-updated")
