"""On PostgreSQL, the story page's own queries and a list page's stories and cards are
prepared statements (parsed and planned once per connection, with their constants written
in: ``newsroom/postgresql/base.py``'s ``prepared_cursor``, ``CompiledQuery(prepared=True)``),
and no other query is: Django's cursors bind their parameters on the client, as before."""

import pytest
from django.db import connection

from tests.factories import ArticleFactory, BylineFactory


@pytest.fixture
def postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements: PostgreSQL pass only")
    connection.ensure_connection()


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_story_page_prepares_its_story_bylines_and_in_other_news_items_queries(
        postgresql, client, story, settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False  # every part built: every query run
    BylineFactory(article=story)
    story.tags.add("harbour")
    neighbour = ArticleFactory(publication=story.publication, published=True,
                               headline="Harbour dredging starts")
    neighbour.tags.add("harbour")
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200 and "Harbour dredging starts" in response.text
    statements = prepared_statements()
    assert len(statements) == 3
    # psycopg sends PostgreSQL each %s as $1, $2, …; the tags come with the story; In
    # Other News's ranking is not prepared (its plan depends on the story's tags and
    # section), the stories it ranks are.
    assert {
        "story" if 'run."slug" = $' in s else
        "bylines" if 'FROM "articles_byline"' in s else
        "items" if 'run."article_id" IN ($' in s else s
        for s in statements} == {"story", "bylines", "items"}
    # Prepared once: the next page uses the same statements.
    client.get(story.get_absolute_url())
    assert sorted(prepared_statements()) == sorted(statements)


def test_the_front_page_prepares_its_newest_stories_and_its_cards_stories_and_bylines(
        postgresql, client, story, settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False  # every card built: its stories loaded
    response = client.get("/")
    assert response.status_code == 200 and "Dana Reyes" in response.text
    statements = prepared_statements()
    assert {
        "newest" if "LIMIT 400" in s else
        "stories" if 'FROM "articles_article"' in s and 'run."article_id" IN ($' in s else
        "bylines" if 'FROM "articles_byline"' in s else s
        for s in statements} == {"newest", "stories", "bylines"}
    assert len(statements) == 3
    client.get("/")
    assert sorted(prepared_statements()) == sorted(statements)


def test_other_queries_are_not_prepared(postgresql, story):
    for _ in range(10):  # more than psycopg's default threshold (5)
        with connection.cursor() as cursor:
            cursor.execute("SELECT headline FROM articles_article WHERE id = %s", [story.pk])
    assert prepared_statements() == []


def test_preparing_turned_off_in_options_prepares_nothing(postgresql, monkeypatch):
    # As for a relay that cannot keep prepared statements (pgbouncer's transaction
    # pooling before 1.21): OPTIONS' prepare_threshold None.
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "prepare_threshold", None)
    with connection.prepared_cursor() as cursor:
        cursor.execute("SELECT %s::int + 1", [1])
        assert cursor.fetchone() == (2,)
    assert prepared_statements() == []
    monkeypatch.undo()
    with connection.prepared_cursor() as cursor:
        cursor.execute("SELECT %s::int + 1", [1])
        assert cursor.fetchone() == (2,)
    assert prepared_statements() == ["SELECT $1::int + 1"]


def plans():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return cursor.fetchall()


def test_the_front_pages_newest_stories_are_planned_once_knowing_the_masthead(
        postgresql, client, story, settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False
    for _ in range(7):  # past PostgreSQL's five plans for a statement's own values
        assert client.get("/").status_code == 200
    [(newest, generic, custom)] = [row for row in plans() if "LIMIT 400" in row[0]]
    # Planned once, for every request's time: never for a request's own values.
    assert (generic, custom) == (7, 0)
    # The masthead and the status are in its text; only the time is a parameter.
    masthead = story.publication_id
    assert f'run."publication_id" = {masthead}' in newest
    assert "\"status\" = 'published'" in newest
    assert "$1" in newest and "$2" in newest and "$3" not in newest


def server_setting(options, name):
    """``name`` as PostgreSQL has it on a new connection made with these OPTIONS."""
    other = connection.copy()  # a connection of its own, on the same database
    other.settings_dict = {**connection.settings_dict, "OPTIONS": options}
    try:
        with other.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]
    finally:
        other.close()


def test_prepared_statements_are_planned_generically_unless_options_say_how_to_prepare(
        postgresql):
    assert server_setting({}, "plan_cache_mode") == "force_generic_plan"
    # OPTIONS that set psycopg's preparing (every statement after a threshold, or none)
    # leave PostgreSQL's choice as it is: statements prepared then are not only ours.
    assert server_setting({"prepare_threshold": 5}, "plan_cache_mode") == "auto"
    assert server_setting({"prepare_threshold": None}, "plan_cache_mode") == "auto"
    # And the connection is still set up as Django sets it up (its time zone: UTC, as
    # Django asks with USE_TZ on).
    assert server_setting({}, "TimeZone") == "UTC"
