"""Listings count and page through a bounded number of stories, however large the archive."""

import pytest

from articles.models import Article
from articles.reading import pagination

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_count_stops_at_the_page_cap(publication, monkeypatch):
    monkeypatch.setattr(pagination, "MAX_PAGES", 2)
    for _ in range(7):
        ArticleFactory(publication=publication, published=True)
    paginator = pagination.CappedPaginator(Article.objects.order_by("pk"), per_page=3)
    assert paginator.count == 6
    assert paginator.num_pages == 2


def test_pages_past_the_cap_are_404(client, publication, monkeypatch):
    monkeypatch.setattr(pagination, "MAX_PAGES", 1)
    for _ in range(21):
        ArticleFactory(publication=publication, published=True)
    assert client.get("/", {"page": 1}).status_code == 200
    assert client.get("/", {"page": 2}).status_code == 404


def test_the_count_is_a_bounded_query(publication, django_assert_num_queries):
    paginator = pagination.CappedPaginator(Article.objects.all(), per_page=20)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 0
    assert "LIMIT 1000" in queries.captured_queries[0]["sql"]


def test_listings_page_without_counting(client, publication):
    """A page reads one story more than it shows: no COUNT, however many stories a tag has."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(21):
        story = ArticleFactory(publication=publication, published=True)
        story.tags.add("harbor-dredging")
    for path in ["/", "/tag/harbor-dredging/", f"/section/{story.section.slug}/"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries), path


def test_older_stories_link_only_while_older_stories_exist(client, publication):
    stories = [ArticleFactory(publication=publication, published=True) for _ in range(21)]
    for story in stories:
        story.tags.add("tide-tables")
    first = client.get("/tag/tide-tables/").text
    assert 'rel="next"' in first and "Older stories" in first
    assert "Page 1" in first
    second = client.get("/tag/tide-tables/", {"page": 2})
    assert second.status_code == 200
    assert 'rel="next"' not in second.text and 'rel="prev"' in second.text
    assert second.text.count('class="card') >= 1
    assert client.get("/tag/tide-tables/", {"page": 3}).status_code == 404


def test_a_full_last_page_has_no_older_link_and_no_empty_page_after(client, publication):
    for _ in range(20):
        ArticleFactory(publication=publication, published=True).tags.add("pier-repairs")
    html = client.get("/tag/pier-repairs/").text
    assert 'rel="next"' not in html
    assert client.get("/tag/pier-repairs/", {"page": 2}).status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "51", "99999999999999999999"])
def test_nonsense_page_numbers_are_404(client, publication, page):
    ArticleFactory(publication=publication, published=True)
    assert client.get("/", {"page": page}).status_code == 404


def test_the_last_page_can_still_be_asked_for(client, publication):
    for _ in range(25):
        ArticleFactory(publication=publication, published=True)
    html = client.get("/", {"page": "last"}).text
    assert "Page 2" in html and 'rel="next"' not in html


def test_an_open_ended_page_numbers_its_stories(publication):
    for _ in range(5):
        ArticleFactory(publication=publication, published=True)
    paginator = pagination.OpenEndedPaginator(Article.objects.order_by("pk"), per_page=2)
    first, last = paginator.page(1), paginator.page(3)
    assert (first.start_index(), first.end_index(), first.has_next()) == (1, 2, True)
    assert (last.start_index(), last.end_index(), last.has_next()) == (5, 5, False)
    assert first.next_page_number() == 2 and last.previous_page_number() == 2
