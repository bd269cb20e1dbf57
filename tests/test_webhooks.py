"""Webhooks: the right events become deliveries in the change's own transaction; the worker
sends them signed to real receivers on 127.0.0.1 (which check the signature with the
function docs/api.md gives partners), retries with backoff for a day, refuses private
addresses, and sends each delivery once even with two workers."""

import json
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from articles.editorial import workflow
from articles.editorial.publication_events import run_due_events
from articles.editorial.revisions import record_revision
from articles.models import (
    Article,
    Correction,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from articles.webhooks import deliveries, sending
from articles.webhooks.deliveries import run_due_deliveries, send_again
from articles.webhooks.signing import signature_header

from .test_permission_matrix import change_data
from .webhook_receivers import Receiver, documented_verifier
from .workflow_helpers import ready_article, user_in

Status = Article.Status
ALL_EVENTS = list(WebhookEvent.values)


@pytest.fixture
def allow_loopback(settings):
    """The one exception tests make: receivers they start on 127.0.0.1."""
    settings.NEWSROOM_WEBHOOK_ALLOWED_ADDRESSES = ("127.0.0.1",)


def endpoint_for(receiver, path="/hook", *, events=ALL_EVENTS, secret=None, **kwargs):
    endpoint = WebhookEndpoint.objects.create(
        url=receiver.url(path) if receiver else path, events=events,
        secret=secret or f"whsec-{path.strip('/')}-0123456789abcdef", **kwargs,
    )
    if receiver:
        receiver.secrets[path] = endpoint.secret
    return endpoint


def published_story(publication, editor, **kwargs):
    article = ready_article(publication, status=Status.IN_REVIEW, **kwargs)
    workflow.article_publish(article=article, user=editor)
    run_due_events()  # the go-live moment, which records "published"
    return Article.objects.get(pk=article.pk)


def events_queued():
    return sorted(WebhookDelivery.objects.values_list("event", "endpoint__url"))


# --- Which changes become deliveries ------------------------------------------------------


@pytest.mark.django_db
def test_a_story_going_live_queues_published_for_each_endpoint_that_asked(publication, editor):
    wants = endpoint_for(None, "https://radio.example/hook")
    endpoint_for(None, "https://app.example/hook", events=["corrected"])
    endpoint_for(None, "https://old.example/hook", is_active=False)
    article = ready_article(publication, status=Status.IN_REVIEW)
    workflow.article_publish(article=article, user=editor)
    assert not WebhookDelivery.objects.exists()  # announced when it goes live, by the worker
    run_due_events()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.event, delivery.article) == (wants, "published", article)
    assert delivery.status == WebhookDelivery.Status.PENDING


@pytest.mark.django_db
def test_a_scheduled_story_is_announced_when_it_goes_live_not_when_approved(publication, editor):
    endpoint_for(None, "https://radio.example/hook")
    article = ready_article(publication, status=Status.IN_REVIEW)
    when = timezone.now() + timedelta(hours=2)
    workflow.article_schedule(article=article, user=editor, publish_at=when)
    run_due_events()
    assert not WebhookDelivery.objects.exists()
    run_due_events(now=when + timedelta(seconds=1))
    assert events_queued() == [("published", "https://radio.example/hook")]


@pytest.mark.django_db
def test_a_change_that_rolls_back_queues_nothing(publication, editor):
    endpoint_for(None, "https://radio.example/hook")
    article = published_story(publication, editor)
    WebhookDelivery.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.article_add_correction(article=article, user=editor, kind="correction",
                                        text="The ferry leaves at six, not seven.")
        assert WebhookDelivery.objects.count() == 1  # in the change's own transaction
        raise RuntimeError("the request failed after the correction")
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_editing_the_text_of_a_live_story_queues_updated(client, publication, editor):
    endpoint_for(None, "https://radio.example/hook")
    article = published_story(publication, editor)
    WebhookDelivery.objects.all().delete()
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]),
                           change_data(article, headline="Ferry council adds two sailings"))
    assert response.status_code == 302
    # An edit to a live story waits as pending changes: partners hear of it when readers do.
    assert not WebhookDelivery.objects.exists()
    workflow.article_publish_changes(article=Article.objects.get(pk=article.pk), user=editor)
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "updated"
    assert json.loads(delivery.body)["story"]["headline"] == "Ferry council adds two sailings"


@pytest.mark.django_db
def test_featuring_a_live_story_or_editing_a_draft_is_no_update(publication, editor):
    endpoint_for(None, "https://radio.example/hook")
    live = published_story(publication, editor)
    WebhookDelivery.objects.all().delete()
    workflow.article_set_featured(article=live, user=editor, featured=True)
    draft = ready_article(publication)
    record_revision(draft, comment="Created")
    draft.headline = "A draft nobody outside has seen"
    draft.save()
    record_revision(draft, comment="Edited")
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_a_correction_is_corrected_with_its_text_and_not_also_updated(publication, editor):
    endpoint_for(None, "https://radio.example/hook")
    article = published_story(publication, editor)
    WebhookDelivery.objects.all().delete()
    workflow.article_add_correction(article=article, user=editor,
                                    kind=Correction.Kind.CORRECTION,
                                    text="The ferry leaves at six, not seven.")
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "corrected"
    body = json.loads(delivery.body)
    assert body["correction"]["text"] == "The ferry leaves at six, not seven."
    assert body["story"]["updated_at"] is not None


@pytest.mark.django_db
def test_unpublishing_a_live_story_is_announced_but_pulling_a_scheduled_one_is_not(
        publication, editor):
    endpoint_for(None, "https://radio.example/hook")
    live = published_story(publication, editor)
    scheduled = ready_article(publication, status=Status.IN_REVIEW)
    workflow.article_schedule(article=scheduled, user=editor,
                              publish_at=timezone.now() + timedelta(days=1))
    WebhookDelivery.objects.all().delete()
    workflow.article_unpublish(article=scheduled, user=editor)
    assert not WebhookDelivery.objects.exists()
    workflow.article_unpublish(article=live, user=editor)
    assert [(d.event, d.article_id) for d in WebhookDelivery.objects.all()] == [
        ("unpublished", live.pk)]


@pytest.mark.django_db
def test_the_body_names_the_story_its_address_mastheads_times_and_api_record(
        publication, editor):
    publication.domain = "harborherald.example"
    publication.save()
    endpoint_for(None, "https://radio.example/hook")
    article = published_story(publication, editor)
    body = json.loads(WebhookDelivery.objects.get().body)
    address = f"https://harborherald.example{article.get_absolute_url()}"
    assert body["event"] == "published"
    assert body["id"] == str(WebhookDelivery.objects.get().event_id)
    assert body["story"] == {
        "id": article.pk, "headline": article.headline, "url": address,
        "mastheads": [{"slug": publication.slug, "name": publication.name, "url": address}],
        "published_at": article.first_published_at.isoformat().replace("+00:00", "Z"),
        "updated_at": None,
        "api_url": f"https://harborherald.example/api/v1/stories/{article.pk}/",
    }


@pytest.mark.django_db
def test_a_sister_masthead_running_the_story_is_an_update_listing_both_mastheads(
        publication, other_publication):
    from .factories import SectionFactory

    publication.domain = "harborherald.example"
    publication.save()
    editor = user_in("Editor", "ruth")  # on both desks
    endpoint_for(None, "https://radio.example/hook")
    article = published_story(publication, editor)
    WebhookDelivery.objects.all().delete()
    workflow.article_run_on(article=article, user=editor, publication=other_publication,
                            section=SectionFactory(publication=other_publication))
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "updated"
    story = json.loads(delivery.body)["story"]
    path = article.get_absolute_url()
    assert story["url"] == f"https://harborherald.example{path}"
    assert story["mastheads"] == [
        {"slug": publication.slug, "name": publication.name,
         "url": f"https://harborherald.example{path}"},
        {"slug": "valley-ledger", "name": "The Valley Ledger",
         "url": f"https://valley.example{path}"},
    ]
    WebhookDelivery.objects.all().delete()
    # How the sister shows it (its own headline there) is no update of the story.
    workflow.article_change_run(article=article, user=editor, publication=other_publication,
                                section=article.runs.sisters().get().section,
                                headline="Ferry sailings added, says harbor council")
    assert not WebhookDelivery.objects.exists()
    workflow.article_drop_run(article=article, user=editor, publication=other_publication)
    assert [len(json.loads(d.body)["story"]["mastheads"])
            for d in WebhookDelivery.objects.all()] == [1]


# --- Signing ---------------------------------------------------------------------------------


def test_the_documented_check_accepts_our_signature_and_nothing_else():
    verify = documented_verifier()
    body = b'{"id":"1","event":"published"}'
    now = time.time()
    header = signature_header("s3cret", body, timestamp=now)
    assert verify("s3cret", body, header, now=now)
    assert not verify("another secret", body, header, now=now)
    assert not verify("s3cret", body.replace(b"published", b"unpublished"), header, now=now)
    assert not verify("s3cret", body, header, now=now + 5 * 60 + 1)  # a replay, too late
    assert verify("s3cret", body, header, now=now + 5 * 60 - 1)
    assert not verify("s3cret", body, "t=abc,v1=00", now=now)
    assert not verify("s3cret", body, "", now=now)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivery_arrives_signed_and_the_partner_can_verify_it(
        publication, allow_loopback):
    editor = user_in("Editor", "ruth")
    with Receiver() as receiver:
        endpoint_for(receiver, "/radio")
        endpoint_for(receiver, "/app", events=["published"])
        article = published_story(publication, editor)
        attempts = run_due_deliveries()
    assert [a.response_code for a in attempts] == [200, 200]
    assert sorted(r["path"] for r in receiver.received) == ["/app", "/radio"]
    assert all(r["verified"] for r in receiver.received)
    bodies = [json.loads(r["body"]) for r in receiver.received]
    assert {b["story"]["id"] for b in bodies} == {article.pk}
    assert bodies[0]["id"] == bodies[1]["id"]  # one event, the same id for each endpoint
    request = receiver.received[0]
    assert request["headers"]["X-Newsroom-Event"] == "published"
    assert request["headers"]["X-Newsroom-Delivery"] == bodies[0]["id"]
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert run_due_deliveries() == []  # nothing sent twice


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_command_sends_what_is_due(publication, allow_loopback):
    editor = user_in("Editor", "ruth")
    with Receiver() as receiver:
        endpoint_for(receiver, "/radio")
        article = ready_article(publication, status=Status.IN_REVIEW)
        workflow.article_publish(article=article, user=editor)
        call_command("run_publication_events")
    assert [json.loads(r["body"])["event"] for r in receiver.received] == ["published"]
    assert receiver.received[0]["verified"]


# --- Retries ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failed_delivery_is_retried_with_backoff_until_it_succeeds(
        publication, allow_loopback):
    editor = user_in("Editor", "ruth")
    with Receiver(statuses=[500, 503, 200]) as receiver:
        endpoint_for(receiver, "/radio")
        published_story(publication, editor)
        first = run_due_deliveries()
        delivery = WebhookDelivery.objects.get()
        assert [a.response_code for a in first] == [500]
        assert delivery.status == "pending" and delivery.last_response_code == 500
        assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=30)
        assert run_due_deliveries() == []  # not due again yet
        second = run_due_deliveries(now=delivery.next_attempt_at)
        delivery.refresh_from_db()
        assert [a.response_code for a in second] == [503]
        assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=60)
        third = run_due_deliveries(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert [a.response_code for a in third] == [200]
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        "delivered", 3, 200)
    log = list(delivery.attempt_log.order_by("at").values_list("response_code", "ok"))
    assert log == [(500, False), (503, False), (200, True)]
    # Every try carried the same body, each signed anew.
    assert len({r["body"] for r in receiver.received}) == 1
    assert all(r["verified"] for r in receiver.received)


def test_the_backoff_doubles_and_is_capped():
    waits = [deliveries.retry_delay(n) for n in range(1, 12)]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(waits) == timedelta(hours=2)
    assert waits == sorted(waits)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retries_stop_a_day_after_the_first_try(publication, allow_loopback):
    editor = user_in("Editor", "ruth")
    with Receiver(statuses=[500]) as receiver:
        endpoint_for(receiver, "/radio")
        published_story(publication, editor)
        run_due_deliveries()
        delivery = WebhookDelivery.objects.get()
        # Nearly a day of failed tries later…
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            first_attempt_at=timezone.now() - timedelta(hours=23, minutes=59), attempts=20)
        run_due_deliveries(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert run_due_deliveries(now=timezone.now() + timedelta(days=2)) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_again_makes_a_new_attempt_of_a_failed_delivery(publication, allow_loopback):
    editor = user_in("Editor", "ruth")
    with Receiver(statuses=[500, 200]) as receiver:
        endpoint_for(receiver, "/radio")
        published_story(publication, editor)
        run_due_deliveries()
        WebhookDelivery.objects.update(status="failed")
        assert send_again(WebhookDelivery.objects.all()) == 1
        run_due_deliveries()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert WebhookAttempt.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_redirect_is_a_failed_try_and_is_not_followed(publication, allow_loopback):
    editor = user_in("Editor", "ruth")
    with Receiver(statuses=[302], headers={"Location": "http://169.254.169.254/"}) as receiver:
        endpoint_for(receiver, "/radio")
        published_story(publication, editor)
        run_due_deliveries()
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_response_code) == ("pending", 302)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_receiver_that_answers_byte_by_byte_cannot_hold_the_worker(
        publication, allow_loopback, monkeypatch):
    monkeypatch.setattr(sending, "DEADLINE", 1)
    editor = user_in("Editor", "ruth")
    with Receiver(drip_seconds=0.2) as receiver:
        endpoint_for(receiver, "/slow")
        published_story(publication, editor)
        started = time.monotonic()
        [attempt] = run_due_deliveries()
        took = time.monotonic() - started
    # Each byte came well within the 5-second read timeout; the deadline cut it anyway.
    assert took < 3
    assert attempt.error == "no answer within 1 seconds" and attempt.response_code is None
    assert WebhookDelivery.objects.get().status == "pending"


# --- Addresses -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_loopback_is_refused_unless_the_setting_allows_it(publication, monkeypatch):
    editor = user_in("Editor", "ruth")
    with Receiver() as receiver:
        endpoint_for(receiver, "/radio")
        published_story(publication, editor)
        [attempt] = run_due_deliveries()
    assert receiver.received == []
    assert attempt.error.startswith("refused: 127.0.0.1 resolves to 127.0.0.1")
    assert WebhookDelivery.objects.get().status == "pending"  # DNS may change: tried again


@pytest.mark.django_db
def test_a_host_that_resolves_to_a_private_address_is_refused_before_connecting(
        publication, editor, monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in ("93.184.215.14", "10.0.0.7")]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("connected"))
    endpoint_for(None, "https://partner.example/hook")
    published_story(publication, editor)
    [attempt] = run_due_deliveries()
    assert "resolves to 10.0.0.7, which is not a public internet address" in attempt.error


# --- Exactly once with two workers -----------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_each_delivery_exactly_once(publication, allow_loopback):
    # (Checked here, not in a skipif: see test_publication_events.)
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes writers anyway")
    editor = user_in("Editor", "ruth")
    with Receiver() as receiver:
        endpoint_for(receiver, "/radio")
        endpoint_for(receiver, "/app")
        for _ in range(6):
            published_story(publication, editor)
        assert WebhookDelivery.objects.count() == 12
        start = threading.Barrier(2)
        errors, sent = [], []

        def worker():
            try:
                start.wait()
                sent.append(len(run_due_deliveries()))
            except Exception as error:  # surfaced below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert sum(sent) == 12
    seen = [(r["path"], json.loads(r["body"])["id"]) for r in receiver.received]
    assert len(seen) == len(set(seen)) == 12
    assert WebhookAttempt.objects.count() == 12
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
