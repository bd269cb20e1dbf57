"""Going live needs no job, but its side effects run from run_publication_events, exactly
once per go-live, even with two runners at the same moment."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles.caching import keys
from articles.editorial import signals, workflow
from articles.editorial.publication_events import run_due_events
from articles.models import Article, PublicationEvent

from .workflow_helpers import ready_article, user_in

Status = Article.Status


@pytest.fixture
def went_live():
    calls = []
    lock = threading.Lock()

    def handler(sender, article, **kwargs):
        time.sleep(0.05)  # widen the window in which a second runner could interfere
        with lock:
            calls.append(article.pk)

    signals.article_went_live.connect(handler, weak=False)
    yield calls
    signals.article_went_live.disconnect(handler)


@pytest.mark.django_db
def test_a_scheduled_story_goes_live_by_itself_and_its_event_runs_once(
        publication, reporter, editor, went_live, django_capture_on_commit_callbacks):
    article = ready_article(publication, created_by=reporter, status=Status.IN_REVIEW)
    when = timezone.now() + timedelta(hours=1)
    workflow.article_schedule(article=article, user=editor, publish_at=when)

    assert run_due_events() == []  # not due yet
    assert not Article.objects.published().exists()
    # An hour later the story is public with no job having run…
    assert Article.objects.published(at=when).get() == article
    # …and the runner handles its side effects once, however often it runs.
    later = when + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = run_due_events(now=later)
        second = run_due_events(now=later + timedelta(minutes=1))
    assert [e.outcome for e in first] == ["done"]
    assert second == []
    assert went_live == [article.pk]
    assert mail.outbox[-1].subject == f"Now live: {article.headline}"


@pytest.mark.django_db
def test_the_command_runs_due_events_once_and_emails_the_reporter(
        publication, reporter, editor, went_live, django_capture_on_commit_callbacks):
    article = ready_article(publication, created_by=reporter, status=Status.IN_REVIEW)
    workflow.article_publish(article=article, user=editor)
    cache.set(keys.generation(keys.article(article.pk)), 7)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_publication_events")
        call_command("run_publication_events")
    assert went_live == [article.pk]
    event = PublicationEvent.objects.get()
    assert event.outcome == "done" and event.processed_at
    assert [m.to for m in mail.outbox] == [["dana@herald.example"]]
    assert mail.outbox[0].subject == f"Now live: {article.headline}"
    # Going live refreshed every cached page that shows the story.
    assert cache.get(keys.generation(keys.article(article.pk))) > 7


@pytest.mark.django_db
def test_an_event_for_a_story_unpublished_since_is_skipped(publication, editor, went_live):
    article = ready_article(publication, status=Status.IN_REVIEW)
    workflow.article_publish(article=article, user=editor)
    Article.objects.filter(pk=article.pk).update(status=Status.UNPUBLISHED)
    assert [e.outcome for e in run_due_events()] == ["skipped"]
    assert went_live == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runners_at_once_handle_each_go_live_exactly_once(publication, went_live):
    # (Checked here, not in a skipif: touching the connection while tests are being
    # collected stops pytest-django from serializing the database for rollbacks.)
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes writers anyway")
    editor = user_in("Editor", "ruth")
    articles = [ready_article(publication, status=Status.IN_REVIEW) for _ in range(6)]
    for article in articles:
        workflow.article_publish(article=article, user=editor)
    start = threading.Barrier(2)
    errors = []

    def runner():
        try:
            start.wait()
            run_due_events(batch_size=2)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(went_live) == sorted(a.pk for a in articles)
    assert PublicationEvent.objects.filter(outcome="done").count() == 6
