"""Two gunicorn servers sharing PostgreSQL and Redis behave as one site: a story published
through one is on the other's pages at once, though both cache whole pages."""

import http.cookiejar
import re
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from .factories import ArticleFactory, BylineFactory, SectionFactory, UserFactory
from .servers import Gunicorn, database_url_of

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/9"
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def servers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two servers share a database server: this runs in the PostgreSQL pass")
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=True,
                   stdout=subprocess.DEVNULL)
    env = {"DATABASE_URL": database_url_of(connection), "REDIS_URL": REDIS_URL,
           "NEWSROOM_PAGE_CACHE": "true", "MEDIA_ROOT": str(tmp_path / "media")}
    try:
        with Gunicorn(env) as one, Gunicorn(env) as two:
            yield [one.url, two.url]
    finally:
        subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=False,
                       stdout=subprocess.DEVNULL)


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode(), response.headers.get("X-Newsroom-Cache")


class AdminSession:
    """A logged-in editor's browser, reduced to cookies and forms."""

    def __init__(self, base, username):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.post("/admin/login/", {"username": username, "password": PASSWORD,
                                    "next": "/admin/"})

    def post(self, path, data):
        page = self.opener.open(self.base + path).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(self.base + path, data=body.encode(),
                                         headers={"Referer": self.base + path})
        return self.opener.open(request).read().decode()


def test_a_publish_through_either_server_shows_on_both_at_once(servers, publication,
                                                              settings):
    one, two = servers
    # The servers check passwords with the project's own hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    UserFactory(username="ruth", is_superuser=True)
    section = SectionFactory(publication=publication)
    ArticleFactory(publication=publication, section=section, published=True,
                   headline="Harbor dredging begins")
    story = ArticleFactory(publication=publication, section=section,
                           headline="Pilots ratify the harbor contract",
                           summary="The harbor pilots voted 41-3.")
    BylineFactory(article=story)

    for base in (one, two):  # both servers have the front page in the shared cache
        fetch(base + "/")
        html, state = fetch(base + "/")
        assert state == "hit"
        assert "Pilots ratify" not in html

    answer = AdminSession(one, "ruth").post("/admin/articles/article/", {
        "action": "publish_selected", "_selected_action": [story.pk], "index": 0})
    assert "Published" in answer  # the admin's message about the story

    for base in (two, one):
        html, state = fetch(base + "/")
        assert "Pilots ratify the harbor contract" in html, base
        assert state == "miss"

    AdminSession(two, "ruth").post("/admin/articles/article/", {
        "action": "unpublish_selected", "_selected_action": [story.pk], "index": 0})
    for base in (one, two):
        assert "Pilots ratify" not in fetch(base + "/")[0], base
