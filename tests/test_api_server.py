"""The content API through gunicorn on 127.0.0.1, with a Redis of the test's own: a cached
answer and its 304 come from the front door, ninjs is cached apart from JSON, and only
requests that reach Django count against the rate."""

import json
import os
import subprocess
import sys

import pytest

from .servers import ROOT, Gunicorn, Redis

STORY = """
from django.utils import timezone
from articles.models import Article, Publication
story = Article.objects.create(
    publication=Publication.objects.get(is_default=True), headline="Ferry keeps winter timetable",
    summary="The harbour ferry keeps its winter timetable.", body="<p>Boats at seven.</p>",
    status=Article.Status.PUBLISHED, publish_at=timezone.now())
print(story.pk)
"""
SITE = {"Host": "localhost:8000"}


@pytest.fixture
def server(tmp_path):
    var = tmp_path / "var"
    with Redis() as redis:
        env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DATABASE_URL": f"sqlite:///{var / 'newsroom.sqlite3'}", "REDIS_URL": redis.url,
            "NEWSROOM_PAGE_CACHE": "true", "NEWSROOM_VAR_DIR": str(var),
            "MEDIA_ROOT": str(tmp_path / "media"), "NEWSROOM_API_ANON_RATE": "2/minute",
        }
        manage("migrate", "--noinput", env=env)
        pk = int(manage("shell", "-c", STORY, env=env).stdout.split()[-1])
        with Gunicorn(env, var_dir=var) as gunicorn:
            yield gunicorn, pk


def manage(*args, env):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result


def test_a_cached_api_answer_and_its_304_come_from_the_front_door(server):
    gunicorn, pk = server
    path = f"/api/v1/stories/{pk}/"
    status, headers, body = gunicorn.get(path, headers=SITE)
    assert status == 200 and headers["X-Newsroom-Cache"] == "miss"
    assert json.loads(body)["headline"] == "Ferry keeps winter timetable"
    status, headers, again = gunicorn.get(path, headers=SITE)
    assert status == 200 and headers["X-Newsroom-Cache"] == "hit" and again == body
    status, not_modified, body = gunicorn.get(
        path, headers={**SITE, "If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and not_modified["ETag"] == headers["ETag"]
    status, _, _ = gunicorn.get(path, headers={**SITE, "If-Modified-Since":
                                              headers["Last-Modified"]})
    assert status == 304
    # The ninjs of the same address is another answer, cached apart (a miss, then a hit).
    ninjs = {**SITE, "Accept": "application/ninjs+json"}
    status, headers, body = gunicorn.get(path, headers=ninjs)
    assert (status, headers["Content-Type"]) == (200, "application/ninjs+json")
    assert "headlines" in json.loads(body)
    assert gunicorn.get(path, headers=ninjs)[1]["X-Newsroom-Cache"] == "hit"


def test_only_requests_that_reach_django_count_against_the_rate(server):
    gunicorn, pk = server
    path = f"/api/v1/stories/{pk}/"
    assert gunicorn.get(path, headers=SITE)[0] == 200  # 1 of 2: built and stored
    for _ in range(5):  # served by the front door: not counted
        assert gunicorn.get(path, headers=SITE)[0] == 200
    assert gunicorn.get("/api/v1/sections/", headers=SITE)[0] == 200  # 2 of 2
    status, headers, body = gunicorn.get("/api/v1/tags/", headers=SITE)
    assert status == 429
    assert 0 < int(headers["Retry-After"]) <= 60
    assert "throttled" in json.loads(body)["detail"]
