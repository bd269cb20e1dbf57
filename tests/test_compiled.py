"""Queries compiled once per process (articles/reading/compiled.py): each request's values
take the stand-ins' places, and a stand-in that cannot be replaced is refused."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from articles.models import Article
from articles.reading.compiled import CompiledQuery

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

STAND_IN_NOW = datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC)


def test_each_requests_values_take_the_stand_ins_places(publication):
    old = ArticleFactory(publication=publication, status=Article.Status.PUBLISHED,
                         publish_at=timezone.now() - timedelta(days=2))
    new = ArticleFactory(publication=publication, status=Article.Status.PUBLISHED,
                         publish_at=timezone.now() - timedelta(hours=1))
    query = CompiledQuery(
        Article.objects.published(at=STAND_IN_NOW).filter(publication_id=-7_000_000)
        .order_by("-publish_at").values_list("pk"),
        {"now": STAND_IN_NOW, "publication": -7_000_000}, using=DEFAULT_DB_ALIAS)
    now = timezone.now()
    assert query.rows(now=now, publication=publication.pk) == [(new.pk,), (old.pk,)]
    assert query.rows(now=now - timedelta(days=1), publication=publication.pk) == [(old.pk,)]
    assert query.rows(now=now, publication=publication.pk + 1) == []
    fresh = (Article.objects.published(at=now).filter(publication_id=publication.pk)
             .order_by("-publish_at").values_list("pk"))
    assert query.sql_with_params(now=now, publication=publication.pk) == \
        fresh.query.sql_with_params()
    assert query.results(now=now, publication=publication.pk) == [(new.pk,), (old.pk,)]
    stories = CompiledQuery(Article.objects.published(at=STAND_IN_NOW).on(-7_000_000)
                            .newest_first(), {"now": STAND_IN_NOW, "publication": -7_000_000},
                            using=DEFAULT_DB_ALIAS).results(now=now, publication=publication.pk)
    # Model instances, as iterating the queryset makes them: each shown as ``on`` shows it.
    assert [(a.pk, a.headline, a.runs_here, a.section) for a in stories] == \
        [(new.pk, new.headline, True, new.section), (old.pk, old.headline, True, old.section)]


def test_a_stand_in_written_into_the_sql_itself_is_refused():
    # A slice's bounds are written into the SQL's text: no request could change them.
    with pytest.raises(RuntimeError, match="limit"):
        CompiledQuery(Article.objects.all()[:777_777], {"limit": 777_777},
                      using=DEFAULT_DB_ALIAS)
