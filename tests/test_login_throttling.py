"""Login throttling (django-axes, database handler): after NEWSROOM_LOGIN_FAILURE_LIMIT
wrong passwords for one account or from one address, the admin login refuses with a clear
page, even the right password, until the cool-off passes; admins see the lockouts."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from newsroom.client_ip import client_ip

from .factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery"


@pytest.fixture
def ruth(db):
    user = UserFactory(username="ruth", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password,
                               "next": "/admin/"}, REMOTE_ADDR=address)


def test_throttling_is_on_in_the_project_settings(settings):
    assert settings.AXES_ENABLED
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def test_an_account_is_locked_after_five_wrong_passwords_even_from_many_addresses(client,
                                                                                 ruth):
    for n in range(4):
        response = attempt(client, "ruth", "guess", address=f"198.51.100.{n}")
        assert response.status_code == 200  # the login form again, with its error
        assert "Please enter the correct username and password" in response.text
    response = attempt(client, "ruth", "guess", address="198.51.100.9")
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "15 minutes" in response.text
    # Locked means locked: the right password is refused too, from a new address.
    response = attempt(client, "ruth", PASSWORD, address="192.0.2.44")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_address_is_locked_after_five_wrong_passwords_for_any_accounts(client, ruth):
    for n in range(5):
        attempt(client, f"nobody{n}", "guess")
    response = attempt(client, "ruth", PASSWORD)
    assert response.status_code == 429
    # Another address may still log in to the account.
    other = Client()
    response = attempt(other, "ruth", PASSWORD, address="192.0.2.80")
    assert response.status_code == 302


def test_twenty_five_quick_guesses_get_no_further_than_five(client, ruth):
    answers = [attempt(client, "ruth", f"guess-{n}").status_code for n in range(25)]
    assert answers[:4] == [200] * 4
    assert set(answers[4:]) == {429}


def test_a_successful_login_clears_the_count(client, ruth):
    for _ in range(4):
        attempt(client, "ruth", "guess")
    assert attempt(client, "ruth", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "ruth", "guess").status_code == 200


def test_the_lock_lifts_after_the_cool_off(client, ruth):
    for _ in range(5):
        attempt(client, "ruth", "guess")
    assert attempt(client, "ruth", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get(
        ip_address="203.0.113.7", username="ruth").attempt_time - timedelta(minutes=16))
    assert attempt(client, "ruth", PASSWORD).status_code == 302


def test_admins_see_lockouts_in_the_admin(client, ruth):
    for _ in range(5):
        attempt(client, "ruth", "guess")
    admin = Client()
    admin.force_login(UserFactory(username="chief", is_superuser=True))
    page = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200
    assert "ruth" in page.text and "203.0.113.7" in page.text


@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (0, "6.6.6.6", "10.0.0.2"),  # no proxy: the header is the client's own writing
    (1, "6.6.6.6, 198.51.100.4", "198.51.100.4"),  # one proxy appended what it saw
    (2, "6.6.6.6, 198.51.100.4, 10.0.0.9", "198.51.100.4"),
    (1, "", "10.0.0.2"),
])
def test_the_client_address_skips_only_our_own_proxies(settings, count, forwarded, expected):
    settings.NEWSROOM_PROXY_COUNT = count
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="10.0.0.2",
                                    HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
