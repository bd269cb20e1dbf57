"""The cache's journal is made sure of just before a request first uses the cache, and not
at all by a request that never uses it (articles/caching/journal.py).

A request that is not a cacheable page (a session, the admin, the API, the page cache off)
used to read the journal's key from Redis before anything else, whether it went on to read
the cache or not: a round trip on every redirect and every static file. Now the check waits
for the first use of the cache, whoever makes it: a part of a page, the site table, a
feed's picture sizes, a sitemap's counts, an API rate count. These tests pin both halves:
no read of any kind comes before the check, and a request that reads nothing pays nothing.

With Redis, stopped and frozen: tests/test_redis_outages.py.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from articles.caching import keys
from articles.models import Article, PendingInvalidation, Publication

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

# Every call the recording cache notes: (method, key or keys).
CALLS = []
CACHE_METHODS = ("get", "get_many", "has_key", "add", "incr", "touch", "set", "set_many",
                 "delete", "delete_many")


def recording(name):
    def method(self, key, *args, **kwargs):
        CALLS.append((name, key))
        return getattr(LocMemCache, name)(self, key, *args, **kwargs)

    return method


# The suite's cache (in memory), noting every call made to it.
RecordingCache = type("RecordingCache", (LocMemCache,),
                      {name: recording(name) for name in CACHE_METHODS})


@pytest.fixture
def calls(settings):
    settings.CACHES = {"default": {
        "BACKEND": "tests.test_cache_journal_check.RecordingCache", "LOCATION": "recording"}}
    caches["default"].clear()
    caches["default"].set(keys.JOURNAL_CHECKED, 1, timeout=None)
    CALLS.clear()
    yield CALLS
    CALLS.clear()


def is_the_check(call):
    """The journal's key read, alone or first of a ``get_many`` that reads what the
    request first needs with it (the site table: ``generations.read_many``)."""
    name, read = call
    return name == "get_many" and list(read)[:1] == [keys.JOURNAL_CHECKED]


def requests_made(story):
    """One request of each kind that reads the cache, with the page cache off (as for an
    editor, or a site without Redis): pages, feeds, sitemaps, the API."""
    return {
        "home": "/",
        "story": story.get_absolute_url(),
        "section": story.section.get_absolute_url(),
        "feed": "/feed/",
        "sitemap index": "/sitemap.xml",
        "news sitemap": "/sitemaps/news.xml",
        "api list": "/api/v1/stories/",
        "api story": f"/api/v1/stories/{story.pk}/",
    }


def test_every_request_reads_the_journals_key_before_anything_else(calls, client, story):
    for name, path in requests_made(story).items():
        calls.clear()
        assert client.get(path).status_code == 200, name
        assert calls, f"{name}: the cache was not used at all"
        assert is_the_check(calls[0]), f"{name}: {calls[0]} came before the journal's check"
        assert sum(map(is_the_check, calls)) == 1, name  # once per request


def test_an_api_rate_count_is_read_after_the_journals_check(calls, client, story, settings):
    settings.NEWSROOM_API_ANON_RATE = "100/minute"
    client.get(f"/api/v1/stories/{story.pk}/")
    count_key = next(i for i, (_name, key) in enumerate(calls)
                     if isinstance(key, str) and "throttle" in key)
    assert next(i for i, call in enumerate(calls) if is_the_check(call)) < count_key


def test_an_editor_in_the_admin_reads_the_journals_key_before_anything_else(
        calls, client, admin_user, story):
    client.force_login(admin_user)
    for path in ("/admin/", f"/admin/articles/article/{story.pk}/change/", "/"):
        calls.clear()
        assert client.get(path).status_code == 200, path
        assert not calls or is_the_check(calls[0]), path  # the admin's own may read nothing
    assert is_the_check(calls[0])  # the home page does


@pytest.mark.usefixtures("page_cache_on")
def test_a_reader_with_a_session_reads_the_journals_key_before_anything_else(
        calls, client, story):
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "not-a-session"
    assert client.get("/").status_code == 200
    assert is_the_check(calls[0])


def test_a_request_that_reads_nothing_from_the_cache_does_not_touch_it(calls, client):
    response = client.get("/admin/")  # to the login page
    assert response.status_code == 302
    assert calls == []


def test_a_refresh_redis_missed_reaches_an_editors_page_built_from_cached_parts(
        client, admin_user, story, settings):
    """The parts of a page and the site table are read after the journal is applied."""
    settings.NEWSROOM_PAGE_CACHE = True
    client.force_login(admin_user)  # a session: the page is built, from cached parts
    assert "Night ferry returns" in client.get(story.get_absolute_url()).text
    Article.objects.filter(pk=story.pk).update(headline="Night ferry adds a stop")
    Publication.objects.filter(pk=story.publication_id).update(name="The Harbor Herald")
    PendingInvalidation.objects.create(keys=[keys.article(story.pk), keys.SITE])
    caches["default"].delete(keys.JOURNAL_CHECKED)  # expired
    text = client.get(story.get_absolute_url()).text
    assert "Night ferry adds a stop" in text
    assert "The Harbor Herald" in text
    assert not PendingInvalidation.objects.exists()


def test_a_refresh_redis_missed_reaches_the_api(client, story):
    url = f"/api/v1/stories/{story.pk}/"
    assert client.get(url).json()["headline"] == "Night ferry returns to Gull Point"
    Article.objects.filter(pk=story.pk).update(headline="Night ferry adds a stop")
    PendingInvalidation.objects.create(keys=[keys.article(story.pk)])
    caches["default"].delete(keys.JOURNAL_CHECKED)
    assert client.get(url).json()["headline"] == "Night ferry adds a stop"
    assert not PendingInvalidation.objects.exists()


def test_a_request_that_reads_nothing_leaves_the_journal_for_the_next_that_does(
        client, story):
    PendingInvalidation.objects.create(keys=[keys.article(story.pk)])
    caches["default"].delete(keys.JOURNAL_CHECKED)
    client.get("/admin/")
    assert PendingInvalidation.objects.exists()
    client.get("/")
    assert not PendingInvalidation.objects.exists()


# Where the cache may be reached other than through ``generations.cache()``: its backend.
READS_DJANGOS_CACHE_DIRECTLY = {Path("articles/caching/generations.py")}


def test_nothing_reaches_the_cache_but_through_generations_cache():
    """``generations.cache()`` runs the journal's check before the first use: code that
    took Django's cache object itself would read before it."""
    found = []
    for folder in ("articles", "newsroom", "people"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative in READS_DJANGOS_CACHE_DIRECTLY or "migrations" in relative.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.ImportFrom) and node.module == "django.core.cache"
                        and {a.name for a in node.names} & {"cache", "caches"}):
                    found.append(f"{relative}:{node.lineno}")
    assert found == []


def test_the_api_rate_limit_counts_in_the_cache_through_generations_cache():
    from rest_framework.settings import api_settings

    from articles.api.access import ClientRateThrottle
    from articles.caching import generations

    throttles = api_settings.DEFAULT_THROTTLE_CLASSES
    assert throttles == [ClientRateThrottle]
    assert ClientRateThrottle().cache is generations.cache()


def test_sessions_are_not_kept_in_the_cache():
    """Django's session store would read the cache without the journal's check (and a
    reader's session must not vanish when Redis is emptied)."""
    assert "cache" not in django_settings.SESSION_ENGINE


def test_the_site_table_is_read_with_the_journals_key_in_one_round_trip(calls, client, story):
    assert client.get("/").status_code == 200
    assert calls[0] == ("get_many", [keys.JOURNAL_CHECKED, keys.site("testserver"),
                                     keys.generation(keys.SITE)])


def test_a_site_table_read_with_a_journal_not_applied_is_read_again_after_it(
        calls, client, story):
    """Without the journal's key, what came with it is not used: the journal is applied
    (its refreshes moving the generations), then the site table is read again."""
    caches["default"].delete(keys.JOURNAL_CHECKED)
    publication = Publication.objects.get(pk=story.publication_id)
    client.get("/")  # the site table kept
    caches["default"].delete(keys.JOURNAL_CHECKED)
    Publication.objects.filter(pk=publication.pk).update(name="The Renamed Herald")
    PendingInvalidation.objects.create(keys=[keys.SITE, keys.layout(publication.pk)])
    calls.clear()
    page = client.get("/")
    assert "The Renamed Herald" in page.text
    assert not PendingInvalidation.objects.exists()
    site_reads = [read for name, read in calls
                  if name == "get_many" and keys.site("testserver") in read]
    assert len(site_reads) == 2  # with the journal's key, then again once it was applied
