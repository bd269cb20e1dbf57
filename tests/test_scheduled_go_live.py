"""A scheduled story or a lifted embargo is on every cached page the moment it goes live,
to the microsecond, with no save to announce it.

The clock is the test's: "now" for the database queries, the cache's generations and the
in-memory cache's expiry all read it, so each moment is exact and no test waits.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.caching import generations
from articles.models import Article, ArticleQuerySet

from .factories import ArticleFactory, BylineFactory, SectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

# Going live at a moment with a fraction of a second, as a schedule made in the admin is not.
GO_LIVE = datetime(2030, 3, 4, 17, 0, 0, 250_000, tzinfo=UTC)


class Clock:
    def __init__(self, moment):
        self.moment = moment

    def set(self, moment):
        self.moment = moment

    def generation(self):
        """The moment as a generation: whole microseconds since the epoch."""
        return (self.moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


@pytest.fixture
def clock(monkeypatch, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    clock = Clock(GO_LIVE - timedelta(hours=3))
    monkeypatch.setattr(timezone, "now", lambda: clock.moment)
    monkeypatch.setattr(generations, "now", clock.generation)
    for name in ("pages", "fragments"):  # wherever it was imported by name
        monkeypatch.setattr(f"articles.caching.{name}.now", clock.generation, raising=False)
    # The in-memory cache's expiry (Redis counts its own whole seconds).
    monkeypatch.setattr(time, "time", lambda: clock.moment.timestamp())
    return clock


@pytest.fixture
def newsroom(publication, clock):
    section = SectionFactory(publication=publication, name="Harbor", slug="harbor")
    live = ArticleFactory(publication=publication, section=section, published=True,
                          headline="Harbor dredging begins")
    BylineFactory(article=live)
    scheduled = ArticleFactory(publication=publication, section=section,
                               status=Article.Status.PUBLISHED, publish_at=GO_LIVE,
                               headline="Pilots ratify the harbor contract")
    BylineFactory(article=scheduled)
    embargoed = ArticleFactory(publication=publication, section=section,
                               status=Article.Status.PUBLISHED,
                               publish_at=GO_LIVE - timedelta(hours=2), embargo_until=GO_LIVE,
                               headline="Port budget lifts dock fees")
    BylineFactory(article=embargoed)
    return section


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), response.get("X-Newsroom-Cache")


NEW_HEADLINES = ["Pilots ratify the harbor contract", "Port budget lifts dock fees"]
URLS = ["/", "/section/harbor/", "/feed/", "/feed/atom/", "/sitemaps/news.xml"]


@pytest.mark.parametrize("url", URLS)
def test_a_page_stored_just_before_a_story_goes_live_is_not_served_after(client, clock,
                                                                         newsroom, url):
    clock.set(GO_LIVE - timedelta(milliseconds=300))
    first, state = get(client, url)
    assert state == "miss"
    assert not any(h in first for h in NEW_HEADLINES)
    clock.set(GO_LIVE - timedelta(microseconds=1))
    assert get(client, url)[1] == "hit"  # still the right page, a microsecond before
    clock.set(GO_LIVE)
    page, state = get(client, url)
    assert state == "miss"
    assert all(h in page for h in NEW_HEADLINES), url


def test_a_page_read_before_and_stored_after_the_moment_is_not_kept(client, clock, newsroom,
                                                                    monkeypatch):
    from articles.reading.views import HomeView

    build = HomeView.get_context_data

    def slow_build(view, **kwargs):
        context = build(view, **kwargs)  # the stories are read before the story is live…
        clock.set(GO_LIVE + timedelta(milliseconds=200))  # …and the page stored after
        return context

    clock.set(GO_LIVE - timedelta(milliseconds=100))
    monkeypatch.setattr(HomeView, "get_context_data", slow_build)
    page, state = get(client, "/")
    assert "Pilots ratify" not in page
    assert state == "pass"  # built for this reader, kept for no other
    monkeypatch.setattr(HomeView, "get_context_data", build)
    clock.set(GO_LIVE + timedelta(milliseconds=300))
    page, _state = get(client, "/")
    assert "Pilots ratify the harbor contract" in page


def test_once_a_story_is_live_pages_are_kept_until_the_next_one(client, clock, newsroom,
                                                                 publication):
    later = GO_LIVE + timedelta(seconds=100)
    ArticleFactory(publication=publication, section=newsroom, status=Article.Status.PUBLISHED,
                   publish_at=later, headline="Ferry fares fall in spring")
    clock.set(GO_LIVE - timedelta(milliseconds=500))
    get(client, "/")
    clock.set(GO_LIVE + timedelta(seconds=1))
    page, state = get(client, "/")
    assert state == "miss" and "Pilots ratify" in page and "Ferry fares fall" not in page
    clock.set(later - timedelta(microseconds=1))
    assert get(client, "/")[1] == "hit"  # not rebuilt every second in between
    clock.set(later)
    page, state = get(client, "/")
    assert state == "miss" and "Ferry fares fall in spring" in page


def test_a_schedule_saved_while_the_next_change_is_read_is_not_missed(
        client, clock, publication, monkeypatch, commit):
    """The next go-live time is read from the database and kept in the cache; a story
    scheduled between that read and that write must still bound what is kept."""
    section = SectionFactory(publication=publication, name="Harbor", slug="harbor")
    BylineFactory(article=ArticleFactory(publication=publication, section=section,
                                         published=True, headline="Harbor dredging begins"))
    clock.set(GO_LIVE - timedelta(seconds=10))
    read = ArticleQuerySet.next_public_change

    def read_then_someone_schedules(queryset, **kwargs):
        found = read(queryset, **kwargs)  # nothing scheduled yet
        monkeypatch.setattr(ArticleQuerySet, "next_public_change", read)
        clock.set(clock.moment + timedelta(microseconds=1))
        with commit():  # an editor's schedule commits before the answer is kept
            ArticleFactory(publication=publication, section=section,
                           status=Article.Status.PUBLISHED, publish_at=GO_LIVE,
                           headline="Pilots ratify the harbor contract")
        return found

    monkeypatch.setattr(ArticleQuerySet, "next_public_change", read_then_someone_schedules)
    get(client, "/")  # the page that read the next change as the schedule committed
    for seconds_before in (5, 3):  # later readers' pages, bounded by that schedule
        clock.set(GO_LIVE - timedelta(seconds=seconds_before))
        assert "Pilots ratify" not in get(client, "/")[0]
    clock.set(GO_LIVE)
    page, _state = get(client, "/")
    assert "Pilots ratify the harbor contract" in page
