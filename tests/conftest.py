import pytest

from articles.models import Publication

from .factories import ArticleFactory, BylineFactory, PublicationFactory


@pytest.fixture(autouse=True)
def test_settings(settings, tmp_path):
    """Uploads go to a temporary folder, never the project's media/; test publications
    live on .example hosts; the cache is in memory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The suite's own process caches in memory, fresh for each test (some tests look at
    # what is kept and for how long). Servers that tests start use the configured default:
    # files shared by every worker (tests/test_embedded_default.py) or Redis.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".example"]
    # The cache journal's check, once applied, holds for the whole test: a test that clears
    # the cache and counts a page's queries twice must not count the journal's look once a
    # second too, which it did when a busy machine made the two requests a second apart.
    # Tests of the journal take the key away themselves (tests/test_redis_outages.py).
    settings.NEWSROOM_CACHE_JOURNAL_SECONDS = 3600
    return settings


@pytest.fixture
def publication(db):
    """The default publication that a fresh install serves for any host."""
    pub = Publication.objects.get(is_default=True)
    return pub


@pytest.fixture
def other_publication(db):
    return PublicationFactory(name="The Valley Ledger", slug="valley-ledger", domain="valley.example")


@pytest.fixture(autouse=True)
def fragment_cache_on(settings):
    """Pages are built from cached parts, as in production (where Redis is configured)."""
    settings.NEWSROOM_FRAGMENT_CACHE = True


@pytest.fixture(autouse=True)
def empty_cache(test_settings):  # after test_settings: the cache cleared is the test's
    """Each test starts with an empty cache: no page, publication or count from another."""
    from django.core.cache import cache

    from articles.caching import keys

    cache.clear()
    # As if the cache's journal had just been applied (articles/caching/journal.py), for the
    # whole test: tests that count a page's queries count the page's, not the journal's
    # look once a second. tests/test_redis_outages.py takes the key away.
    cache.set(keys.JOURNAL_CHECKED, 1, timeout=None)
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


pytest_plugins = ["tests.browser", "tests.workflow_helpers"]


@pytest.fixture
def keep_test_connection():
    """Calling Django's WSGI application directly (as gunicorn does) sends the request
    signals, whose handlers close database connections: that would close the test's own,
    inside its transaction. Django's test client switches them off the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit(): …`` runs a change as if its transaction committed: cache
    invalidation waits for the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# The lists of surrogate keys NEWSROOM_PURGE_HOOK was called with (see ``purged``).
PURGED = []


def record_purge(keys):
    PURGED.append(keys)


@pytest.fixture
def page_cache_on(settings):
    """Whole pages are cached for readers, as in production (where Redis is configured).
    The cache itself is emptied by ``empty_cache``; this also forgets what this process
    remembers of each page (its keys, when it was found current or servable stale), so no
    test starts with another's."""
    from articles.caching import pages

    settings.NEWSROOM_PAGE_CACHE = True
    memories = (pages.key_hints, pages.verified_at, pages.stale_verdicts)
    for memory in memories:
        memory.clear()
    yield
    for memory in memories:
        memory.clear()


@pytest.fixture
def purged(settings):
    """What a CDN would be told to purge: each call of the purge hook, as a list of keys."""
    settings.NEWSROOM_PURGE_HOOK = "tests.conftest.record_purge"
    PURGED.clear()
    yield PURGED
    PURGED.clear()


@pytest.fixture
def story(publication):
    """A published story with a tag and an author, so that every kind of page lists it:
    home, its section, its tag, its author. (Modules that need another story define
    their own ``story``.)"""
    article = ArticleFactory(
        publication=publication, published=True, headline="Night ferry returns to Gull Point"
    )
    article.tags.set(["ferries"])
    BylineFactory(article=article, person__full_name="Dana Reyes")
    return article


@pytest.fixture
def built(monkeypatch):
    """The ids of the stories whose cards were built (not taken from the cache), in order."""
    from articles.caching import cards

    made = []
    build = cards.build

    def counting(article, shown):
        made.append(article.pk)
        return build(article, shown)

    monkeypatch.setattr(cards, "build", counting)
    return made
