"""The page cache's front door: gunicorn's application answers readers' requests for
current cached pages before Django's handler runs, and hands everything else on."""

import pytest
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.test import RequestFactory

from articles.caching import keys
from articles.caching import pages as page_cache
from articles.caching.door import PageCacheApplication
from articles.models import PendingInvalidation

from .factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    # Django's application is called directly, as gunicorn calls it.
    pytest.mark.usefixtures("page_cache_on", "keep_test_connection"),
]


class Django:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self):
        self.application = get_wsgi_application()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.application(environ, start_response)


@pytest.fixture
def django_app():
    return Django()


@pytest.fixture
def door(django_app):
    return PageCacheApplication(django_app)


class Answer:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.status = status
        self.headers = dict(headers)
        self.body = body

    @property
    def cache(self):
        return self.headers.get("X-Newsroom-Cache")


def call(app, path, method="GET", **headers):
    """One request through a WSGI application, as gunicorn makes it."""
    environ = RequestFactory().generic(method, path, headers=headers).environ
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, response_headers

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return Answer(answer["status"], answer["headers"], body)


def test_a_cached_page_is_answered_without_reaching_django(
    door, django_app, story, django_assert_num_queries
):
    url = story.get_absolute_url()
    first = call(door, url)
    assert (first.status_code, first.cache, django_app.calls) == (200, "miss", 1)
    with django_assert_num_queries(0):
        again = call(door, url)
    assert (again.status, again.cache, django_app.calls) == ("200 OK", "hit", 1)
    assert again.body == first.body
    assert b"Night ferry returns to Gull Point" in again.body


def test_a_hit_carries_every_header_django_sent(door, story):
    url = story.get_absolute_url()
    first, again = call(door, url), call(door, url)
    assert again.cache == "hit"
    first.headers.pop("X-Newsroom-Cache"), again.headers.pop("X-Newsroom-Cache")
    assert again.headers == first.headers
    for header in (
        "ETag",
        "Cache-Control",
        "Surrogate-Key",
        "Content-Type",
        "X-Content-Type-Options",
        "X-Frame-Options",
    ):
        assert header in again.headers, header


def test_a_missed_page_is_looked_up_once(door, story, monkeypatch):
    lookups = []
    find_page = page_cache.find_page
    monkeypatch.setattr(page_cache, "find_page",
                        lambda key, **kwargs: lookups.append(key) or find_page(key, **kwargs))
    assert call(door, story.get_absolute_url()).cache == "miss"
    assert len(lookups) == 1


def test_an_edit_is_seen_through_the_door_at_once(door, story, django_capture_on_commit_callbacks):
    url = story.get_absolute_url()
    call(door, url), call(door, "/")
    assert call(door, url).cache == call(door, "/").cache == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        story.headline = "Night ferry returns with a later last sailing"
        story.save()
    for page in (url, "/"):
        answer = call(door, page)
        assert answer.cache == "miss"
        assert b"with a later last sailing" in answer.body


def test_a_stale_copy_is_served_at_the_door_while_another_request_rebuilds_the_page(
        door, django_app, story, commit):
    call(door, "/"), call(door, "/")
    with commit():
        story.headline = "Night ferry returns with a later last sailing"
        story.save()
    cache.add(keys.rebuilding(keys.page(RequestFactory().get("/"))), 1, timeout=60)
    answer = call(door, "/")
    assert (answer.cache, django_app.calls) == ("stale", 1)
    assert b"Night ferry returns to Gull Point" in answer.body
    assert answer.headers["Cache-Control"] == "no-cache"


def test_the_door_leaves_the_cache_journal_to_django_and_django_serves_the_page(
        door, django_app, story):
    url = story.get_absolute_url()
    call(door, url)
    # The story's own refreshes never commit in a test's transaction: as if applied.
    PendingInvalidation.objects.all().delete()
    cache.delete(keys.JOURNAL_CHECKED)  # expired: the journal must be looked at first
    answer = call(door, url)
    assert (answer.cache, django_app.calls) == ("hit", 2)  # the middleware's hit
    assert cache.get(keys.JOURNAL_CHECKED) is not None
    assert (call(door, url).cache, django_app.calls) == ("hit", 2)


def test_a_revalidating_reader_gets_304_from_the_door(door, django_app, story):
    url = story.get_absolute_url()
    etag = call(door, url).headers["ETag"]
    answer = call(door, url, **{"If-None-Match": etag})
    assert (answer.status_code, answer.body, django_app.calls) == (304, b"", 1)
    assert call(door, url, **{"If-None-Match": '"another"'}).status_code == 200


def test_a_head_request_is_served_like_a_get(door, django_app, story):
    url = story.get_absolute_url()
    call(door, url)
    answer = call(door, url, method="HEAD")
    assert (answer.status_code, answer.cache, django_app.calls) == (200, "hit", 1)


@pytest.mark.parametrize("who", ["session cookie", "staff"])
def test_anyone_with_a_session_goes_through_to_django(door, django_app, client, story, who):
    url = story.get_absolute_url()
    call(door, url)
    if who == "staff":
        client.force_login(UserFactory(is_staff=True))
        cookie = client.cookies["sessionid"].value
    else:
        cookie = "anything"
    answer = call(door, url, Cookie=f"sessionid={cookie}")
    assert answer.status_code == 200 and answer.cache is None
    assert django_app.calls == 2


def test_other_methods_and_uncached_addresses_go_through_to_django(
    door, django_app, story, settings
):
    url = story.get_absolute_url()
    call(door, url)
    assert call(door, url, method="POST").cache != "hit"
    call(door, "/admin/login/")
    assert call(door, "/admin/login/").cache is None
    assert django_app.calls == 4


def test_a_host_django_refuses_never_matches_a_stored_page(door, django_app, story, settings):
    url = story.get_absolute_url()
    call(door, url)
    settings.ALLOWED_HOSTS = ["news.example"]
    assert call(door, url).status_code == 400
    assert django_app.calls == 2


def test_when_redis_fails_django_answers(door, django_app, story, monkeypatch):
    url = story.get_absolute_url()
    call(door, url)

    def unreachable(key):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(page_cache, "find_page", unreachable)
    monkeypatch.setattr(
        page_cache.PageCacheMiddleware, "__call__", lambda self, request: self.get_response(request)
    )
    answer = call(door, url)
    assert answer.status_code == 200 and django_app.calls == 2


def test_the_door_steps_aside_when_the_page_cache_is_off(door, django_app, story, settings):
    settings.NEWSROOM_PAGE_CACHE = False
    url = story.get_absolute_url()
    call(door, url), call(door, url)
    assert django_app.calls == 2


def test_gunicorns_application_is_behind_the_door():
    from newsroom.wsgi import application

    assert isinstance(application, PageCacheApplication)
