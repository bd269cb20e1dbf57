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


class Autosave(models.Model):
    """What one person has typed into a story's form and not yet saved.

    Kept on the server, one per person and story (a story not yet created has one per
    person, with no article), so a closed tab or another browser can offer it back. An
    autosave is not a revision: it is never shown to readers, never in the history, and a
    successful save of the form deletes it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="autosaves",
                                help_text="Empty for a story that has not been saved yet.")
    data = models.JSONField(help_text="The form's fields as [name, value] pairs.")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="unique_autosave"),
            models.UniqueConstraint(fields=["user"], condition=models.Q(article__isnull=True),
                                    name="unique_new_story_autosave"),
        ]

    def __str__(self):
        return f"{self.user}’s unsaved changes to {self.article_id or 'a new story'}"


class PendingChanges(models.Model):
    """Edits to a live story that readers do not see yet ("Live + changes").

    ``data`` is a snapshot (``articles.editorial.revisions.snapshot``) of the story as
    edited; the story itself keeps what readers see until an editor publishes the changes
    (``articles.editorial.workflow.article_publish_changes``), so nothing on the reading
    side needs to know this model exists.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE,
                                   related_name="pending_changes")
    data = models.JSONField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When someone who may not publish asked an editor to review the changes.")

    class Meta:
        verbose_name_plural = "pending changes"

    def __str__(self):
        return f"Changes waiting on “{self.article}”"
