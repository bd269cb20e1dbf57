"""Redis is a cache, not a dependency: with Redis stopped, frozen or back after an outage,
pages come from the database, no change is lost, and a failure is paid once, not on every
call. Each test has a Redis of its own (tests/servers.py) and really stops or freezes it.

Through gunicorn, with an editor in the admin: tests/test_redis_outages_served.py.
"""

import time

import pytest
import redis as redis_py
from django.core.cache import caches

from articles.caching import generations, journal, keys
from articles.editorial import workflow
from articles.models import Article, PendingInvalidation

from .servers import Redis, TcpProxy
from .workflow_helpers import ready_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

RETRY_AFTER = 1  # seconds the breaker stays open (REDIS_RETRY_SECONDS)


def use_redis(settings, url, retry_after=RETRY_AFTER):
    settings.CACHES = {"default": {"BACKEND": "newsroom.redis_cache.RedisCache",
                                   "LOCATION": url, "OPTIONS": {"retry_after": retry_after}}}
    cache = caches["default"]
    cache.set(keys.JOURNAL_CHECKED, 1, timeout=None)  # as the suite's own cache has it
    return cache


@pytest.fixture
def redis(settings, tmp_path):
    server = Redis(data_dir=tmp_path).start()
    use_redis(settings, server.url)
    yield server
    server.stop()


def pending_keys():
    """Every surrogate key the journal still holds a refresh of."""
    return {k for row in PendingInvalidation.objects.all() for k in row.keys}


def wait_for_the_breaker():
    """The breaker stays open RETRY_AFTER seconds: after that, Redis is asked again."""
    time.sleep(RETRY_AFTER + 0.1)


def test_with_redis_stopped_reads_miss_and_writes_say_they_failed_without_raising(redis):
    cache = caches["default"]
    cache.set("greeting", "hello")
    redis.stop()
    assert cache.get("greeting") is None
    assert cache.get("greeting", "fallback") == "fallback"
    assert cache.get_many(["greeting", "other"]) == {}
    assert cache.has_key("greeting") is False
    assert cache.add("new", 1) is False
    assert cache.set("greeting", "again") is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.delete("greeting") is False
    assert cache.delete_many(["a", "b"]) is None
    assert cache.touch("greeting") is False
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert cache.outages == 1  # one outage, however many calls failed


def test_a_frozen_redis_is_waited_for_once_then_skipped_until_it_is_tried_again(redis, settings):
    with TcpProxy(redis.port) as relay:  # counts the connections made to Redis
        cache = use_redis(settings, f"redis://127.0.0.1:{relay.port}/0")
        cache.set("greeting", "hello")
        redis.freeze()
        assert cache.get("greeting") is None  # one short timeout, then the breaker opens
        connections = relay.accepted
        for _ in range(50):
            assert cache.get("greeting") is None
            assert cache.get_many(["greeting"]) == {}
            assert cache.set_many({"greeting": "x"}) == ["greeting"]
        assert relay.accepted == connections  # not one more try while the breaker is open
        redis.thaw()
        wait_for_the_breaker()
        assert cache.get("greeting") == "hello"
        assert relay.accepted == connections + 1


def test_a_redis_that_stays_out_of_reach_is_asked_less_and_less_often(redis, settings):
    """Half a second after the first failure, then twice as long each time, up to
    REDIS_RETRY_SECONDS: a blip costs little, an outage is not asked about all the time."""
    with TcpProxy(redis.port) as relay:
        cache = use_redis(settings, f"redis://127.0.0.1:{relay.port}/0", retry_after=3)
        cache.set("greeting", "hello")
        redis.freeze()
        cache.get("greeting")  # fails: no call for half a second
        tries = relay.accepted
        time.sleep(0.6)
        cache.get("greeting")  # tried, fails again: no call for a second
        assert relay.accepted == tries + 1
        time.sleep(0.6)
        cache.get("greeting")
        assert relay.accepted == tries + 1
        time.sleep(0.5)
        cache.get("greeting")
        assert relay.accepted == tries + 2


def test_a_refresh_goes_to_redis_even_while_the_breaker_is_open(redis):
    cache = caches["default"]
    redis.freeze()
    cache.get("anything")  # the breaker opens
    redis.thaw()
    assert not cache.is_available()
    assert generations.bump([keys.article(7)])
    raw = redis_py.Redis.from_url(redis.url)
    assert raw.get(cache.make_key(keys.generation(keys.article(7)))) is not None


def test_a_save_with_redis_stopped_commits_and_keeps_its_refresh_in_the_journal(
        redis, story, commit):
    redis.stop()
    with commit():
        story.headline = "Night ferry adds a stop at Heron Bay"
        story.save()
    assert Article.objects.get(pk=story.pk).headline == "Night ferry adds a stop at Heron Bay"
    assert keys.article(story.pk) in pending_keys()


def test_the_workflow_publishes_with_redis_stopped(redis, publication, editor, commit):
    story = ready_article(publication, headline="Harbor pilots ratify their contract")
    redis.stop()
    with commit():
        workflow.article_publish(article=story, user=editor)
    assert Article.objects.published().filter(pk=story.pk).exists()
    assert {keys.article(story.pk), keys.publication(publication.pk)} <= pending_keys()


def test_with_redis_stopped_every_kind_of_page_is_built_from_the_database(
        redis, client, story):
    section, tag = story.section, story.tags.get()
    author = story.bylines.get().person
    pages = ["/", story.get_absolute_url(), section.get_absolute_url(), f"/tag/{tag.slug}/",
             author.get_absolute_url(), "/feed/", "/feed/atom/", "/sitemap.xml",
             "/sitemaps/news.xml", "/search/?q=ferry", "/robots.txt"]
    for page in pages:
        client.get(page)  # cached while Redis runs
    redis.stop()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert response.get("X-Newsroom-Cache") in ("pass", None), page
    assert "Night ferry returns to Gull Point" in client.get("/").text


def test_with_redis_stopped_a_feed_never_answers_304_to_an_etag_it_cannot_vouch_for(
        redis, client, story):
    redis.stop()
    first = client.get("/feed/")
    again = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert (first.status_code, again.status_code) == (200, 200)


def test_when_redis_comes_back_with_its_old_data_the_next_page_shows_a_change_made_meanwhile(
        redis, client, story, commit):
    assert "Night ferry returns" in client.get("/").text
    assert client.get("/")["X-Newsroom-Cache"] == "hit"
    redis.stop(keep_data=True)
    with commit():
        story.headline = "Night ferry adds a stop at Heron Bay"
        story.save()
    redis.start()  # from its snapshot: the old home page, and the generations it matches
    wait_for_the_breaker()
    response = client.get("/")
    assert "Night ferry adds a stop at Heron Bay" in response.text
    assert not PendingInvalidation.objects.exists()
    assert client.get("/")["X-Newsroom-Cache"] == "hit"


def test_a_change_made_while_redis_was_frozen_shows_on_the_next_page_once_it_thaws(
        redis, client, story, commit):
    client.get("/"), client.get("/")
    redis.freeze()
    with commit():
        story.headline = "Night ferry adds a stop at Heron Bay"
        story.save()
    assert "Night ferry adds a stop at Heron Bay" in client.get("/").text  # from the database
    redis.thaw()
    wait_for_the_breaker()
    assert "Night ferry adds a stop at Heron Bay" in client.get("/").text
    assert client.get("/")["X-Newsroom-Cache"] == "hit"


def test_a_refresh_another_server_could_not_make_is_applied_before_the_next_page(
        redis, client, story):
    """A server whose refresh failed left it in the journal; this process never saw Redis
    fail. Once the journal's check has expired (a second), the next request applies it
    before it serves anything."""
    client.get("/"), client.get("/")
    Article.objects.filter(pk=story.pk).update(headline="Night ferry adds a stop at Heron Bay")
    PendingInvalidation.objects.create(keys=[keys.article(story.pk)])
    caches["default"].delete(keys.JOURNAL_CHECKED)  # expired
    assert "Night ferry adds a stop at Heron Bay" in client.get("/").text
    assert not PendingInvalidation.objects.exists()


def test_the_journal_is_applied_when_a_process_has_seen_an_outage_whatever_the_key_says(
        redis, client, story):
    client.get("/"), client.get("/")
    Article.objects.filter(pk=story.pk).update(headline="Night ferry adds a stop at Heron Bay")
    PendingInvalidation.objects.create(keys=[keys.article(story.pk)])
    redis.freeze()
    client.get("/robots.txt")  # this process finds Redis out of reach
    redis.thaw()
    wait_for_the_breaker()
    assert caches["default"].get(keys.JOURNAL_CHECKED) == 1  # still there
    assert "Night ferry adds a stop at Heron Bay" in client.get("/").text


def test_after_an_outage_an_editors_page_is_built_from_parts_only_once_the_journal_is_applied(
        redis, client, story, admin_user):
    """A request with a session is not a cacheable page: the journal's check waits for its
    first use of Redis (the site table, the parts of the page), and still comes first."""
    client.force_login(admin_user)
    url = story.get_absolute_url()
    client.get(url)  # its parts are cached
    Article.objects.filter(pk=story.pk).update(headline="Night ferry adds a stop at Heron Bay")
    PendingInvalidation.objects.create(keys=[keys.article(story.pk)])
    redis.freeze()
    assert caches["default"].get("anything") is None  # this process finds Redis out of reach
    redis.thaw()
    wait_for_the_breaker()
    assert caches["default"].get(keys.JOURNAL_CHECKED) == 1  # still there
    assert "Night ferry adds a stop at Heron Bay" in client.get(url).text
    assert not PendingInvalidation.objects.exists()


def test_an_unpublish_made_while_redis_was_down_is_never_served_after_it_returns(
        redis, client, story, editor, commit):
    url = story.get_absolute_url()
    client.get(url), client.get("/")
    redis.stop(keep_data=True)
    with commit():
        workflow.article_unpublish(article=story, user=editor, note="Legal asked")
    redis.start()
    wait_for_the_breaker()
    assert client.get(url).status_code == 404
    assert "Night ferry returns" not in client.get("/").text


def test_when_redis_comes_back_empty_pages_are_built_again(client, story, settings, commit):
    server = Redis().start()
    use_redis(settings, server.url)
    client.get("/"), client.get("/")
    server.stop()
    with commit():
        story.headline = "Night ferry adds a stop at Heron Bay"
        story.save()
    server.start()  # the same port, nothing in it
    try:
        wait_for_the_breaker()
        assert "Night ferry adds a stop at Heron Bay" in client.get("/").text
        assert client.get("/")["X-Newsroom-Cache"] == "hit"
    finally:
        server.stop()


def test_a_journal_nobody_can_read_leaves_the_cache_trusted(redis, client, story,
                                                             monkeypatch):
    """With the database out of reach nothing can be saved either: pages cached before go
    on being served rather than built (which would fail)."""
    from django.db import OperationalError

    client.get("/"), client.get("/")
    caches["default"].delete(keys.JOURNAL_CHECKED)

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(journal.PendingInvalidation.objects, "values_list", unreachable)
    assert client.get("/")["X-Newsroom-Cache"] == "hit"


def test_emptying_the_cache_while_redis_is_down_is_done_once_it_is_back(redis, client, story):
    """A restore loads whole tables without signals and then empties the cache: with Redis
    down, that waits in the journal, and Redis back with its old pages serves none of them."""
    client.get("/"), client.get("/")
    redis.stop(keep_data=True)
    journal.forget_everything()
    assert PendingInvalidation.objects.filter(keys=[journal.EVERYTHING]).exists()
    redis.start()
    wait_for_the_breaker()
    assert client.get("/")["X-Newsroom-Cache"] == "miss"
    assert not PendingInvalidation.objects.filter(keys=[journal.EVERYTHING]).exists()
