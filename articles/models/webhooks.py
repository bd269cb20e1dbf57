"""Webhooks: partners' endpoints, told when a story is published, updated, unpublished or
corrected.

A change that partners should hear about records one ``WebhookDelivery`` per subscribed
endpoint in the same transaction as the change (an outbox): a rolled-back change sends
nothing, and a committed one is sure to be sent. The ``run_publication_events`` worker
claims due deliveries with SELECT … FOR UPDATE SKIP LOCKED, sends them, and logs each try
as a ``WebhookAttempt`` (see ``articles.webhooks``).
"""

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.models.article import Article


class WebhookEvent(models.TextChoices):
    PUBLISHED = "published", "Published"
    UPDATED = "updated", "Updated"
    UNPUBLISHED = "unpublished", "Unpublished"
    CORRECTED = "corrected", "Corrected"


def new_secret():
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """An address of a partner's that is told about changes to public stories."""

    url = models.URLField(
        "URL", max_length=500,
        help_text="Where to POST the events, e.g. https://partner.example/hooks/newsroom. "
        "It must be on the public internet: private and local addresses are refused.",
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="Whose endpoint this is, e.g. Valley Radio's app."
    )
    # Stored as entered: the signature needs the secret itself. Shown masked in the admin.
    secret = models.CharField(
        max_length=200, default=new_secret,
        help_text="Shared with the partner, who checks each delivery's signature with it.",
    )
    events = models.JSONField(
        default=list, help_text="Which events are sent: published, updated, unpublished, "
        "corrected.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Untick to stop sending without losing the log."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "webhook endpoint"
        ordering = ["url", "pk"]

    def __str__(self):
        return self.description or self.url

    def clean(self):
        unknown = set(self.events or []) - set(WebhookEvent.values)
        if unknown or not isinstance(self.events, list):
            raise ValidationError({"events": "Choose among: " + ", ".join(WebhookEvent.values)})

    @property
    def masked_secret(self):
        """Enough of the secret to tell two apart, never enough to sign with."""
        return f"••••••{self.secret[-4:]}" if len(self.secret) > 8 else "••••••"


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, *, at=None):
        return self.filter(status=WebhookDelivery.Status.PENDING,
                           next_attempt_at__lte=at or timezone.now())


class WebhookDelivery(models.Model):
    """One event for one endpoint: sent until the endpoint answers 2xx, for at most a day."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The event's id is the same for every endpoint told about it; a receiver that sees
    # it twice (a retry after a lost answer) knows it is the same event.
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    event = models.CharField(max_length=20, choices=WebhookEvent.choices)
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The story the event is about (kept in the body if the story is deleted).",
    )
    body = models.TextField(help_text="The JSON sent, as it was when the event happened.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="When the worker next tries (while pending)."
    )
    first_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Retries stop a day after this."
    )
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"],
                                    name="one_delivery_per_event_and_endpoint"),
        ]
        indexes = [
            # The worker's question, answered from a small index: which pending ones are due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"),
                         name="webhook_delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} #{self.article_id} to {self.endpoint}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: when, and what the endpoint answered."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField("time", default=timezone.now)
    response_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty when no answer came (refused, timed out)."
    )
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} UTC: {self.response_code or self.error}"
