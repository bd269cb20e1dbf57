"""Many readers at once right after an editor's change, under gunicorn with threads: after
a save, one request rebuilds each page and the others get the page as it was; after an
unpublish, nobody gets it. (One reader at a time, and the limits of the window:
tests/test_hot_story.py; the benchmark's storm of saves: bench/run.py.)"""

from concurrent.futures import ThreadPoolExecutor

import pytest

from .served_site import LIVE, Editor, copy_site, make_site
from .servers import Gunicorn, Redis

pytestmark = pytest.mark.slow

READERS = 24
NEW = "Night ferry returns with a later sailing"

SAVE = f"""
from articles.models import Article
story = Article.objects.get(pk={{pk}})
story.headline = "{NEW}"
story.save()
"""
UNPUBLISH = """
from django.contrib.auth import get_user_model
from articles.editorial import workflow
from articles.models import Article
workflow.article_unpublish(article=Article.objects.get(pk={pk}),
                           user=get_user_model().objects.get(username="ruth"))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("site"))


@pytest.fixture
def served(site, tmp_path):
    with Redis() as redis:
        env = copy_site(site, tmp_path / "site", redis_url=redis.url)
        with Gunicorn(env, workers=2, worker_class="gthread", threads=8) as server, \
                Editor(env) as editor:
            yield server, editor


def read_just_before(server, path):
    """A reader a moment before the change, as on any busy page: the page is found current
    then, so what it misses afterwards is only the change."""
    for _ in range(2):
        server.get(path)
    assert server.get(path)[1]["X-Newsroom-Cache"] == "hit"


def readers_at_once(server, path):
    """(X-Newsroom-Cache, body) of READERS requests for ``path`` made at the same time."""
    def read(_n):
        _status, headers, body = server.get(path, timeout=30)
        return headers.get("X-Newsroom-Cache"), body.decode()

    with ThreadPoolExecutor(READERS) as pool:
        return list(pool.map(read, range(READERS)))


def test_after_a_save_many_readers_at_once_make_one_rebuild_and_get_either_version(
        site, served):
    server, editor = served
    read_just_before(server, "/")
    editor.run(SAVE.format(pk=site.live))
    answers = readers_at_once(server, "/")
    assert [state for state, _body in answers].count("miss") == 1
    for state, body in answers:
        assert state in ("miss", "stale", "hit")
        assert (LIVE if state == "stale" else NEW) in body
    assert NEW in server.get("/")[2].decode()


def test_after_an_unpublish_no_reader_gets_the_page_as_it_was(site, served):
    server, editor = served
    read_just_before(server, "/")
    editor.run(UNPUBLISH.format(pk=site.live))
    answers = readers_at_once(server, "/")
    assert all(state != "stale" and LIVE not in body for state, body in answers)
