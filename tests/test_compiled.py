"""Queries compiled once per process (articles/reading/compiled.py): each request's values
take the stand-ins' places, and a stand-in that cannot be replaced is refused."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection
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


def test_a_prepared_query_runs_with_its_constants_written_in_and_selects_the_same(publication):
    # A constant with a percent sign in it (a LIKE pattern) as well: written into SQL that
    # still has placeholders, it must reach the database as it was.
    match = ArticleFactory(publication=publication, status=Article.Status.PUBLISHED,
                           headline="Rates rise 100% at the marina",
                           publish_at=timezone.now() - timedelta(hours=1))
    ArticleFactory(publication=publication, status=Article.Status.PUBLISHED,
                   headline="Rates rise at the marina",
                   publish_at=timezone.now() - timedelta(hours=2))
    stories = (Article.objects.published(at=STAND_IN_NOW).filter(headline__contains="100%")
               .on(-7_000_000).values_list("pk"))
    query = CompiledQuery(stories, {"now": STAND_IN_NOW, "publication": -7_000_000},
                          using=DEFAULT_DB_ALIAS, prepared=True)
    now = timezone.now()
    assert query.rows(now=now, publication=publication.pk) == [(match.pk,)]
    assert query.results(now=now, publication=publication.pk) == [(match.pk,)]
    fresh = (Article.objects.published(at=now).filter(headline__contains="100%")
             .on(publication.pk).values_list("pk"))
    sql, params = query.executed_sql_with_params(now=now, publication=publication.pk)
    if connection.vendor == "postgresql":
        # Only the stand-ins are parameters; the rest is the same query, as the client
        # would bind it.
        assert sorted(map(str, params)) == sorted(map(str, [now, now, publication.pk,
                                                            publication.pk]))
        assert "\"status\" = 'published'" in sql
        assert connection.ops.compose_sql(sql, params) == \
            connection.ops.compose_sql(*fresh.query.sql_with_params())
    else:  # nothing is prepared: the SQL runs as Django compiled it
        assert (sql, params) == fresh.query.sql_with_params()
    assert query.sql_with_params(now=now, publication=publication.pk) == \
        fresh.query.sql_with_params()
