"""When a part fails, the site says so and keeps what it can: tested with the part really
out of reach (a closed port, connections dropped by a relay the test cuts), through gunicorn."""

import urllib.parse

import pytest
from django.db import connection

from .factories import ArticleFactory
from .servers import Gunicorn, Redis, TcpProxy, free_port

CSRF = "a" * 32
SESSION = "s" * 32  # a well-formed session key: looking it up needs the database


def unreachable_database_env(tmp_path):
    # Nothing listens on this port: every connection attempt is refused at once.
    return {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/newsroom",
            "MEDIA_ROOT": str(tmp_path / "media")}


def test_a_reader_page_that_needs_the_database_answers_503_with_retry_after(tmp_path):
    with Gunicorn(unreachable_database_env(tmp_path)) as server:
        status, headers, body = server.get("/")
    assert status == 503
    assert int(headers["Retry-After"]) > 0
    assert "no-store" in headers["Cache-Control"]
    assert b"back in a moment" in body
    assert b"Something went wrong" not in body


def test_an_editor_whose_save_failed_is_told_nothing_was_saved_in_the_admin(tmp_path):
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF, "headline": "Ferry fares"})
    with Gunicorn(unreachable_database_env(tmp_path)) as server:
        status, headers, body = server.get(
            "/admin/articles/article/1/change/", data=form.encode(),
            headers={"Cookie": f"csrftoken={CSRF}; sessionid={SESSION}",
                     "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 503
    assert "Retry-After" in headers
    page = body.decode()
    assert "Nothing was saved" in page
    assert "send it again" in page
    assert "/static/admin/css/base" in page  # the admin's own look, not the readers' page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cached_pages_survive_dropped_database_connections_and_the_site_recovers(
        tmp_path, publication):
    if connection.vendor != "postgresql":
        pytest.skip("the relay stands between gunicorn and PostgreSQL: PostgreSQL pass only")
    article = ArticleFactory(publication=publication, published=True,
                             headline="Tide gauge rebuilt")
    path = article.get_absolute_url()
    s = connection.settings_dict
    with Redis() as redis, TcpProxy(int(s["PORT"])) as relay:
        env = {"DATABASE_URL": f"postgres://{s['USER']}@127.0.0.1:{relay.port}/{s['NAME']}",
               "DATABASE_CONN_MAX_AGE": "60", "REDIS_URL": redis.url,
               "MEDIA_ROOT": str(tmp_path / "media")}
        with Gunicorn(env) as server:
            assert server.get(path)[0] == 200  # built and cached
            relay.cut()
            status, headers, body = server.get(path)
            assert status == 200 and b"Tide gauge rebuilt" in body
            assert headers["X-Newsroom-Cache"] == "hit"
            status, headers, _ = server.get("/search/?q=tide")
            assert status == 503 and "Retry-After" in headers
            relay.restore()
            assert server.get("/search/?q=tide")[0] == 200
