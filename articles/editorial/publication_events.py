"""Run each go-live moment's side effects exactly once, however many runners there are.

A story becomes public by itself when its time comes (``Article.objects.published()``
compares with now); what needs a worker is what should *happen* then: purge caches,
tell the reporter. ``articles.editorial.workflow`` queues a ``PublicationEvent`` per go-live time,
and ``run_due_events`` (the ``run_publication_events`` command) claims due rows with
``SELECT … FOR UPDATE SKIP LOCKED``: a second runner at the same moment skips the rows
the first holds, and finds them processed once it commits. (SQLite has no row locks but
takes the database's write lock at the start of the transaction, which serializes runners.)
"""

from django.db import transaction
from django.utils import timezone

from articles.editorial import signals
from articles.models import Article, PublicationEvent


def run_due_events(*, now=None, batch_size=50):
    """Process every due event; return the events this call processed."""
    processed = []
    while True:
        batch = _run_batch(now or timezone.now(), batch_size)
        if not batch:
            return processed
        processed.extend(batch)


@transaction.atomic
def _run_batch(now, batch_size):
    events = list(
        PublicationEvent.objects.select_for_update(skip_locked=True)
        .filter(processed_at__isnull=True, due_at__lte=now)
        .order_by("due_at", "pk")[:batch_size]
    )
    for event in events:
        article = (
            Article.objects.published(at=now).select_related("publication", "created_by")
            .filter(pk=event.article_id).first()
        )
        if article is not None:
            signals.article_went_live.send(sender=Article, article=article, user=None,
                                           event=event)
            event.outcome = "done"
        else:
            # Unpublished, rescheduled or re-embargoed since it was queued.
            event.outcome = "skipped"
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at", "outcome"])
    return events
