"""The embedded default (`make run`: SQLite, no Redis, gunicorn with two workers) is one
site: every process answers alike, and an edit shows in all of them at once."""

import os
import subprocess
import sys

import pytest

from .servers import ROOT, Gunicorn

pytestmark = pytest.mark.slow

SERVE_CONFIG = "newsroom/gunicorn.conf.py"  # what `make serve` runs

STORY = """
from django.utils import timezone
from articles.models import Article, Publication
Article.objects.create(
    publication=Publication.objects.get(is_default=True), headline="{headline}",
    summary="The harbour ferry keeps its winter timetable.", body="<p>Boats at seven.</p>",
    status=Article.Status.PUBLISHED, publish_at=timezone.now())
"""
RENAME = """
from articles.models import Article
story = Article.objects.get()
story.headline = "{headline}"
story.save()
"""


@pytest.fixture
def embedded_env(tmp_path):
    var = tmp_path / "var"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": f"sqlite:///{var / 'newsroom.sqlite3'}", "REDIS_URL": "",
        "NEWSROOM_PAGE_CACHE": "", "NEWSROOM_FRAGMENT_CACHE": "",
        "NEWSROOM_VAR_DIR": str(var), "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage("migrate", "--noinput", env=env)
    manage("shell", "-c", STORY.format(headline="Ferry keeps winter timetable"), env=env)
    return env


def manage(*args, env):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


# Both servers are asked for the same site (the ETag names the host, port included).
SITE = {"Host": "localhost:8000"}


def feeds(servers, times=4):
    """(headers, body) of /feed/ from each server, several times each, on new connections."""
    return [server.get("/feed/", headers=SITE)[1:] for server in servers for _ in range(times)]


def test_every_process_gives_a_feed_the_same_etag_and_shows_an_edit_at_once(embedded_env):
    var = embedded_env["NEWSROOM_VAR_DIR"]
    with Gunicorn(embedded_env, config=SERVE_CONFIG, var_dir=var) as one, \
            Gunicorn(embedded_env, config=SERVE_CONFIG, var_dir=var) as two:
        before = feeds([one, two])
        assert len({headers["ETag"] for headers, _body in before}) == 1
        assert all(b"Ferry keeps winter timetable" in body for _headers, body in before)

        manage("shell", "-c", RENAME.format(headline="Ferry adds a late boat"),
               env=embedded_env)
        after = feeds([one, two])
        assert all(b"Ferry adds a late boat" in body for _headers, body in after)
        assert len({headers["ETag"] for headers, _body in after}) == 1
        assert after[0][0]["ETag"] != before[0][0]["ETag"]
        etag = after[0][0]["ETag"]
        for server in (one, two):
            status, _headers, _body = server.get("/feed/", headers={**SITE, "If-None-Match": etag})
            assert status == 304
