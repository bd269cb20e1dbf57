"""Search: finds public stories only, ranks and highlights on PostgreSQL, falls back to a
plain match on SQLite, and answers nonsense quickly."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.reading.search import MARK_END, MARK_START, ranked_ids, ranked_ids_sql, snippet_html

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(publication):
    def make(headline, body, **kwargs):
        kwargs.setdefault("status", Article.Status.PUBLISHED)
        kwargs.setdefault("publish_at", timezone.now() - timedelta(hours=len(headline)))
        return ArticleFactory(publication=publication, headline=headline, summary="",
                              body=f"<p>{body}</p>", dek="", **kwargs)

    return {
        "title": make("Lighthouse keeper retires after forty years",
                      "Odile Varga climbed the stairs every night."),
        "body": make("Harbor notes", "Volunteers repainted the lighthouse railings."),
        "other": make("School board race", "Three candidates debated on Monday."),
        "draft": make("Lighthouse sale draft", "The lighthouse may be sold.",
                      status=Article.Status.DRAFT, publish_at=None),
        "embargoed": make("Lighthouse embargoed", "The lighthouse report.",
                          embargo_until=timezone.now() + timedelta(days=1)),
        "scheduled": make("Lighthouse scheduled", "The lighthouse tour.",
                          publish_at=timezone.now() + timedelta(days=1)),
    }


def test_search_finds_public_stories_by_headline_and_body(client, stories):
    response = client.get("/search/", {"q": "lighthouse"})
    assert response.status_code == 200
    html = response.text
    assert stories["title"].headline in html
    assert stories["body"].headline in html
    assert stories["other"].headline not in html
    assert "draft" not in html.lower().split("<main")[1]
    assert "embargoed" not in html and "scheduled" not in html
    assert "2 results for" in html


def test_matched_words_are_highlighted(client, stories):
    html = client.get("/search/", {"q": "railings"}).text
    assert "<mark>railings</mark>" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking needs PostgreSQL")
def test_a_headline_match_ranks_above_a_body_match(client, stories):
    html = client.get("/search/", {"q": "lighthouse"}).text
    assert html.index(stories["title"].headline) < html.index(stories["body"].headline)


def test_snippets_escape_story_text_and_only_mark_matches():
    raw = f"a &lt;script&gt; {MARK_START}tide{MARK_END} <b>x</b> {MARK_START}cut"
    assert snippet_html(raw) == "a &lt;script&gt; <mark>tide</mark> &lt;b&gt;x&lt;/b&gt; cut"


def test_an_empty_search_shows_the_form(client, stories):
    response = client.get("/search/")
    assert response.status_code == 200
    assert 'name="q"' in response.text and "result" not in response.text


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "a & | ! ( ) : * <>", "-", "' OR 1=1 --", "lighthouse:*", "\\", "🦀 灯台",
     "light" * 39, "%_%"],
)
def test_odd_queries_answer_quickly_without_error(client, stories, query):
    started = time.monotonic()
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert time.monotonic() - started < 2


def test_a_ten_thousand_character_query_is_refused_quickly_and_kept(client, stories):
    started = time.monotonic()
    response = client.get("/search/", {"q": "lighthouse " * 910})
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert "at most 200 characters" in response.text
    assert 'value="lighthouse lighthouse' in response.text
    assert stories["title"].headline not in response.text


def test_a_null_character_is_a_clear_400(client, stories):
    response = client.get("/search/", {"q": "light\x00house"})
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.text


def test_search_results_can_be_narrowed_by_section(client, stories):
    section = stories["body"].section
    html = client.get("/search/", {"q": "lighthouse", "section": section.slug}).text
    assert stories["body"].headline in html
    assert stories["title"].headline not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgresql_answers_from_the_full_text_index(stories):
    from articles.reading.search import search

    # The index must match the search's own expression. On a table this small the planner
    # would rather read it all, so take that choice (and plain index scans) away.
    queryset = search(Article.objects.all(), "lighthouse keeper")
    sql, params = ranked_ids_sql(Article.objects.all(), "lighthouse keeper")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
        cursor.execute("EXPLAIN " + sql, params)
        ranked_plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_search_document_idx" in plan
    assert "article_search_document_idx" in ranked_plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")
def test_the_page_ranks_as_the_queryset_does(stories):
    from articles.reading.search import search

    stories_ = Article.objects.published()
    expected = list(search(stories_, "lighthouse").values_list("pk", flat=True))
    assert ranked_ids(stories_, "lighthouse") == expected
    assert expected == [stories["title"].pk, stories["body"].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")
def test_filters_narrow_the_stories_before_the_newest_matches_are_taken(
    client, stories, monkeypatch
):
    # With a window of one match, an unfiltered search sees only the newest story; a
    # section's search must still find that section's own (older) match.
    monkeypatch.setattr("articles.reading.search.SEARCH_WINDOW", 1)
    older = stories["title"]
    assert older.headline not in client.get("/search/", {"q": "lighthouse"}).text
    html = client.get("/search/", {"q": "lighthouse", "section": older.section.slug}).text
    assert older.headline in html
    assert "1 result for" in html


def test_no_model_change_is_left_without_a_migration():
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_an_edited_story_is_found_by_its_new_words(client, publication):
    from .factories import ArticleFactory

    story = ArticleFactory(publication=publication, published=True,
                           headline="Harbor council meets")
    assert "Harbor council meets" not in client.get("/search/", {"q": "cormorants"}).text
    story.headline = "Cormorants return to the breakwater"
    story.save()
    assert "Cormorants return to the breakwater" in client.get(
        "/search/", {"q": "cormorants"}).text


def test_results_are_paged_and_counted_with_a_snippet_each(client, publication,
                                                           django_assert_max_num_queries):
    for n in range(25):
        ArticleFactory(publication=publication, published=True,
                       publish_at=timezone.now() - timedelta(hours=n),
                       headline=f"Breakwater repair, day {n}",
                       body=f"<p>Crews worked on the breakwater for day {n}.</p>")
    first = client.get("/search/", {"q": "breakwater"})
    assert "25 results" in first.text
    assert first.text.count('class="search-result"') == 20
    assert first.text.count("<mark>") >= 20  # every result shows the matched word
    client.get("/search/", {"q": "breakwater", "page": 2})  # the masthead is now cached
    with django_assert_max_num_queries(5):
        second = client.get("/search/", {"q": "breakwater", "page": 2})
    assert second.text.count('class="search-result"') == 5
    shown = first.text + second.text
    assert all(f"Breakwater repair, day {n}<" in shown for n in range(25))
    assert client.get("/search/", {"q": "breakwater", "page": 3}).status_code == 404
