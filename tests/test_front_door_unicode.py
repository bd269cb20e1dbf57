"""Addresses outside ASCII through a real gunicorn, with the page cache on and off.

Django's test client hands Django a decoded path; a WSGI server hands it the raw request
line's bytes, as Latin-1 text. The page cache's front door reads the request before Django
does, and once decoded the path a second time (Arabic and emoji answered 500, an accented
tag 404). These requests go over a socket as a browser sends them: percent-encoded UTF-8,
and raw UTF-8 bytes as some broken clients send them.
"""

import http.client
import socket

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article

from .factories import ArticleFactory, BylineFactory, SectionFactory
from .servers import Gunicorn, Redis, database_url_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARABIC_TAG = "ميناء"  # "port"
ACCENTED_TAG = "Gestión"


@pytest.fixture(scope="module")
def redis():
    with Redis() as server:
        yield server


@pytest.fixture(params=["cache on", "cache off"])
def server(request, redis, publication, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn shares the test database: this runs in the PostgreSQL pass")
    section = SectionFactory(publication=publication, name="Harbor", slug="harbor")
    story = ArticleFactory(publication=publication, section=section,
                           status=Article.Status.PUBLISHED, headline="ميناء الصيد يفتح",
                           publish_at=timezone.now() - timezone.timedelta(hours=1))
    story.tags.add(ARABIC_TAG, ACCENTED_TAG)
    BylineFactory(article=story)
    env = {"DATABASE_URL": database_url_of(connection), "REDIS_URL": redis.url,
           "NEWSROOM_PAGE_CACHE": "true" if request.param == "cache on" else "false",
           "MEDIA_ROOT": str(tmp_path / "media")}
    with Gunicorn(env) as gunicorn:
        gunicorn.story = story
        yield gunicorn


def get(server, target, cookie=None):
    """GET ``target`` (a str of ASCII, sent as it is) and return (status, cache state)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    try:
        conn.request("GET", target, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("X-Newsroom-Cache")
    finally:
        conn.close()


def get_raw(server, target_bytes):
    """GET with the request line's bytes exactly as given (raw UTF-8, say)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(b"GET " + target_bytes + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


def quoted(text):
    from urllib.parse import quote

    return quote(text, safe="/")


PAGES = [  # (target, status): each asked twice, so a cached copy is served too
    (f"/tag/{quoted(ARABIC_TAG)}/", 200),
    (f"/tag/{quoted(ACCENTED_TAG.lower())}/", 200),
    (f"/tag/{quoted(ACCENTED_TAG.lower())}/feed/", 200),
    (f"/search/?q={quoted(ARABIC_TAG)}", 200),
    (f"/stories/?q={quoted(ACCENTED_TAG)}", 200),
    ("/?from=%F0%9F%8C%8A", 200),  # an emoji in the query string
    ("/%E2%98%83/", 404),  # a snowman: no such page
    ("/tag/%E2%98%83/", 404),
    ("/tag/gesti%F3n/", 404),  # Latin-1, not UTF-8: no such tag, and no error
    ("/tag/%FF%FE/", 404),
]


@pytest.mark.parametrize(("target", "status"), PAGES)
def test_non_ascii_addresses_answer_as_the_test_client_says(server, target, status):
    for attempt in ("first", "again"):
        assert get(server, target)[0] == status, (target, attempt)
    # With a session (an editor), the front door steps aside: Django answers alike.
    assert get(server, target, cookie="sessionid=not-a-session")[0] == status


def test_the_second_reader_gets_the_cached_copy(server):
    target = f"/tag/{quoted(ARABIC_TAG)}/"
    get(server, target)
    state = get(server, target)[1]
    cache_on = server.env["NEWSROOM_PAGE_CACHE"] == "true"
    assert state == ("hit" if cache_on else None)


def test_the_story_at_its_arabic_address(server):
    from urllib.parse import unquote

    path = server.story.get_absolute_url()  # percent-encoded, as in every link
    assert get(server, path)[0] == 200
    assert get(server, path)[0] == 200
    # Raw UTF-8 in the request line is not HTTP (browsers percent-encode); gunicorn refuses
    # it with 400 itself. Whoever answers, it is never a server error.
    for raw in (unquote(path), f"/tag/{ARABIC_TAG}/", "/☃/"):
        assert get_raw(server, raw.encode()) in (200, 400, 404), raw
