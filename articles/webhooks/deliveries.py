"""The worker's side of webhooks: claim a due delivery, send it, log the try, retry later.

Claiming is a short transaction: ``SELECT … FOR UPDATE SKIP LOCKED`` picks one due row
that no other worker holds, and moves its next try a lease into the future before the
lock is released. A second worker at the same moment skips the locked row, and once the
claim commits the row is no longer due: each delivery is sent by one worker (the same
pattern as ``articles.editorial.publication_events``). The HTTP call happens outside any
transaction, so a slow endpoint holds no lock; if the worker dies mid-send, the lease runs
out and another worker tries again.

A try that gets no 2xx is retried with exponential backoff (30 s, 1 min, 2 min, … at most
two hours apart) until a day after the first try; then the delivery is marked failed.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.models import WebhookAttempt, WebhookDelivery
from articles.webhooks import sending

# Longer than one send can take (sending.DEADLINE), so a live worker's claim never lapses.
LEASE = timedelta(seconds=60)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
RETRY_WINDOW = timedelta(days=1)

Status = WebhookDelivery.Status


def run_due_deliveries(*, now=None, limit=None):
    """Send every due delivery (at most ``limit``); return the attempts made."""
    attempts = []
    while limit is None or len(attempts) < limit:
        delivery = claim_next(now=now)
        if delivery is None:
            return attempts
        attempts.append(send(delivery))
    return attempts


@transaction.atomic
def claim_next(*, now=None):
    """Take one due delivery for this worker, or None when nothing is due."""
    now = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.due(at=now).select_for_update(skip_locked=True)
        .order_by("next_attempt_at", "pk").first()
    )
    if delivery is None:
        return None
    delivery.next_attempt_at = now + LEASE
    delivery.save(update_fields=["next_attempt_at"])
    return delivery


def retry_delay(attempts):
    """How long to wait after the ``attempts``-th failed try."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def send(delivery):
    """Send a claimed delivery once, log the try and decide what comes next."""
    outcome = sending.post(delivery)
    at = timezone.now()
    attempt = WebhookAttempt.objects.create(
        delivery=delivery, at=at, ok=outcome.ok, response_code=outcome.response_code,
        error=outcome.error[:300], response_excerpt=outcome.response_excerpt[:300],
    )
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or at
    delivery.last_attempt_at = at
    delivery.last_response_code = outcome.response_code
    if outcome.ok:
        delivery.status = Status.DELIVERED
        delivery.delivered_at = at
    else:
        retry_at = at + retry_delay(delivery.attempts)
        if retry_at <= delivery.first_attempt_at + RETRY_WINDOW:
            delivery.next_attempt_at = retry_at
        else:
            delivery.status = Status.FAILED
    delivery.save(update_fields=["attempts", "first_attempt_at", "last_attempt_at",
                                 "last_response_code", "status", "delivered_at",
                                 "next_attempt_at"])
    return attempt


def send_again(deliveries, *, now=None):
    """Queue the chosen deliveries for a new try now, with a fresh day of retries (the
    admin's "Send again"). Returns how many were queued."""
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        status=Status.PENDING, next_attempt_at=now, first_attempt_at=None,
    )
