"""Listings count and page through a bounded number of stories, however large the archive."""

import pytest

from articles import pagination
from articles.models import Article

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
