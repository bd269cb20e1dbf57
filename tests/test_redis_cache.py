"""The page cache on a real Redis, through Newsroom's Redis cache backend."""

import pytest
from django.core.cache import cache, caches

from articles.caching import generations, keys

from .factories import ArticleFactory

REDIS_URL = "redis://127.0.0.1:6379/10"

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "newsroom.redis_cache.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": "newsroom-test"}}
    settings.NEWSROOM_PAGE_CACHE = True
    cache.clear()
    yield caches["default"]
    cache.clear()


def test_the_backend_builds_one_redis_client_and_keeps_it(redis_cache):
    redis_cache.set("greeting", "hello")
    assert redis_cache.get_many(["greeting", "nothing"]) == {"greeting": "hello"}
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client() is client
    assert redis_cache._cache.get_client(write=True) is client  # one server: one pool


def test_keys_memcached_would_refuse_are_fine_on_redis(redis_cache):
    key = "page " + "x" * 300
    redis_cache.set(key, 1)
    assert redis_cache.get(key) == 1


def test_generations_are_whole_numbers_that_only_grow(redis_cache):
    generations.bump([keys.article(1)])
    first = generations.generations([keys.article(1)])[keys.article(1)]
    generations.bump([keys.article(1)])
    second = generations.generations([keys.article(1)])[keys.article(1)]
    assert isinstance(first, int) and second > first


def test_a_page_is_a_hit_until_its_story_changes(client, redis_cache, publication,
                                                 django_capture_on_commit_callbacks):
    story = ArticleFactory(publication=publication, published=True,
                           headline="Ferry terminal gets new roof")
    url = story.get_absolute_url()
    assert client.get(url)["X-Newsroom-Cache"] == "miss"
    hit = client.get(url)
    assert hit["X-Newsroom-Cache"] == "hit"
    assert client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"]).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        story.headline = "Ferry terminal roof is finished"
        story.save()
    response = client.get(url)
    assert response["X-Newsroom-Cache"] == "miss"
    assert "Ferry terminal roof is finished" in response.text


@pytest.mark.parametrize("value", [0, -7, 2**70, "12", b"\x80", 1.5, True, None,
                                   {"html": "<p>card</p>" * 500}, (("article:1",), (3,))])
def test_values_read_back_as_djangos_serializer_reads_them(value):
    from django.core.cache.backends.redis import RedisSerializer as DjangosSerializer

    from newsroom.redis_cache import RedisSerializer

    stored = DjangosSerializer().dumps(value)
    stored = stored if isinstance(stored, bytes) else str(stored).encode()  # as Redis keeps it
    assert RedisSerializer().loads(stored) == DjangosSerializer().loads(stored) == value
    assert type(RedisSerializer().loads(stored)) is type(value)


def test_get_many_finds_keys_under_the_prefix_and_version_django_names_them(redis_cache):
    redis_cache.set("a", 1)
    redis_cache.set("b", {"html": "x"}, version=3)
    assert redis_cache.get_many(["a", "b", "nothing"]) == {"a": 1}
    assert redis_cache.get_many(["a", "b"], version=3) == {"b": {"html": "x"}}
    assert redis_cache._cache.get_client().get("newsroom-test:1:a") == b"1"


def test_get_many_uses_a_key_function_of_the_caches_own(settings):
    settings.CACHES = {"default": {"BACKEND": "newsroom.redis_cache.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": "newsroom-test",
                                   "KEY_FUNCTION": lambda key, prefix, version: f"own|{key}"}}
    own = caches["default"]
    try:
        own.set("a", "found")
        assert own._cache.get_client().get("own|a") is not None
        assert own.get_many(["a", "nothing"]) == {"a": "found"}
    finally:
        own.delete("a")
