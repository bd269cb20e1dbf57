"""A live story saved again and again: after a save, readers keep getting the page as it
was, for a few seconds at most, while one request rebuilds it; after an unpublish or a
deletion, nobody does. (Many readers at once through gunicorn, and the benchmark's storm of
saves: tests/test_hot_story_served.py, bench/run.py.)"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from articles.caching import generations, keys
from articles.caching import pages as page_cache
from articles.caching.invalidation import left_readers_view
from articles.editorial import workflow
from articles.models import Article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

OLD, NEW = "Night ferry returns to Gull Point", "Night ferry returns with a later sailing"


def get(client, path):
    response = client.get(path)
    return response, response.get("X-Newsroom-Cache")


def rebuilding_elsewhere(path):
    """Another reader's request has taken the page's rebuilding."""
    assert cache.add(keys.rebuilding(keys.page(RequestFactory().get(path))), 1, timeout=60)


def rebuild_done(path):
    """The rebuilding is given back (or its second is out), and this process's verdict on
    the stale page (good for a tenth of a second) has run out."""
    cache.delete(keys.rebuilding(keys.page(RequestFactory().get(path))))
    page_cache.stale_verdicts.clear()


@pytest.fixture
def saved(story, commit):
    """Home and the story's page cached, then the story's headline saved."""
    def save():
        with commit():
            story.headline = NEW
            story.save()
    return save


def warm(client, *paths):
    for path in paths:
        get(client, path)
        assert get(client, path)[1] == "hit"


def test_after_a_save_readers_get_the_page_as_it_was_while_another_request_rebuilds_it(
        client, story, saved):
    warm(client, "/")
    saved()
    rebuilding_elsewhere("/")
    response, state = get(client, "/")
    assert state == "stale" and OLD in response.text
    # Nobody downstream keeps it without asking again.
    assert response["Cache-Control"] == "no-cache"
    rebuild_done("/")
    response, state = get(client, "/")
    assert state == "miss" and NEW in response.text
    assert get(client, "/")[1] == "hit"


def test_the_first_reader_after_a_save_rebuilds_the_page_and_hands_the_rebuilding_back(
        client, story, saved):
    warm(client, "/")
    saved()
    response, state = get(client, "/")
    assert state == "miss" and NEW in response.text
    assert cache.get(keys.rebuilding(keys.page(response.wsgi_request))) is None


def test_a_page_saved_again_while_it_was_rebuilt_is_not_rebuilt_again_for_a_second(
        story, saved, commit):
    """In a storm of saves slower builds than saves would rebuild a page back to back, for
    ever: after a rebuild that a save overtook, the page waits a second for the next."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    def request():
        r = RequestFactory().get("/x/")
        r.user, r.publication = AnonymousUser(), story.publication
        return r

    def view(request):
        page_cache.add_keys(request, keys.article(story.pk))
        if saves:
            saves.pop()()
        return HttpResponse(story.headline)

    def save_again():
        with commit():
            story.headline = "Night ferry returns with an extra boat"
            story.save()

    middleware = page_cache.PageCacheMiddleware(view)
    saves = []
    middleware(request()), middleware(request())  # built, then a hit
    saved()
    saves.append(save_again)  # the rebuild will be overtaken by another save
    assert middleware(request())["X-Newsroom-Cache"] == "miss"
    response = middleware(request())
    assert response["X-Newsroom-Cache"] == "stale"
    rebuild_done("/x/")  # as when the second is out
    response = middleware(request())
    assert response["X-Newsroom-Cache"] == "miss"
    assert response.content.decode() == "Night ferry returns with an extra boat"


def test_a_page_readers_waited_for_while_it_was_rebuilt_is_rebuilt_once_a_second_at_most(
        story, saved, commit):
    """A storm: readers got stale copies while the page was rebuilt. The next save then
    waits for the second to be out, instead of every save making its rebuild."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    def request():
        r = RequestFactory().get("/x/")
        r.user, r.publication = AnonymousUser(), story.publication
        return r

    others = []

    def view(request):
        page_cache.add_keys(request, keys.article(story.pk))
        if readers_meanwhile:
            others.append(middleware(request_for_another_reader.pop()))
        return HttpResponse(story.headline)

    middleware = page_cache.PageCacheMiddleware(view)
    readers_meanwhile = request_for_another_reader = []
    middleware(request()), middleware(request())  # built, then a hit
    saved()
    request_for_another_reader.append(request())
    assert middleware(request())["X-Newsroom-Cache"] == "miss"
    assert [r["X-Newsroom-Cache"] for r in others] == ["stale"]
    with commit():
        story.headline = "Night ferry returns with an extra boat"
        story.save()
    assert middleware(request())["X-Newsroom-Cache"] == "stale"
    rebuild_done("/x/")  # as when the second is out
    response = middleware(request())
    assert response["X-Newsroom-Cache"] == "miss"
    assert response.content.decode() == "Night ferry returns with an extra boat"


def test_a_rebuild_that_cannot_be_kept_hands_the_rebuilding_back(client, story, saved):
    from django.http import HttpResponse

    from articles.caching import pages

    warm(client, "/")
    saved()
    middleware = pages.PageCacheMiddleware(lambda request: HttpResponse("no keys"))
    request = RequestFactory().get("/")
    request.publication = story.publication
    assert middleware(request)["X-Newsroom-Cache"] == "pass"  # rebuilt, nothing to keep
    assert cache.get(keys.rebuilding(keys.page(request))) is None


def test_a_page_is_served_stale_for_at_most_the_window_after_a_save(
        client, story, saved, settings, monkeypatch):
    settings.NEWSROOM_PAGE_CACHE_STALE_SECONDS = 2
    warm(client, "/")
    saved()
    rebuilding_elsewhere("/")
    assert get(client, "/")[1] == "stale"
    later = generations.now() + 2_100_000  # 2.1 s on
    monkeypatch.setattr(page_cache, "now", lambda: later)
    response, state = get(client, "/")
    assert state == "miss" and NEW in response.text


def test_a_page_built_long_ago_is_served_stale_only_if_it_was_found_current_lately(
        client, story, saved, monkeypatch):
    """What a page missed came after the last time it was found current: a page built an
    hour ago and read a moment before the save is a moment stale, not an hour."""
    an_hour_ago = generations.now() - 3600 * 1_000_000
    monkeypatch.setattr(page_cache, "now", lambda: an_hour_ago)
    get(client, "/")  # built an hour ago
    monkeypatch.undo()
    assert get(client, "/")[1] == "hit"  # found current now
    saved()
    rebuilding_elsewhere("/")
    assert get(client, "/")[1] == "stale"
    page_cache.verified_at.clear()  # as in a process that never read it since
    response, state = get(client, "/")
    assert state == "miss" and NEW in response.text


def test_after_an_unpublish_no_reader_gets_the_page_as_it_was(client, story, editor, commit):
    url = story.get_absolute_url()
    warm(client, url, "/")
    with commit():
        workflow.article_unpublish(article=story, user=editor, note="Pulled by the desk")
    rebuilding_elsewhere(url), rebuilding_elsewhere("/")
    assert client.get(url).status_code == 404
    response, state = get(client, "/")
    assert state == "miss" and OLD not in response.text


def test_an_unpublish_right_after_a_stale_copy_was_served_is_seen_at_once(
        client, story, saved, editor, commit):
    warm(client, "/")
    saved()
    rebuilding_elsewhere("/")
    assert get(client, "/")[1] == "stale"
    with commit():
        workflow.article_unpublish(article=story, user=editor, note="Pulled by the desk")
    response, state = get(client, "/")
    assert state != "stale" and NEW not in response.text and OLD not in response.text


def test_after_a_deletion_no_reader_gets_the_page_as_it_was(client, story, commit):
    url = story.get_absolute_url()
    warm(client, url, "/")
    with commit():
        story.delete()
    rebuilding_elsewhere(url), rebuilding_elsewhere("/")
    assert client.get(url).status_code == 404
    assert OLD not in client.get("/").text


def test_after_a_tag_is_taken_off_no_reader_gets_the_tag_page_as_it_was(client, story, commit):
    path = f"/tag/{story.tags.get().slug}/"
    warm(client, path)
    with commit():
        story.tags.clear()
    rebuilding_elsewhere(path)
    response, state = get(client, path)
    assert state != "stale" and OLD not in response.text


def test_with_stale_copies_off_every_reader_after_a_save_builds_the_page(
        client, story, saved, settings):
    settings.NEWSROOM_PAGE_CACHE_STALE_SECONDS = 0
    warm(client, "/")
    saved()
    rebuilding_elsewhere("/")
    response, state = get(client, "/")
    assert state == "miss" and NEW in response.text


@pytest.mark.parametrize(("before", "after", "hard"), [
    ({"status": "published", "publish_at": -1}, {"status": "draft", "publish_at": -1}, True),
    ({"status": "published", "publish_at": -1}, {"status": "published", "publish_at": 1}, True),
    ({"status": "published", "publish_at": -1},
     {"status": "published", "publish_at": -1, "embargo_until": 1}, True),
    ({"status": "published", "publish_at": -1}, {"status": "published", "publish_at": -2}, False),
    ({"status": "draft", "publish_at": None}, {"status": "published", "publish_at": -1}, False),
    ({"status": "published", "publish_at": 1}, {"status": "draft", "publish_at": 1}, False),
    ({}, {"status": "published", "publish_at": -1}, False),
])
def test_a_save_is_hard_when_the_story_leaves_readers_view(before, after, hard):
    def placement(fields):
        hours = {k: v for k, v in fields.items() if k != "status"}
        return {"status": fields.get("status"), **{
            k: timezone.now() + timedelta(hours=v) if v is not None else None
            for k, v in hours.items()}} if fields else {}

    assert Article.Status.PUBLISHED == "published"
    assert left_readers_view(placement(before), placement(after)) is hard


def page_key(path):
    return keys.page(RequestFactory().get(path))


def test_a_page_too_old_to_serve_stale_is_rebuilt_by_one_reader_while_the_others_wait(
        client, story, saved, settings, monkeypatch):
    """On a busy machine a build can outlast the stale window; if every reader then built
    the page, the builds would slow each other down and never catch up."""
    settings.NEWSROOM_PAGE_CACHE_STALE_SECONDS = 2
    monkeypatch.setattr(page_cache, "REBUILD_WAIT", 0.1)
    warm(client, "/")
    saved()
    later = generations.now() + 2_100_000  # 2.1 s on: too old to serve
    monkeypatch.setattr(page_cache, "now", lambda: later)
    first = page_cache.find_page(page_key("/"))
    assert first.state == page_cache.REBUILD
    assert cache.get(keys.rebuilding(page_key("/"))) is not None
    # The next reader waits for that build; with nothing stored in time, it builds too.
    assert page_cache.find_page(page_key("/")).state == page_cache.MISS


def test_a_reader_waiting_for_a_rebuild_gets_the_copy_it_stores(
        client, story, saved, settings, monkeypatch):
    settings.NEWSROOM_PAGE_CACHE_STALE_SECONDS = 2
    warm(client, "/")
    saved()
    rebuilding_elsewhere("/")
    key = page_key("/")
    old = cache.get(key)
    later = generations.now() + 2_100_000
    monkeypatch.setattr(page_cache, "now", lambda: later)

    def the_other_request_stores_its_copy(seconds):
        current = tuple(cache.get(keys.generation(k)) for k in old[0])
        cache.set(key, (old[0], current, later, 200, old[4], b"built by the other request",
                        old[6]))

    monkeypatch.setattr(page_cache.time, "sleep", the_other_request_stores_its_copy)
    response, state = get(client, "/")
    assert state == "hit" and response.content == b"built by the other request"


def test_a_rebuild_that_took_its_whole_second_hands_the_rebuilding_back_even_in_a_storm(
        story, saved, monkeypatch):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    def request():
        r = RequestFactory().get("/x/")
        r.user, r.publication = AnonymousUser(), story.publication
        return r

    def slow_view(request):
        page_cache.add_keys(request, keys.article(story.pk))
        cache.set(keys.waiting(page_key("/x/")), 1)  # readers were given stale copies
        clock.append(clock[-1] + 1_200_000)  # and the build took 1.2 s
        return HttpResponse(story.headline)

    middleware = page_cache.PageCacheMiddleware(slow_view)
    clock = [generations.now()]
    middleware(request())
    saved()
    clock.append(generations.now())
    monkeypatch.setattr(page_cache, "now", lambda: clock[-1])
    assert middleware(request())["X-Newsroom-Cache"] == "miss"
    assert cache.get(keys.rebuilding(page_key("/x/"))) is None
