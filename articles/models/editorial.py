"""What the editorial process keeps about a story: its revisions, who has it open, its
preview links and the go-live moments whose side effects must run once."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.models.article import Article


class Revision(models.Model):
    """A snapshot of a story's editorial content, recorded on every save.

    ``data`` holds the fields editors change (see ``articles.editorial.revisions``), bylines, tags
    and related items, so any two revisions can be compared and any one restored.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="1 for the first save, then 2, 3, …")
    article_version = models.PositiveIntegerField(
        help_text="The story's version counter when this revision was recorded."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="article_revisions",
    )
    comment = models.CharField(max_length=300, blank=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_revision_number")
        ]

    def __str__(self):
        return f"Revision {self.number} of “{self.article}”"


class EditingSession(models.Model):
    """Who has a story open in the admin right now (refreshed while the page is open).

    Kept in the database, not a per-process cache, so every server sees every editor.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="editing_sessions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="unique_editing_session")
        ]

    def __str__(self):
        return f"{self.user} editing {self.article_id}"


class PreviewLink(models.Model):
    """A share link for an unpublished story: signed, expiring and revocable.

    The address carries a signed token naming this row; the row is what makes a link
    revocable (``revoked_at``) and gives it an expiry an editor can see.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview of “{self.article}” until {self.expires_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class PublicationEvent(models.Model):
    """One "this story went live" moment, whose side effects must run exactly once.

    The workflow adds a row when it publishes or schedules a story; the
    ``run_publication_events`` command claims due rows with SELECT … FOR UPDATE SKIP
    LOCKED, so two runners at once never handle the same row twice. The unique
    constraint keeps one row per story and go-live time.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="publication_events"
    )
    due_at = models.DateTimeField(db_index=True, help_text="When the story becomes public.")
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True, help_text="done or skipped")

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "due_at"], name="unique_publication_event")
        ]

    def __str__(self):
        return f"“{self.article}” goes live {self.due_at:%Y-%m-%d %H:%M} UTC"
