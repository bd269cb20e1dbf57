"""The editorial state machine: every transition a story goes through, in one place.

Each ``article_<action>(*, article, user, …)`` runs in one transaction and

1. checks the user's permission (``PermissionDenied`` if missing),
2. validates the story and the request (``WorkflowError`` listing what is wrong),
3. stamps times, saves, records a revision and an admin log entry,
4. sends a signal from ``articles.editorial.signals``.

Reads for the admin (who may edit what, which buttons to show) are the ``can_*``
helpers and ``available_actions``. Statuses are ``Article.Status``; whether a story is
scheduled or embargoed is ``Article.is_scheduled`` / ``Article.is_embargoed``, and its
first-published time is ``Article.save``'s to stamp.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from articles.editorial import signals
from articles.editorial.revisions import record_revision
from articles.models import Article, Correction, ImportedItem, PublicationEvent
from articles.sanitize import plain_text

Status = Article.Status

# A reporter may edit their own story only while it is theirs to work on.
OWNER_EDITABLE = {Status.DRAFT, Status.RETURNED}


class WorkflowError(Exception):
    """A transition that cannot happen as asked; ``problems`` says why, for editors."""

    def __init__(self, message, problems=()):
        self.problems = list(problems)
        super().__init__(f"{message} {'; '.join(self.problems)}".strip() if self.problems
                         else message)


# --- Who may do what ---------------------------------------------------------------


def _is_staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def can_edit(user, article):
    """May ``user`` change this story's content? (None: may they write a new one?)"""
    if not _is_staff(user):
        return False
    if user.has_perm("articles.edit_any_article"):
        return True
    if article is None or article.pk is None:
        return user.has_perm("articles.add_article")
    return (
        user.has_perm("articles.change_article")
        and article.created_by_id == user.pk
        and article.status in OWNER_EDITABLE
    )


def can_view(user, article):
    """Editors see every story; reporters their own and published ones."""
    if not _is_staff(user) or not user.has_perm("articles.view_article"):
        return False
    if article is None or user.has_perm("articles.edit_any_article"):
        return True
    return article.created_by_id == user.pk or article.status == Status.PUBLISHED


def _has(user, perm):
    return _is_staff(user) and user.has_perm(perm)


def available_actions(user, article, *, now=None):
    """The transitions ``user`` may start on ``article`` now, as (action, label) pairs."""
    now = now or timezone.now()
    status = article.status
    scheduled = article.is_scheduled(at=now)
    actions = []
    if status in OWNER_EDITABLE and can_edit(user, article):
        actions.append(("submit", "Submit for review"))
    if status == Status.IN_REVIEW and _has(user, "articles.return_article"):
        actions.append(("return", "Return to reporter"))
    if _has(user, "articles.publish_article") and (status != Status.PUBLISHED or scheduled):
        actions.append(("publish", "Publish now"))
        actions.append(("schedule", "Reschedule" if scheduled else "Schedule"))
    if status == Status.PUBLISHED and _has(user, "articles.unpublish_article"):
        actions.append(("unpublish", "Unpublish"))
    if article.is_embargoed(at=now) and _has(user, "articles.lift_embargo"):
        actions.append(("lift_embargo", "Lift embargo now"))
    if status == Status.PUBLISHED and _has(user, "articles.add_correction"):
        actions.append(("correct", "Add correction or update"))
    if _has(user, "articles.feature_article"):
        actions.append(("feature", "Unfeature" if article.featured else "Feature"))
    return actions


def _require(condition, message):
    if not condition:
        raise PermissionDenied(message)


def _require_status(article, allowed, action):
    if article.status not in allowed:
        raise WorkflowError(
            f"“{article.headline}” is {article.status_string.lower()}; it cannot be {action}."
        )


# --- Validation ----------------------------------------------------------------------


class Problem(str):
    """What a story lacks, worded for editors ("a summary"), with the name of the field
    that fills it ("summary"; empty when no field does), so the admin can link to it."""

    def __new__(cls, text, field=""):
        problem = super().__new__(cls, text)
        problem.field = field
        return problem


def publication_problems(article):
    """What a story still lacks before it may be published (empty when ready)."""
    problems = []
    if not article.headline.strip():
        problems.append(Problem("a headline", "headline"))
    if not plain_text(article.body).strip():
        problems.append(Problem("a body", "body"))
    if not article.section_id:
        problems.append(Problem("a section", "section"))
    if not article.bylines.exists():
        problems.append(Problem("at least one byline", "bylines"))
    if not article.summary.strip():
        problems.append(Problem("a summary", "summary"))
    if article.lead_image_id and not article.lead_image.alt_text.strip():
        problems.append(Problem("alt text on the lead image", "lead_image"))
    if article.pk and ImportedItem.objects.withheld().filter(article=article).exists():
        problems.append(Problem("a usable version from the agency, which has withheld or "
                                "canceled this story"))
    return problems


def _check_publishable(article):
    problems = publication_problems(article)
    if problems:
        raise WorkflowError(f"“{article.headline}” cannot be published yet. It needs:", problems)


# --- Bookkeeping shared by every transition -----------------------------------------


def _finish(article, user, comment, signal, fields, **signal_kwargs):
    article.save(update_fields=[*fields, "version", "modified_at"])
    record_revision(article, user=user, comment=comment)
    if _is_staff(user):
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=[article], action_flag=CHANGE,
            change_message=comment, single_object=True,
        )
    signal.send(sender=Article, article=article, user=user, **signal_kwargs)
    return article


def _lock(article):
    """Re-read the story under a row lock so two transitions cannot interleave."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    article.__dict__.update({f.attname: getattr(locked, f.attname) for f in Article._meta.concrete_fields})
    return article


def _queue_go_live(article, due_at):
    """One pending go-live event per story, replacing any it had before."""
    article.publication_events.filter(processed_at__isnull=True).delete()
    PublicationEvent.objects.get_or_create(article=article, due_at=due_at)


def _go_live_time(article, now):
    # A story whose time has already come goes live as the transition commits.
    return max(article.public_from, now)


# --- Transitions ---------------------------------------------------------------------


@transaction.atomic
def article_submit_for_review(*, article, user):
    _lock(article)
    _require(can_edit(user, article), "You cannot submit this story.")
    _require_status(article, OWNER_EDITABLE, "submitted for review")
    article.status = Status.IN_REVIEW
    return _finish(article, user, "Submitted for review", signals.article_submitted, ["status"])


@transaction.atomic
def article_return_to_reporter(*, article, user, note):
    _lock(article)
    _require(_has(user, "articles.return_article"), "Only editors can return a story.")
    _require_status(article, {Status.IN_REVIEW}, "returned")
    note = (note or "").strip()
    if not note:
        raise WorkflowError("Tell the reporter what to change: the note is required.")
    article.status = Status.RETURNED
    article.review_note = note
    return _finish(article, user, f"Returned to reporter: {note}", signals.article_returned,
                   ["status", "review_note"], note=note)


@transaction.atomic
def article_schedule(*, article, user, publish_at, embargo_until=None, now=None):
    """Approve the story to go live at ``publish_at`` (now or later), maybe under embargo."""
    now = now or timezone.now()
    _lock(article)
    _require(_has(user, "articles.publish_article"), "Only editors can schedule a story.")
    if article.status == Status.PUBLISHED and not article.is_scheduled(at=now):
        raise WorkflowError(f"“{article.headline}” is already published.")
    if publish_at is None or timezone.is_naive(publish_at):
        raise WorkflowError("Give the publish time, with its time zone.")
    if embargo_until is not None and timezone.is_naive(embargo_until):
        raise WorkflowError("Give the embargo time, with its time zone.")
    _check_publishable(article)
    article.status = Status.PUBLISHED
    article.publish_at = publish_at
    article.embargo_until = embargo_until
    article.review_note = ""
    fields = ["status", "publish_at", "embargo_until", "review_note"]
    _queue_go_live(article, _go_live_time(article, now))
    if publish_at <= now:
        comment = "Published"
        signal = signals.article_published
    else:
        local = timezone.localtime(publish_at)
        comment = f"Scheduled for {local:%Y-%m-%d %H:%M %Z}"
        signal = signals.article_scheduled
    if embargo_until:
        comment += f", embargoed until {timezone.localtime(embargo_until):%Y-%m-%d %H:%M %Z}"
    return _finish(article, user, comment, signal, fields,
                   publish_at=publish_at, embargo_until=embargo_until)


def article_publish(*, article, user, now=None):
    """Publish now. A story that was live before keeps its original publish time (and so
    its address); anything else goes live with the current time."""
    now = now or timezone.now()
    was_live = article.first_published_at and article.first_published_at <= now
    keep = was_live and article.publish_at and article.publish_at <= now
    return article_schedule(
        article=article, user=user, publish_at=article.publish_at if keep else now,
        # An embargo stays: only lifting it (a permission of its own) ends it early.
        embargo_until=article.embargo_until, now=now,
    )


@transaction.atomic
def article_unpublish(*, article, user, note=""):
    _lock(article)
    _require(_has(user, "articles.unpublish_article"), "Only editors can unpublish a story.")
    _require_status(article, {Status.PUBLISHED}, "unpublished")
    article.status = Status.UNPUBLISHED
    article.publication_events.filter(processed_at__isnull=True).delete()
    comment = f"Unpublished: {note.strip()}" if note and note.strip() else "Unpublished"
    return _finish(article, user, comment, signals.article_unpublished, ["status"])


@transaction.atomic
def article_withdraw(*, article, reason):
    """The agency that sent the story withheld or canceled it: off the site at once. No
    user and no permission: nobody here asked, the story's source did (``reason`` says so)."""
    _lock(article)
    if article.status != Status.PUBLISHED:
        return article
    article.status = Status.UNPUBLISHED
    article.publication_events.filter(processed_at__isnull=True).delete()
    return _finish(article, None, f"Unpublished: {reason}"[:300], signals.article_unpublished,
                   ["status"])


@transaction.atomic
def article_lift_embargo(*, article, user, now=None):
    now = now or timezone.now()
    _lock(article)
    _require(_has(user, "articles.lift_embargo"), "Only editors can lift an embargo.")
    if not article.is_embargoed(at=now):
        raise WorkflowError(f"“{article.headline}” is not under embargo.")
    article.embargo_until = None
    _queue_go_live(article, _go_live_time(article, now))
    return _finish(article, user, "Embargo lifted", signals.embargo_lifted, ["embargo_until"])


@transaction.atomic
def article_add_correction(*, article, user, kind, text, now=None):
    """Append a public correction or update; the story's "Updated" time moves to now."""
    now = now or timezone.now()
    _lock(article)
    _require(_has(user, "articles.add_correction"), "Only editors can add corrections.")
    text = (text or "").strip()
    problems = []
    if kind not in Correction.Kind.values:
        problems.append(f"choose a kind ({', '.join(Correction.Kind.labels)})")
    if not text:
        problems.append("write the text readers will see")
    if problems:
        raise WorkflowError("The correction is incomplete:", problems)
    correction = Correction.objects.create(article=article, kind=kind, text=text, created_at=now)
    article.updated_at = now
    _finish(article, user, f"{correction.get_kind_display()} added", signals.article_corrected,
            ["updated_at"], correction=correction)
    return correction


@transaction.atomic
def article_set_featured(*, article, user, featured):
    _lock(article)
    _require(_has(user, "articles.feature_article"), "Only editors can feature a story.")
    article.featured = bool(featured)
    return _finish(article, user, "Featured" if featured else "Unfeatured",
                   signals.article_featured, ["featured"], featured=article.featured)


@transaction.atomic
def article_move_section(*, article, user, section):
    _lock(article)
    _require(can_edit(user, article), "You cannot edit this story.")
    if section.publication_id != article.publication_id:
        raise WorkflowError(f"“{section}” is a section of another publication.")
    article.section = section
    return _finish(article, user, f"Moved to {section.name}", signals.article_moved,
                   ["section"], section=section)
