"""Redis stopped, frozen, or back after an outage with its old data, under gunicorn with
readers and an editor: every public page answers 200 from the database, the admin works,
an editor's publish succeeds and says so, and once Redis is back the very next page shows
it. (The same faults inside the test process: tests/test_redis_outages.py.)"""

import time

import pytest

from .served_site import DRAFT, LIVE, AdminSession, copy_site, make_site
from .servers import Gunicorn, Redis

pytestmark = pytest.mark.slow

# How long each worker leaves Redis alone after a failure (REDIS_RETRY_SECONDS).
RETRY_SECONDS = 1


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("site"))


@pytest.fixture
def redis(tmp_path):
    server = Redis(data_dir=tmp_path).start()
    yield server
    server.stop()


def serve(site, tmp_path, redis):
    env = copy_site(site, tmp_path / "site", redis_url=redis.url,
                    REDIS_RETRY_SECONDS=str(RETRY_SECONDS))
    return Gunicorn(env, workers=2)


def public_pages(site):
    return [*site.paths.values(), "/feed/atom/", "/sitemaps/news.xml", "/robots.txt"]


def take_down(redis, fault):
    if fault == "frozen":
        redis.freeze()
    else:
        redis.stop(keep_data=fault == "stopped, back with its data")


def bring_back(redis, fault):
    if fault == "frozen":
        redis.thaw()
    else:
        redis.start()  # from its snapshot, or empty


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_with_redis_out_of_reach_every_public_page_answers_and_the_admin_works(
        site, tmp_path, redis, fault):
    pages = public_pages(site)
    with serve(site, tmp_path, redis) as server:
        for page in pages * 2:  # cached while Redis runs
            assert server.get(page)[0] == 200, page
        assert server.get("/")[1]["X-Newsroom-Cache"] == "hit"
        take_down(redis, fault)
        # A frozen Redis never answers: without timeouts, the first of these would hang.
        for page in pages * 2:
            status, headers, _body = server.get(page, timeout=10)
            assert status == 200, page
            assert headers.get("X-Newsroom-Cache") != "hit", page
        assert LIVE.encode() in server.get("/")[2]
        editor = AdminSession(server.url)
        page = editor.opener.open(f"{server.url}/admin/articles/article/{site.live}/change/",
                                  timeout=10)
        assert page.status == 200
        assert "Published" in editor.act("publish_selected", site.draft)
        assert DRAFT.encode() in server.get("/")[2]


@pytest.mark.parametrize("fault", ["frozen", "stopped, back with its data",
                                   "stopped, back empty"])
def test_a_publish_while_redis_is_down_is_on_the_very_next_page_once_redis_is_back(
        site, tmp_path, redis, fault):
    with serve(site, tmp_path, redis) as server:
        editor = AdminSession(server.url)
        server.get("/")
        status, headers, body = server.get("/")
        assert headers["X-Newsroom-Cache"] == "hit" and DRAFT.encode() not in body
        went_down = time.monotonic()
        take_down(redis, fault)
        answer = editor.act("publish_selected", site.draft)
        assert "Published" in answer and "error" not in answer.lower()
        # Redis away longer than the cache journal's check (NEWSROOM_CACHE_JOURNAL_SECONDS,
        # 1 s), as in any outage someone would notice: then no worker, whether it saw the
        # outage or not, serves the old page again (a shorter blip: docs/deploying.md).
        time.sleep(max(0.0, went_down + 1.2 - time.monotonic()))
        bring_back(redis, fault)
        status, headers, body = server.get("/")
        assert status == 200 and DRAFT.encode() in body
        for _ in range(4):  # whichever worker answers
            assert DRAFT.encode() in server.get("/")[2]
        time.sleep(RETRY_SECONDS + 0.2)  # every worker uses Redis again
        server.get("/")
        assert server.get("/")[1]["X-Newsroom-Cache"] == "hit"
