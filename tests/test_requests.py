"""A request checks its host against ALLOWED_HOSTS as Django does, and a host that passed
is not checked again in the same process (newsroom/requests.py); one that failed is refused
every time, and a change of the settings the check reads forgets every host."""

import http.client

import pytest
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.test import RequestFactory, override_settings

from newsroom import requests
from newsroom.requests import REMEMBERED_HOSTS, Request

from .servers import Gunicorn, Redis, database_url_of


@pytest.fixture(autouse=True)
def nothing_remembered():
    requests._passed.clear()
    yield
    requests._passed.clear()


def request_for(host, **extra):
    return Request(RequestFactory().get("/", HTTP_HOST=host, **extra).environ)


@override_settings(ALLOWED_HOSTS=["news.example", ".herald.example"])
def test_an_allowed_host_is_the_host_and_is_remembered():
    assert request_for("news.example").get_host() == "news.example"
    assert request_for("news.example:8000").get_host() == "news.example:8000"
    assert requests._passed == {"news.example", "news.example:8000"}
    assert request_for("news.example").get_host() == "news.example"


@override_settings(ALLOWED_HOSTS=["news.example"])
def test_a_host_not_allowed_is_refused_every_time_and_never_remembered():
    request_for("news.example").get_host()
    for _ in range(3):
        with pytest.raises(DisallowedHost):
            request_for("evil.example").get_host()
    with pytest.raises(DisallowedHost):
        request_for("news.example.evil.example").get_host()
    assert requests._passed == {"news.example"}


def test_a_host_remembered_is_refused_once_the_allowed_hosts_change():
    with override_settings(ALLOWED_HOSTS=["news.example", "old.example"]):
        assert request_for("old.example").get_host() == "old.example"
    with override_settings(ALLOWED_HOSTS=["news.example"]), pytest.raises(DisallowedHost):
        request_for("old.example").get_host()


@override_settings(ALLOWED_HOSTS=["proxy.example", "news.example"])
def test_a_forwarded_host_counts_only_where_the_proxy_is_trusted():
    assert request_for("proxy.example").get_host() == "proxy.example"
    forwarded = {"HTTP_X_FORWARDED_HOST": "evil.example"}
    # Untrusted, the header is ignored: the Host header is the host, remembered or not.
    assert request_for("proxy.example", **forwarded).get_host() == "proxy.example"
    with override_settings(USE_X_FORWARDED_HOST=True):
        with pytest.raises(DisallowedHost):
            request_for("proxy.example", **forwarded).get_host()
        assert request_for("proxy.example",
                           HTTP_X_FORWARDED_HOST="news.example").get_host() == "news.example"


@override_settings(ALLOWED_HOSTS=[".herald.example"])
def test_with_a_wildcard_the_hosts_remembered_stay_bounded_and_every_host_is_still_checked():
    for n in range(REMEMBERED_HOSTS + 20):
        assert request_for(f"edition{n}.herald.example").get_host() == (
            f"edition{n}.herald.example")
    assert len(requests._passed) == REMEMBERED_HOSTS
    assert request_for(f"edition{REMEMBERED_HOSTS + 5}.herald.example").get_host()
    with pytest.raises(DisallowedHost):
        request_for("herald.example.evil.example").get_host()


def test_the_served_application_makes_these_requests():
    from newsroom.wsgi import application

    assert application.application.request_class is Request


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("page_cache", ["true", "false"])
def test_through_gunicorn_a_host_not_allowed_is_a_400_before_and_after_allowed_ones(
        page_cache, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn shares the test database: this runs in the PostgreSQL pass")
    with Redis() as redis, Gunicorn({
            "DATABASE_URL": database_url_of(connection), "REDIS_URL": redis.url,
            "NEWSROOM_PAGE_CACHE": page_cache, "ALLOWED_HOSTS": "news.example",
            "MEDIA_ROOT": str(tmp_path / "media")}) as server:

        def status(host):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
            try:
                conn.request("GET", "/robots.txt", headers={"Host": host})
                response = conn.getresponse()
                response.read()
                return response.status
            finally:
                conn.close()

        assert [status(host) for host in ["evil.example", "news.example", "news.example",
                                          "evil.example", "news.example.evil.example",
                                          "news.example"]] == [400, 200, 200, 400, 400, 200]
