"""The shipped front (newsroom/deploy/nginx.conf, Debian's nginx) answering readers' pages
from the files the page cache writes, without reaching Python, and never stale: each kind
of change, made by an editor's process, is on every page fetched through nginx right
after it commits. (The rules one request at a time: tests/test_page_files.py.)"""

import http.client
import os
import signal
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from .served_site import DRAFT, LIVE, AdminSession, Editor, copy_site, make_site
from .servers import NGINX, Gunicorn, Redis, nginx_before

pytestmark = pytest.mark.slow

NEW = "Night ferry returns with a later sailing"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("site"))


class Front:
    """nginx before gunicorn, both on the site's page files, with its editor and Redis."""

    def __init__(self, site, port, app, editor, redis, files):
        self.site, self.port, self.app, self.editor = site, port, app, editor
        self.redis, self.files = redis, files

    def get(self, path, *, method="GET", headers=None, timeout=10):
        """(status, headers, body) of ``path`` (sent as it is) through nginx."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, headers={"Host": "localhost", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def page(self, path, **kwargs):
        status, headers, body = self.get(path, **kwargs)
        return status, headers.get("X-Newsroom-Cache"), body.decode()

    def warm(self, path):
        """Ask until nginx answers ``path`` from its file; the page as nginx sends it."""
        for _ in range(5):
            status, state, body = self.page(path, timeout=30)  # a worker may still start
            if state == "nginx":
                assert status == 200
                return body
        raise AssertionError(f"nginx never served {path} from a file (last: {state})")

    def change(self, code):
        self.editor.run(code.format(live=self.site.live, draft=self.site.draft))


@pytest.fixture
def front(site, tmp_path):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: .ci/run installs Debian's nginx")
    files = tmp_path / "page-files"
    static, media = tmp_path / "static", tmp_path / "media"
    static.mkdir()
    with Redis() as redis:
        env = copy_site(site, tmp_path / "site", redis_url=redis.url,
                        NEWSROOM_PAGE_FILES_DIR=str(files))
        with Gunicorn(env, workers=2, worker_class="gthread", threads=4) as app, \
                Editor(env) as editor, \
                nginx_before(app, static_root=static, media_root=media,
                             page_files=files) as port:
            yield Front(site, port, app, editor, redis, files)


def pages_of(site):
    """Every page that shows the live story: home, its own, its section, tag and author."""
    return [site.paths[name] for name in ("home", "article", "section", "tag", "author")]


def test_a_cached_page_is_served_by_nginx_with_python_frozen(front):
    paths = pages_of(front.site)
    bodies = {path: front.warm(path) for path in paths}
    os.killpg(front.app.proc.pid, signal.SIGSTOP)  # gunicorn answers nothing now
    try:
        for path in paths:
            status, state, body = front.page(path, timeout=3)
            assert (status, state, body) == (200, "nginx", bodies[path]), path
            status, headers, body = front.get(path, method="HEAD", timeout=3)
            assert (status, headers["X-Newsroom-Cache"], body) == (200, "nginx", b"")
        # Anything nginx may not answer from a file waits for Python.
        for path, headers in [(paths[0] + "?page=2", {}),
                              (paths[0], {"Cookie": "sessionid=abc"}),
                              (paths[0], {"Accept": "application/ninjs+json"})]:
            with pytest.raises(TimeoutError):
                front.get(path, headers=headers, timeout=1)
    finally:
        os.killpg(front.app.proc.pid, signal.SIGCONT)


def test_a_page_from_nginx_carries_the_headers_python_sends_but_its_etag_and_keys(front):
    path = front.site.paths["article"]
    front.warm(path)
    _status, from_nginx, body = front.get(path)
    _status, from_python, python_body = front.app.get(path, headers={"Host": "localhost"})
    assert body == python_body
    per_copy = {"etag", "last-modified", "cache-control", "surrogate-key", "cache-tag",
                "x-newsroom-cache", "date", "server", "connection", "content-length",
                "accept-ranges", "transfer-encoding", "keep-alive"}
    assert ({(k.lower(), v) for k, v in from_nginx.items() if k.lower() not in per_copy}
            == {(k.lower(), v) for k, v in from_python.items() if k.lower() not in per_copy})
    assert from_nginx["Cache-Control"] == "no-cache"  # no key to purge it by: always asked
    assert "ETag" not in from_nginx
    # A copy revalidated by its time is sent again whole: nginx cannot vouch for a 304.
    status, _headers, again = front.get(
        path, headers={"If-Modified-Since": from_nginx["Last-Modified"]})
    assert (status, again) == (200, body)


CHANGES = {
    "publish": ("""
from django.contrib.auth import get_user_model
from articles.editorial import workflow
from articles.models import Article
workflow.article_publish(article=Article.objects.get(pk={draft}),
                         user=get_user_model().objects.get(username="ruth"))
""", lambda page: DRAFT in page, ("home", "section", "author")),
    "unpublish": ("""
from django.contrib.auth import get_user_model
from articles.editorial import workflow
from articles.models import Article
workflow.article_unpublish(article=Article.objects.get(pk={live}),
                           user=get_user_model().objects.get(username="ruth"))
""", lambda page: LIVE not in page, ("home", "section")),
    "correct": ("""
from django.contrib.auth import get_user_model
from articles.editorial import workflow
from articles.models import Article, Correction
workflow.article_add_correction(
    article=Article.objects.get(pk={live}), user=get_user_model().objects.get(username="ruth"),
    kind=Correction.Kind.CORRECTION, text="The ferry leaves at 9:40, not 9:14.")
""", lambda page: "9:40, not 9:14" in page, ("article",)),
    "edit": (f"""
from articles.models import Article
story = Article.objects.get(pk={{live}})
story.headline = "{NEW}"
story.save()
""", lambda page: NEW in page and LIVE not in page,
        ("home", "article", "section", "tag", "author")),
    "delete": ("""
from articles.models import Article
Article.objects.get(pk={live}).delete()
""", lambda page: LIVE not in page, ("home", "section")),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_is_on_every_page_through_nginx_at_once(front, change):
    code, shows_it, names = CHANGES[change]
    for path in pages_of(front.site):
        assert not shows_it(front.warm(path))
    front.change(code)
    for name in names:
        status, _state, body = front.page(front.site.paths[name])
        assert status == 200 and shows_it(body), (change, name)
    if change in ("unpublish", "delete"):  # its page, its tag's and author's (no other story)
        for name in ("article", "tag", "author"):
            assert front.page(front.site.paths[name])[0] == 404, (change, name)
    # And once written again, nginx serves the page as it now is.
    for name in names:
        assert shows_it(front.warm(front.site.paths[name])), (change, name)


def test_a_scheduled_story_is_on_pages_through_nginx_at_its_time(front):
    go_live = datetime.now(UTC) + timedelta(seconds=25)
    front.change(f"""
from datetime import datetime
from django.contrib.auth import get_user_model
from articles.editorial import workflow
from articles.models import Article
workflow.article_schedule(article=Article.objects.get(pk={{draft}}),
                          user=get_user_model().objects.get(username="ruth"),
                          publish_at=datetime.fromisoformat("{go_live.isoformat()}"))
""")
    home = front.site.paths["home"]
    assert DRAFT not in front.warm(home)  # from nginx, before the story's time
    answers = []
    while datetime.now(UTC) < go_live + timedelta(seconds=2):
        asked = datetime.now(UTC)
        _status, state, body = front.page(home)
        answers.append((asked, state, DRAFT in body))
        time.sleep(0.05)
    assert any(state == "nginx" for asked, state, _shown in answers if asked < go_live)
    for asked, state, shown in answers:
        if asked >= go_live:
            assert shown, (asked, state)
        elif state == "nginx":
            assert not shown


def test_logged_in_editors_always_get_python(front):
    home = front.site.paths["home"]
    front.warm(home)
    editor = AdminSession(f"http://127.0.0.1:{front.port}")  # logs in through nginx
    request = urllib.request.Request(f"http://127.0.0.1:{front.port}{home}")
    with editor.opener.open(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers.get("X-Newsroom-Cache") != "nginx"


def test_an_address_outside_ascii_is_served_by_nginx_as_python_serves_it(front):
    front.change("""
from articles.models import Article
Article.objects.get(pk={live}).tags.add("Gestión")
""")
    path = "/tag/" + urllib.parse.quote("gestión") + "/"
    body = front.warm(path)
    assert LIVE in body
    # An encoded slash: nginx would read another address than Python does.
    assert front.page("/tag%2Fgesti%C3%B3n/")[1] != "nginx"
    # With a query string, Python answers: the address as the reader sent it.
    status, state, body = front.page(path + "?page=1")
    assert (status, state) == (200, "miss") and LIVE in body
    assert front.page(path + "?page=9")[0] == 404


def test_with_redis_stopped_a_change_leaves_no_file_behind(front):
    paths = pages_of(front.site)
    for path in paths:
        front.warm(path)
    front.redis.stop()
    front.change(CHANGES["edit"][0])
    for path in paths:
        status, state, body = front.page(path)
        assert status == 200 and state != "nginx", path
        assert NEW in body, path
    assert not list(front.files.glob("*/pages/**/*@page.html"))
