"""articles.editorial.workflow: every transition checks permission, validates, stamps times, saves,
records a revision and a log entry and sends its signal, in one transaction."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.editorial import signals, workflow
from articles.models import Article, Correction, PublicationEvent

from .factories import ArticleFactory, ImageFactory
from .workflow_helpers import ready_article

pytestmark = pytest.mark.django_db
Status = Article.Status


@pytest.fixture
def received():
    """Collects (signal name, kwargs) for every workflow signal sent during a test."""
    log = []
    handlers = []
    for name in ["article_submitted", "article_returned", "article_scheduled",
                 "article_published", "article_unpublished", "article_corrected",
                 "embargo_lifted", "article_featured", "article_moved"]:
        def handler(sender, _name=name, **kwargs):
            log.append((_name, kwargs))
        getattr(signals, name).connect(handler, weak=False)
        handlers.append((getattr(signals, name), handler))
    yield log
    for signal, handler in handlers:
        signal.disconnect(handler)


def test_a_reporter_submits_their_draft_with_revision_log_and_signal(publication, reporter,
                                                                   received):
    article = ready_article(publication, created_by=reporter)
    workflow.article_submit_for_review(article=article, user=reporter)
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert article.revisions.get().comment == "Submitted for review"
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.change_message) == (
        reporter, str(article.pk), "Submitted for review")
    assert [name for name, _ in received] == ["article_submitted"]
    assert received[0][1]["article"] == article


def test_a_reporter_cannot_submit_someone_elses_draft(publication, reporter, other_reporter):
    article = ready_article(publication, created_by=other_reporter)
    with pytest.raises(PermissionDenied):
        workflow.article_submit_for_review(article=article, user=reporter)
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert not article.revisions.exists()


def test_an_editor_returns_a_story_with_a_note(publication, reporter, editor, received):
    article = ready_article(publication, created_by=reporter, status=Status.IN_REVIEW)
    workflow.article_return_to_reporter(article=article, user=editor,
                                        note="Get a second source on the fare numbers.")
    article.refresh_from_db()
    assert article.status == Status.RETURNED
    assert article.review_note == "Get a second source on the fare numbers."
    assert received[0][0] == "article_returned"
    assert "second source" in article.revisions.get().comment
    # The reporter may now edit and resubmit.
    assert workflow.can_edit(reporter, article)
    workflow.article_submit_for_review(article=article, user=reporter)
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW


def test_returning_needs_a_note(publication, editor):
    article = ready_article(publication, status=Status.IN_REVIEW)
    with pytest.raises(workflow.WorkflowError, match="note is required"):
        workflow.article_return_to_reporter(article=article, user=editor, note="  ")
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW


def test_publishing_now_makes_the_story_public_and_stamps_times(publication, editor,
                                                               received):
    article = ready_article(publication, status=Status.IN_REVIEW)
    before = timezone.now()
    workflow.article_publish(article=article, user=editor)
    article.refresh_from_db()
    assert article.is_public
    assert before <= article.publish_at <= timezone.now()
    assert article.first_published_at == article.publish_at
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert received[0][0] == "article_published"
    assert PublicationEvent.objects.get(article=article).due_at == article.publish_at


def test_scheduling_keeps_the_story_hidden_until_its_time(publication, editor, received):
    article = ready_article(publication, status=Status.IN_REVIEW)
    when = timezone.now() + timedelta(hours=5)
    workflow.article_schedule(article=article, user=editor, publish_at=when)
    article.refresh_from_db()
    assert article.status_string == "Scheduled"
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert Article.objects.published(at=when).filter(pk=article.pk).exists()
    assert received[0][0] == "article_scheduled"
    assert article.revisions.get().comment.startswith("Scheduled for ")


def test_publishing_lists_everything_missing(publication, editor):
    article = ArticleFactory(publication=publication, section=None, summary="", body="<p></p>",
                             lead_image=ImageFactory(alt_text=""))
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.article_publish(article=article, user=editor)
    assert error.value.problems == ["a body", "a section", "at least one byline", "a summary",
                                    "alt text on the lead image"]
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert not article.revisions.exists()
    assert not PublicationEvent.objects.exists()


@pytest.mark.parametrize("action", ["publish", "schedule", "unpublish", "return", "feature",
                                    "lift_embargo", "correct"])
def test_reporters_and_roleless_staff_cannot_take_editor_steps(publication, reporter,
                                                               staff_without_role, action):
    soon = timezone.now() + timedelta(hours=1)
    article = ready_article(publication, created_by=reporter, status=Status.PUBLISHED,
                            publish_at=timezone.now() - timedelta(hours=1), embargo_until=soon)
    calls = {
        "publish": lambda u: workflow.article_publish(article=article, user=u),
        "schedule": lambda u: workflow.article_schedule(article=article, user=u,
                                                        publish_at=soon),
        "unpublish": lambda u: workflow.article_unpublish(article=article, user=u),
        "return": lambda u: workflow.article_return_to_reporter(article=article, user=u,
                                                                note="x"),
        "feature": lambda u: workflow.article_set_featured(article=article, user=u,
                                                           featured=True),
        "lift_embargo": lambda u: workflow.article_lift_embargo(article=article, user=u),
        "correct": lambda u: workflow.article_add_correction(article=article, user=u,
                                                             kind="correction", text="x"),
    }
    for user in (reporter, staff_without_role):
        with pytest.raises(PermissionDenied):
            calls[action](user)
    fresh = Article.objects.get(pk=article.pk)
    assert (fresh.status, fresh.featured, fresh.embargo_until) == (
        Status.PUBLISHED, False, soon)
    assert not Correction.objects.exists()


def test_unpublishing_hides_the_story_and_cancels_its_pending_event(publication, editor):
    article = ready_article(publication, status=Status.IN_REVIEW)
    workflow.article_schedule(article=article, user=editor,
                              publish_at=timezone.now() + timedelta(hours=2))
    workflow.article_unpublish(article=article, user=editor, note="Legal hold")
    article.refresh_from_db()
    assert article.status == Status.UNPUBLISHED
    assert not PublicationEvent.objects.exists()
    assert article.revisions.first().comment == "Unpublished: Legal hold"


def test_republishing_keeps_the_original_publish_time_and_address(publication, editor):
    article = ready_article(publication, published=True)
    first = article.publish_at
    article.first_published_at = first
    article.save()
    url = article.get_absolute_url()
    workflow.article_unpublish(article=article, user=editor)
    workflow.article_publish(article=article, user=editor)
    article.refresh_from_db()
    assert (article.publish_at, article.get_absolute_url()) == (first, url)
    assert article.is_public


def test_a_story_cannot_be_published_twice(publication, editor):
    article = ready_article(publication, published=True)
    with pytest.raises(workflow.WorkflowError, match="already published"):
        workflow.article_publish(article=article, user=editor)


def test_an_embargo_hides_a_published_story_until_an_editor_lifts_it(publication, editor,
                                                                    received):
    article = ready_article(publication, status=Status.IN_REVIEW)
    embargo = timezone.now() + timedelta(days=1)
    workflow.article_schedule(article=article, user=editor,
                              publish_at=timezone.now() + timedelta(minutes=1),
                              embargo_until=embargo)
    assert PublicationEvent.objects.get().due_at == embargo
    assert not Article.objects.published(at=timezone.now() + timedelta(hours=1)).exists()
    workflow.article_lift_embargo(article=article, user=editor)
    article.refresh_from_db()
    assert article.embargo_until is None
    assert Article.objects.published(at=timezone.now() + timedelta(hours=1)).exists()
    assert PublicationEvent.objects.get().due_at == article.publish_at
    assert received[-1][0] == "embargo_lifted"


def test_a_correction_is_appended_and_moves_the_updated_time(publication, editor, received):
    article = ready_article(publication, published=True)
    correction = workflow.article_add_correction(
        article=article, user=editor, kind="correction",
        text="An earlier version misstated the ferry's capacity.")
    article.refresh_from_db()
    assert article.updated_at == correction.created_at
    assert list(article.corrections.all()) == [correction]
    assert received[0][0] == "article_corrected"
    with pytest.raises(workflow.WorkflowError, match="incomplete"):
        workflow.article_add_correction(article=article, user=editor, kind="rumour", text="")


def test_a_failing_signal_receiver_rolls_the_whole_transition_back(publication, reporter):
    article = ready_article(publication, created_by=reporter)

    def broken(**kwargs):
        raise RuntimeError("mail server on fire")

    signals.article_submitted.connect(broken, weak=False)
    try:
        with pytest.raises(RuntimeError):
            workflow.article_submit_for_review(article=article, user=reporter)
    finally:
        signals.article_submitted.disconnect(broken)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    assert not article.revisions.exists()
    assert not LogEntry.objects.exists()


def test_moving_a_story_to_another_publications_section_is_refused(publication, editor,
                                                                  other_publication):
    from .factories import SectionFactory

    article = ready_article(publication)
    with pytest.raises(workflow.WorkflowError, match="another publication"):
        workflow.article_move_section(article=article, user=editor,
                                      section=SectionFactory(publication=other_publication))


def test_available_actions_follow_role_and_status(publication, reporter, editor):
    draft = ready_article(publication, created_by=reporter)
    assert [a for a, _ in workflow.available_actions(reporter, draft)] == ["submit"]
    assert "publish" in dict(workflow.available_actions(editor, draft))
    live = ready_article(publication, created_by=reporter, published=True)
    # Their edits to it wait as pending changes, for an editor to publish.
    assert workflow.available_actions(reporter, live) == [
        ("submit_changes", "Submit changes for review")]
    assert {"unpublish", "correct", "feature"} <= set(
        dict(workflow.available_actions(editor, live)))


def test_publishing_a_scheduled_embargoed_story_now_keeps_its_embargo(publication, editor):
    article = ready_article(publication, status=Status.IN_REVIEW)
    embargo = timezone.now() + timedelta(days=2)
    workflow.article_schedule(article=article, user=editor,
                              publish_at=timezone.now() + timedelta(days=1), embargo_until=embargo)
    workflow.article_publish(article=article, user=editor)
    article.refresh_from_db()
    assert article.publish_at <= timezone.now()
    assert article.embargo_until == embargo
    assert not Article.objects.published().exists()


def test_scheduling_plans_the_first_published_time_and_rescheduling_moves_it(publication,
                                                                            editor):
    article = ready_article(publication, status=Status.IN_REVIEW)
    tomorrow = timezone.now() + timedelta(days=1)
    workflow.article_schedule(article=article, user=editor, publish_at=tomorrow)
    assert Article.objects.get(pk=article.pk).first_published_at == tomorrow
    next_week = tomorrow + timedelta(days=6)
    workflow.article_schedule(article=article, user=editor, publish_at=next_week)
    assert Article.objects.get(pk=article.pk).first_published_at == next_week
    workflow.article_publish(article=article, user=editor)
    article.refresh_from_db()
    assert article.first_published_at == article.publish_at <= timezone.now()


def test_a_scheduled_story_unpublished_before_its_time_was_never_first_published(publication,
                                                                                editor):
    article = ready_article(publication, status=Status.IN_REVIEW)
    workflow.article_schedule(article=article, user=editor,
                              publish_at=timezone.now() + timedelta(hours=2))
    workflow.article_unpublish(article=article, user=editor)
    article.refresh_from_db()
    assert article.first_published_at is None
    workflow.article_publish(article=article, user=editor)
    article.refresh_from_db()
    assert article.first_published_at == article.publish_at <= timezone.now()


def test_a_scheduled_embargoed_story_can_be_rescheduled_published_or_have_its_embargo_lifted(
        publication, editor):
    article = ready_article(publication, scheduled=True,
                            embargo_until=timezone.now() + timedelta(days=1))
    actions = dict(workflow.available_actions(editor, article))
    assert actions["schedule"] == "Reschedule"
    assert {"publish", "lift_embargo", "unpublish"} <= set(actions)


def test_only_an_embargo_in_force_on_a_published_story_can_be_lifted(publication, editor):
    later = timezone.now() + timedelta(days=1)
    draft = ready_article(publication, embargo_until=later)
    assert "lift_embargo" not in dict(workflow.available_actions(editor, draft))
    with pytest.raises(workflow.WorkflowError, match="not under embargo"):
        workflow.article_lift_embargo(article=draft, user=editor)
    lifted = ready_article(publication, published=True,
                           embargo_until=timezone.now() - timedelta(minutes=1))
    assert "lift_embargo" not in dict(workflow.available_actions(editor, lifted))
    with pytest.raises(workflow.WorkflowError, match="not under embargo"):
        workflow.article_lift_embargo(article=lifted, user=editor)
