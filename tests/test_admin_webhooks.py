"""Webhook endpoints and their delivery log in the admin: admins only, secrets masked,
private addresses refused, and "Send again"."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from articles.models import WebhookDelivery, WebhookEndpoint

from .workflow_helpers import user_in

pytestmark = pytest.mark.django_db
ADD = "admin:articles_webhookendpoint_add"


@pytest.fixture
def admin_client(client, admin_user, settings):
    settings.NEWSROOM_WEBHOOK_ALLOWED_ADDRESSES = ("127.0.0.1",)
    client.force_login(admin_user)
    return client


def endpoint_data(**overrides):
    data = {"url": "http://127.0.0.1:8765/hook", "description": "Valley Radio's app",
            "events": ["published", "corrected"], "secret": "", "is_active": "on"}
    data.update(overrides)
    return data


def test_a_new_endpoint_without_a_secret_gets_one_shown_once(admin_client):
    response = admin_client.post(reverse(ADD), endpoint_data(), follow=True)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["published", "corrected"]
    assert len(endpoint.secret) >= 40
    assert any(endpoint.secret in str(m) for m in get_messages(response.wsgi_request))
    page = admin_client.get(reverse("admin:articles_webhookendpoint_change",
                                    args=[endpoint.pk])).text
    assert endpoint.secret not in page
    assert endpoint.masked_secret in page


def test_a_blank_secret_keeps_the_old_one_and_a_typed_one_replaces_it(admin_client):
    endpoint = WebhookEndpoint.objects.create(url="http://127.0.0.1:8765/hook",
                                              events=["published"], secret="first-secret-1234")
    change = reverse("admin:articles_webhookendpoint_change", args=[endpoint.pk])
    assert admin_client.post(change, endpoint_data()).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret == "first-secret-1234"
    admin_client.post(change, endpoint_data(secret="second-secret-5678"))
    endpoint.refresh_from_db()
    assert endpoint.secret == "second-secret-5678"


@pytest.mark.parametrize("url, error", [
    ("http://10.0.0.5/hook", "not a public internet address"),
    ("http://169.254.169.254/latest/meta-data/", "not a public internet address"),
    ("http://[::1]:9000/hook", "not a public internet address"),
    ("http://192.168.1.20/hook", "not a public internet address"),
    ("ftp://files.example/hook", "Give an http or https address"),
    ("http://user:pw@127.0.0.1/hook", "Leave the user name and password out"),
])
def test_private_and_odd_addresses_are_refused_keeping_what_was_typed(admin_client, url, error):
    response = admin_client.post(reverse(ADD), endpoint_data(url=url))
    assert response.status_code == 200
    assert error in response.text
    assert "Valley Radio&#x27;s app" in response.text
    assert not WebhookEndpoint.objects.exists()


def test_loopback_is_refused_without_the_tests_own_setting(admin_client, settings):
    settings.NEWSROOM_WEBHOOK_ALLOWED_ADDRESSES = ()
    response = admin_client.post(reverse(ADD), endpoint_data())
    assert "127.0.0.1 resolves to 127.0.0.1, which is not a public" in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", ["staff", "reporter", "editor"])
def test_only_admins_see_or_change_webhooks_even_by_raw_posts(client, role, settings):
    settings.NEWSROOM_WEBHOOK_ALLOWED_ADDRESSES = ("127.0.0.1",)
    group = {"staff": None, "reporter": "Reporter", "editor": "Editor"}[role]
    client.force_login(user_in(group, f"someone-{role}"))
    endpoint = WebhookEndpoint.objects.create(url="http://127.0.0.1:8765/hook",
                                              events=["published"], secret="kept-secret-1234")
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="published", body="{}",
                                              status="failed")
    for name, args in [("webhookendpoint_changelist", []), ("webhookendpoint_add", []),
                       ("webhookendpoint_change", [endpoint.pk]),
                       ("webhookdelivery_changelist", []),
                       ("webhookdelivery_change", [delivery.pk])]:
        assert client.get(reverse(f"admin:articles_{name}", args=args)).status_code == 403
    assert client.post(reverse(ADD), endpoint_data()).status_code == 403
    client.post(reverse("admin:articles_webhookendpoint_change", args=[endpoint.pk]),
                endpoint_data(url="http://127.0.0.1:9999/stolen", secret="mine"))
    client.post(reverse("admin:articles_webhookdelivery_changelist"),
                {"action": "send_again_action", "_selected_action": [delivery.pk]})
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert (endpoint.url, endpoint.secret) == ("http://127.0.0.1:8765/hook", "kept-secret-1234")
    assert WebhookEndpoint.objects.count() == 1
    assert delivery.status == "failed"
    index = client.get(reverse("admin:index"))
    assert "Webhook" not in index.text


def test_the_delivery_log_shows_each_try_and_send_again_queues_a_new_one(admin_client):
    endpoint = WebhookEndpoint.objects.create(url="http://127.0.0.1:8765/hook",
                                              events=["published"])
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="published",
                                              body='{"event":"published"}', status="failed",
                                              attempts=9, last_response_code=502)
    delivery.attempt_log.create(response_code=502, error="", response_excerpt="Bad gateway")
    log = admin_client.get(reverse("admin:articles_webhookdelivery_changelist")).text
    assert "Failed (gave up)" in log and "502" in log
    detail = admin_client.get(reverse("admin:articles_webhookdelivery_change",
                                      args=[delivery.pk])).text
    assert "Bad gateway" in detail and "{&quot;event&quot;:&quot;published&quot;}" in detail
    response = admin_client.post(reverse("admin:articles_webhookdelivery_changelist"),
                                 {"action": "send_again_action",
                                  "_selected_action": [delivery.pk]}, follow=True)
    assert "1 delivery queued" in response.text
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.first_attempt_at is None
