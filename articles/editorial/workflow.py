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
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from articles import body_images
from articles.editorial import roles, signals
from articles.editorial.revisions import apply_snapshot, record_revision, snapshot
from articles.models import (
    Article,
    Correction,
    ImportedItem,
    PendingChanges,
    PublicationEvent,
    Run,
)
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
    """May ``user`` change this story's content? (None: may they write a new one?)

    Only the story's home desk controls its text: its editors, and its reporter while
    the story is theirs to work on, or while it is live: their edits to a live story wait
    as pending changes for an editor (``can_change_live``). A sister masthead that runs
    the story decides only how it runs there (``can_run``)."""
    if not _is_staff(user):
        return False
    if article is None or (article.pk is None and not article.publication_id):
        desks = roles.desks_where(user, "articles.add_article")
        return desks is None or bool(desks)
    home = article.publication_id
    if roles.may(user, "articles.edit_any_article", home):
        return True
    if article.pk is None:
        return roles.may(user, "articles.add_article", home)
    return (
        roles.may(user, "articles.change_article", home)
        and article.created_by_id == user.pk
        and (article.status in OWNER_EDITABLE or edits_wait_for_publishing(article))
    )


def can_change_live(user, article):
    """May ``user`` change what readers see of this story without an editor publishing
    it? Its desk's editors may; a reporter's edits to their live story wait as pending
    changes, which they submit for review."""
    if not can_edit(user, article):
        return False
    return (not edits_wait_for_publishing(article)
            or roles.may(user, "articles.edit_any_article", article.publication_id))


def can_discard_changes(user, article, pending):
    """Editors may drop a live story's pending changes; a reporter only their own."""
    if not can_edit(user, article) or pending is None:
        return False
    return (_has(user, "articles.publish_article", article)
            or (pending.saved_by_id is not None and pending.saved_by_id == user.pk))


def can_view(user, article):
    """Editors see every story of their desks, and those their mastheads run; everyone
    sees their own stories and published ones."""
    if not _is_staff(user) or not user.has_perm("articles.view_article"):
        return False
    if article is None or roles.may(user, "articles.edit_any_article", article.publication_id):
        return True
    if article.created_by_id == user.pk or article.status == Status.PUBLISHED:
        return True
    desks = roles.desks_where(user, "articles.publish_article")
    return bool(desks) and article.runs.filter(publication_id__in=desks).exists()


def viewable(user, articles):
    """``articles`` narrowed to those ``can_view`` lets ``user`` see (for lists)."""
    if not _is_staff(user) or not user.has_perm("articles.view_article"):
        return articles.none()
    editing = roles.desks_where(user, "articles.edit_any_article")
    if editing is None:
        return articles
    running = roles.desks_where(user, "articles.publish_article")
    runs_there = Exists(Run.objects.filter(article=OuterRef("pk"), publication_id__in=running))
    return articles.filter(Q(publication_id__in=editing) | Q(created_by=user)
                           | Q(status=Status.PUBLISHED) | runs_there)


def can_run(user, article, publication):
    """May ``user`` decide whether ``publication`` (a sister masthead of the story's home)
    runs this story, and how (section, headline)? Its editors may, for a story they can
    see."""
    return (
        _is_staff(user)
        and publication.pk != article.publication_id
        and roles.may(user, "articles.publish_article", publication.pk)
        and can_view(user, article)
    )


def _has(user, perm, article):
    """May ``user`` use ``perm`` on ``article`` at its home desk?"""
    return _is_staff(user) and roles.may(user, perm, article.publication_id)


def available_actions(user, article, *, now=None):
    """The transitions ``user`` may start on ``article`` now, as (action, label) pairs."""
    now = now or timezone.now()
    status = article.status
    scheduled = article.is_scheduled(at=now)
    actions = []
    if status in OWNER_EDITABLE and can_edit(user, article):
        actions.append(("submit", "Submit for review"))
    if status == Status.IN_REVIEW and _has(user, "articles.return_article", article):
        actions.append(("return", "Return to reporter"))
    if _has(user, "articles.publish_article", article) and (status != Status.PUBLISHED or scheduled):
        actions.append(("publish", "Publish now"))
        actions.append(("schedule", "Reschedule" if scheduled else "Schedule"))
    if status == Status.PUBLISHED and _has(user, "articles.unpublish_article", article):
        actions.append(("unpublish", "Unpublish"))
    if article.is_embargoed(at=now) and _has(user, "articles.lift_embargo", article):
        actions.append(("lift_embargo", "Lift embargo now"))
    if status == Status.PUBLISHED and _has(user, "articles.add_correction", article):
        actions.append(("correct", "Add correction or update"))
    if _has(user, "articles.feature_article", article):
        actions.append(("feature", "Unfeature" if article.featured else "Feature"))
    if edits_wait_for_publishing(article, now=now) and can_edit(user, article):
        pending = pending_changes(article)
        if _has(user, "articles.publish_article", article):
            actions.append(("publish_changes", "Publish changes"))
        elif pending is None or pending.submitted_at is None:
            actions.append(("submit_changes", "Submit changes for review"))
        if can_discard_changes(user, article, pending):
            actions.append(("discard_changes", "Discard changes"))
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
    if undescribed := body_images.missing_alt_text(article.body):
        problems.append(Problem(
            "alt text on the picture in the body" if len(undescribed) == 1
            else f"alt text on {len(undescribed)} pictures in the body", "body_images"))
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


# --- Changes to a live story ------------------------------------------------------


def edits_wait_for_publishing(article, *, now=None):
    """Do edits to this story wait as pending changes? They do while readers can see it:
    the live version stays until an editor publishes the changes. (A draft, a scheduled or
    an embargoed story is edited directly: readers see none of it yet.)"""
    now = now or timezone.now()
    return (article.pk is not None and article.status == Status.PUBLISHED
            and not article.is_scheduled(at=now) and not article.is_embargoed(at=now))


def pending_changes(article):
    """The story's ``PendingChanges``, or None."""
    return PendingChanges.objects.filter(article_id=article.pk).first() if article.pk else None


def _log(user, article, message):
    if _is_staff(user):
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=[article], action_flag=CHANGE,
            change_message=message, single_object=True,
        )


@transaction.atomic
def article_keep_changes(*, article, user, data, comment="Changes kept for publishing"):
    """Keep ``data`` (a snapshot of the story as edited) as the live story's pending
    changes. Changes that bring it back to the live version are no changes: the pending
    ones are dropped. Returns the ``PendingChanges`` (None when dropped)."""
    _require(can_edit(user, article), "You cannot edit this story.")
    if not edits_wait_for_publishing(article):
        raise WorkflowError(f"“{article.headline}” is not live: edit it directly.")
    if data == snapshot(article):
        PendingChanges.objects.filter(article=article).delete()
        return None
    pending, _created = PendingChanges.objects.update_or_create(
        article=article, defaults={"data": data, "saved_by": user if _is_staff(user) else None,
                                   "saved_at": timezone.now(), "submitted_at": None})
    # The edit counter moves, and nothing readers see: a second editor's form, opened
    # before these changes were kept, is stopped as an edit conflict instead of silently
    # replacing them (an update, not a save: no signal, no cache refresh).
    Article.objects.filter(pk=article.pk).update(version=F("version") + 1)
    article.version += 1
    _log(user, article, comment)
    return pending


@transaction.atomic
def article_publish_changes(*, article, user):
    """Readers get the pending changes: they become the story (saved, with a revision)."""
    _lock(article)
    _require(_has(user, "articles.publish_article", article), "Only editors can publish changes.")
    pending = PendingChanges.objects.select_for_update().filter(article=article).first()
    if pending is None:
        raise WorkflowError(f"“{article.headline}” has no changes waiting to be published.")
    apply_snapshot(article, pending.data)
    # Checked on the story as readers would get it; a problem rolls everything back.
    _check_publishable(article)
    pending.delete()
    return _finish(article, user, "Published changes", signals.article_changes_published, [])


@transaction.atomic
def article_submit_changes(*, article, user):
    """Someone who may not publish asks the editors to review their changes."""
    _lock(article)
    _require(can_edit(user, article), "You cannot edit this story.")
    pending = PendingChanges.objects.select_for_update().filter(article=article).first()
    if pending is None:
        raise WorkflowError(f"“{article.headline}” has no changes to submit.")
    pending.submitted_at = timezone.now()
    pending.save(update_fields=["submitted_at"])
    _log(user, article, "Changes submitted for review")
    signals.article_submitted.send(sender=Article, article=article, user=user)
    return article


@transaction.atomic
def article_discard_changes(*, article, user):
    """Drop the pending changes; the live version stays as it is."""
    _lock(article)
    pending = PendingChanges.objects.select_for_update().filter(article=article).first()
    _require(can_edit(user, article), "You cannot edit this story.")
    if pending is None:
        raise WorkflowError(f"“{article.headline}” has no changes to discard.")
    _require(can_discard_changes(user, article, pending),
             "Only an editor can discard changes someone else kept.")
    pending.delete()
    _log(user, article, "Pending changes discarded")
    return article


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
    _require(_has(user, "articles.return_article", article), "Only editors can return a story.")
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
    _require(_has(user, "articles.publish_article", article), "Only editors can schedule a story.")
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
    _require(_has(user, "articles.unpublish_article", article), "Only editors can unpublish a story.")
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
    _require(_has(user, "articles.lift_embargo", article), "Only editors can lift an embargo.")
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
    _require(_has(user, "articles.add_correction", article), "Only editors can add corrections.")
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
    _require(_has(user, "articles.feature_article", article), "Only editors can feature a story.")
    article.featured = bool(featured)
    return _finish(article, user, "Featured" if featured else "Unfeatured",
                   signals.article_featured, ["featured"], featured=article.featured)


@transaction.atomic
def article_move_section(*, article, user, section):
    _lock(article)
    _require(can_change_live(user, article), "You cannot edit this story.")
    if section.publication_id != article.publication_id:
        raise WorkflowError(f"“{section}” is a section of another publication.")
    article.section = section
    return _finish(article, user, f"Moved to {section.name}", signals.article_moved,
                   ["section"], section=section)


# --- A sister masthead's desk: run the story there, change how, or drop it ------------
#
# These change only the masthead's run of the story (articles.models.Run), never the story:
# no new version (the home desk's open form stays current), but a revision and a log entry
# on the story, so its history says where it runs, and a save time for feeds and sitemaps.


def _finish_run(article, user, comment, signal, **signal_kwargs):
    Article.objects.filter(pk=article.pk).update(modified_at=timezone.now())
    record_revision(article, user=user, comment=comment)
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=[article], action_flag=CHANGE, change_message=comment,
        single_object=True,
    )
    signal.send(sender=Article, article=article, user=user, **signal_kwargs)
    return article


def _run_problems(article, publication, section, headline):
    problems = []
    if section is None:
        problems.append(f"a section of {publication}")
    elif section.publication_id != publication.pk:
        problems.append(f"a section of {publication} (“{section.name}” is another masthead's)")
    if len(headline) > Run._meta.get_field("headline").max_length:
        problems.append("a shorter headline (200 characters at most)")
    return problems


def _require_run_rights(user, article, publication, featured):
    _require(can_run(user, article, publication),
             f"Only {publication}'s editors can decide what it runs.")
    if featured:
        _require(roles.may(user, "articles.feature_article", publication.pk),
                 f"Only {publication}'s editors can feature a story there.")


@transaction.atomic
def article_run_on(*, article, user, publication, section, headline="", featured=False):
    """``publication``'s desk runs the story: in ``section`` there, under its own headline
    on its lists if it gives one, on its front's lead if ``featured``."""
    _lock(article)
    headline = (headline or "").strip()
    if publication.pk == article.publication_id:
        raise WorkflowError(f"“{article.headline}” is {publication}'s own story.")
    _require_run_rights(user, article, publication, featured)
    if article.runs.filter(publication=publication).exists():
        raise WorkflowError(f"“{article.headline}” already runs on {publication}.")
    problems = _run_problems(article, publication, section, headline)
    if problems:
        raise WorkflowError(f"To run “{article.headline}” on {publication} it needs:", problems)
    run = Run.objects.create(article=article, publication=publication, section=section,
                             headline=headline, featured=bool(featured))
    return _finish_run(article, user, f"Runs on {publication}, in {section.name}",
                       signals.article_run_started, run=run)


@transaction.atomic
def article_change_run(*, article, user, publication, section, headline="", featured=False):
    """Change the section, headline or featured flag of the story on ``publication``."""
    _lock(article)
    headline = (headline or "").strip()
    run = article.runs.filter(publication=publication, is_home=False).first()
    _require_run_rights(user, article, publication,
                        bool(featured) != (run.featured if run else False))
    if run is None:
        raise WorkflowError(f"“{article.headline}” does not run on {publication}.")
    problems = _run_problems(article, publication, section, headline)
    if problems:
        raise WorkflowError(f"On {publication}, “{article.headline}” needs:", problems)
    run.section, run.headline, run.featured = section, headline, bool(featured)
    run.save(update_fields=["section", "headline", "featured"])
    return _finish_run(article, user, f"Changed how {publication} runs it ({section.name})",
                       signals.article_run_changed, run=run)


@transaction.atomic
def article_drop_run(*, article, user, publication):
    """``publication`` stops running the story; it stays everywhere else."""
    _lock(article)
    _require_run_rights(user, article, publication, featured=False)
    run = article.runs.filter(publication=publication, is_home=False).first()
    if run is None:
        raise WorkflowError(f"“{article.headline}” does not run on {publication}.")
    run.delete()
    return _finish_run(article, user, f"Dropped from {publication}",
                       signals.article_run_dropped, publication=publication)


def run_actions(user, article):
    """[(publication, run or None), …]: the sister mastheads whose runs of this story
    ``user`` decides, the story's runs there (None where it does not run yet)."""
    from articles.models import Publication

    desks = roles.desks_where(user, "articles.publish_article")
    mastheads = Publication.objects.exclude(pk=article.publication_id)
    if desks is not None:
        mastheads = mastheads.filter(pk__in=desks)
    if not can_view(user, article):
        return []
    runs = {run.publication_id: run for run in article.runs.select_related("section")}
    return [(masthead, runs.get(masthead.pk)) for masthead in mastheads
            if can_run(user, article, masthead)]
