""""In Other News": curated first, then shared tags, same section, most recent; never the
story itself or anything readers may not see; more batches as a page or a fragment."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.reading import related

from .factories import ArticleFactory, ImageFactory, RelatedItemFactory, SectionFactory

pytestmark = pytest.mark.django_db


def hours_ago(n):
    return timezone.now() - timedelta(hours=n)


@pytest.fixture
def story(publication):
    article = ArticleFactory(publication=publication, published=True,
                             headline="Ferry fares rise for the first time in a decade")
    article.tags.set(["ferries", "fares"])
    return article


def make(publication, headline, *, tags=(), section=None, age=5, **kwargs):
    article = ArticleFactory(publication=publication, headline=headline,
                             section=section or SectionFactory(publication=publication),
                             status=kwargs.pop("status", Article.Status.PUBLISHED),
                             publish_at=kwargs.pop("publish_at", hours_ago(age)), **kwargs)
    article.tags.set(list(tags))
    return article


def headlines(html):
    return re.findall(r'class="other-news-headline" href="[^"]*">([^<]*)</a>', html)


def test_automatic_items_rank_shared_tags_then_section_then_recency(client, publication, story):
    recent = make(publication, "Most recent, nothing shared", age=1)
    same_section = make(publication, "Same section only", section=story.section, age=9)
    one_tag = make(publication, "Shares one tag", tags=["fares"], age=20)
    two_tags = make(publication, "Shares both tags", tags=["ferries", "fares"], age=30)
    html = client.get(story.get_absolute_url()).text
    assert headlines(html) == [two_tags.headline, one_tag.headline, same_section.headline,
                               recent.headline]


def test_curated_items_come_first_and_are_not_repeated(client, publication, story):
    automatic = make(publication, "Shares a tag", tags=["ferries"], age=1)
    curated = make(publication, "Chosen by the editor", age=50)
    RelatedItemFactory(article=story, target=curated, order=0)
    RelatedItemFactory(article=story, target=automatic, order=1)
    html = client.get(story.get_absolute_url()).text
    assert headlines(html) == [curated.headline, automatic.headline]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": Article.Status.DRAFT, "publish_at": None},
        {"status": Article.Status.IN_REVIEW},
        {"publish_at": timezone.now() + timedelta(hours=3)},
        {"embargo_until": timezone.now() + timedelta(hours=3)},
        {"status": Article.Status.UNPUBLISHED},
    ],
    ids=["draft", "in-review", "scheduled", "embargoed", "unpublished"],
)
def test_stories_readers_may_not_see_never_appear(client, publication, story, kwargs):
    hidden = make(publication, "Hidden story about ferries", tags=["ferries"], **kwargs)
    RelatedItemFactory(article=story, target=hidden)
    html = client.get(story.get_absolute_url()).text
    assert "Hidden story" not in html
    assert hidden.pk not in [a.pk for a in related.automatic_candidates(story)]


def test_the_story_itself_and_other_publications_never_appear(client, publication, story,
                                                              other_publication):
    make(other_publication, "A ferry story on another masthead", tags=["ferries"])
    html = client.get(story.get_absolute_url()).text
    assert story.headline not in headlines(html)
    assert "another masthead" not in html


def test_each_item_shows_headline_thumbnail_section_and_time(client, publication, story):
    other = make(publication, "New dock opens", tags=["ferries"],
                 lead_image=ImageFactory(), section=SectionFactory(publication=publication,
                                                                   name="Harbor"))
    html = client.get(story.get_absolute_url()).text
    item = html[html.index('<li class="other-news-item">'):]
    item = item[: item.index("</li>")]
    assert "New dock opens" in item
    assert 'class="other-news-section">Harbor</p>' in item
    assert "<picture>" in item and "crop-" in item
    assert f'<time datetime="{timezone.localtime(other.publish_at).replace(microsecond=0).isoformat()}"' in item


@pytest.fixture
def many(publication, story):
    return [make(publication, f"Older ferry story {n:02d}", tags=["ferries"], age=10 + n)
            for n in range(related.BATCH_SIZE * 2 + 2)]


def test_load_more_batches_continue_without_duplicates(client, story, many):
    first = headlines(client.get(story.get_absolute_url()).text)
    more_url = f"/more/{story.pk}/"
    second = headlines(client.get(more_url, {"page": 2, "partial": 1}).text)
    third = headlines(client.get(more_url, {"page": 3, "partial": 1}).text)
    seen = first + second + third
    assert len(first) == len(second) == related.BATCH_SIZE
    assert len(third) == 2
    assert len(seen) == len(set(seen)) == len(many)
    assert seen == [a.headline for a in many]


def test_the_more_link_works_without_javascript(client, story, many):
    html = client.get(story.get_absolute_url()).text
    href = re.search(r'class="load-more" [^>]*href="([^"]+)"', html).group(1)
    assert href == f"/more/{story.pk}/?page=2"
    page = client.get(href)
    assert page.status_code == 200
    assert "<html" in page.text and "More stories" in page.text
    assert 'rel="next" href="?page=3"' in page.text


def test_the_fragment_is_only_the_items_and_the_next_address(client, story, many):
    html = client.get(f"/more/{story.pk}/", {"page": 2, "partial": 1}).text
    assert "<html" not in html
    assert f'data-next="/more/{story.pk}/?page=3"' in html
    last = client.get(f"/more/{story.pk}/", {"page": 3, "partial": 1}).text
    assert 'data-next=""' in last


def test_load_more_reaches_the_last_candidate_when_each_list_is_cut_short(
        client, publication, story, monkeypatch):
    """Each source of candidates is cut at ``CANDIDATES`` stories: following "More stories"
    from the page, fragment after fragment, lists every candidate once, in the ranking's
    order, and the last fragment offers no more."""
    monkeypatch.setattr(related, "CANDIDATES", 4)
    story.section = SectionFactory(publication=publication)
    story.save()
    for n in range(6):
        make(publication, f"Unrelated {n}", age=1 + n)
        make(publication, f"Section {n}", section=story.section, age=10 + n)
        make(publication, f"Ferries {n}", tags=["ferries"], age=20 + n)
        make(publication, f"Fares {n}", tags=["fares"], age=30 + n)
    candidates = [a.headline for a in related.automatic_candidates(story)]
    # Four of each list (three of those the story itself heads): three batches, not 24
    # stories' worth.
    assert len(candidates) == 3 + 3 + 4 + 4

    seen = headlines(client.get(story.get_absolute_url()).text)
    next_url = f"/more/{story.pk}/?page=2"
    while next_url:
        fragment = client.get(f"{next_url}&partial=1").text
        seen += headlines(fragment)
        next_url = re.search(r'data-next="([^"]*)"', fragment).group(1)
    assert seen == candidates


@pytest.mark.parametrize("page", ["abc", "-1", "0", "4", "99999999999", "1e3", ""])
def test_nonsense_batches_are_404(client, story, many, page):
    response = client.get(f"/more/{story.pk}/", {"page": page, "partial": 1})
    assert response.status_code == 404


@pytest.mark.parametrize("kwargs", [{"status": Article.Status.DRAFT, "publish_at": None},
                                    {"publish_at": timezone.now() + timedelta(hours=3)},
                                    {"embargo_until": timezone.now() + timedelta(hours=3)}],
                         ids=["draft", "scheduled", "embargoed"])
def test_more_for_a_story_readers_may_not_see_is_404(client, publication, kwargs):
    hidden = make(publication, "Not yet", **kwargs)
    make(publication, "Public neighbour")
    assert client.get(f"/more/{hidden.pk}/", {"page": 2}).status_code == 404
    assert client.get("/more/987654/", {"page": 2}).status_code == 404


def test_other_news_costs_the_same_queries_whatever_the_number_of_items(client, publication,
                                                                       settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False  # every page is built: count what that costs
    def story_with(n):
        article = make(publication, f"Story with {n}", tags=[f"t{i}" for i in range(n)])
        for i in range(n):
            target = make(publication, f"Curated {n}-{i}", lead_image=ImageFactory())
            RelatedItemFactory(article=article, target=target, order=i)
            make(publication, f"Automatic {n}-{i}", tags=[f"t{i}"], lead_image=ImageFactory())
        return article

    small, large = story_with(1), story_with(7)
    client.get(small.get_absolute_url())  # warm caches (content types)
    counts = []
    for article in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        with CaptureQueriesContext(connection) as more_queries:
            assert client.get(f"/more/{article.pk}/", {"page": 1, "partial": 0}).status_code == 200
        counts.append((len(queries), len(more_queries)))
    assert counts[0] == counts[1]


def test_more_for_another_publications_story_is_404(client, publication, other_publication):
    elsewhere = make(other_publication, "Valley story", tags=["ferries"])
    make(other_publication, "Valley neighbour", tags=["ferries"])
    assert client.get(f"/more/{elsewhere.pk}/", {"page": 1}).status_code == 404
    assert client.get(f"/more/{elsewhere.pk}/", {"page": 1},
                      HTTP_HOST="valley.example").status_code == 200


def plan_nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from plan_nodes(child)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")
def test_each_source_of_candidates_is_read_in_its_index_order(publication, story):
    """In Other News costs the same on a large archive: every list its candidates come
    from (the masthead's newest, the section's newest, each tag's latest) is read in the
    order of an index and stops after a few hundred rows, and the ranking looks at those
    rows alone. (The planner is kept from whole-table scans, hash joins and sorts, as a
    large archive keeps it; on a test's few rows they cost it less. A list that could not
    be read in index order would still be sorted.)"""
    story.section = SectionFactory(publication=publication)
    story.save()
    for n in range(20):
        make(publication, f"Neighbour {n}", tags=["ferries"] if n % 2 else ["fares"],
             section=story.section if n % 3 else None, age=n + 1)
    article = Article.objects.published().on(publication).get(pk=story.pk)
    tag_ids = [tag.pk for tag in article.tags.all()]
    sql, params = related._window_sql(article, publication, tag_ids, [article.pk], 0, 7)
    with connection.cursor() as cursor:
        for setting in ("seqscan", "bitmapscan", "hashjoin", "mergejoin", "sort"):
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]
    nodes = list(plan_nodes(plan))
    append = next(node for node in nodes if node["Node Type"] == "Append")
    sources = append["Plans"]
    # Newest, the section's, and the tags' (one for all of them: fewer to plan).
    assert len(sources) == 1 + 1 + 1

    def scans(node):
        return [n.get("Index Name") for n in plan_nodes(node) if "Relation Name" in n]

    newest, section, tags = sources
    # The section's newest: from its own index, or the masthead's, read in order.
    for source, indexes in [(newest, {"run_listing_idx"}),
                            (section, {"run_section_list_idx", "run_listing_idx"})]:
        assert not [n for n in plan_nodes(source) if n["Node Type"] == "Sort"]
        assert scans(source)[0] in indexes
    # A bounded walk of each tag's index in turn, then a lookup of each story they found.
    walks = [n for n in plan_nodes(tags) if n["Node Type"] == "Limit"
             and n["Plans"][0].get("Index Name") == "tagged_latest_idx"]
    assert len(walks) == 1 and walks[0]["Parent Relationship"] == "Inner"  # once a tag
    assert "Seq Scan" not in {n["Node Type"] for n in plan_nodes(tags)}
    # The ranking reads the candidates, not the archive: no story row is read outside
    # the sources but the shared tags' index.
    inside = [id(n) for n in plan_nodes(append)]
    outside = [n for n in plan_nodes(plan) if id(n) not in inside]
    assert {n.get("Relation Name") for n in outside} <= {None, "articles_taggedarticle"}


def test_each_tag_brings_only_its_latest_written_stories(publication, story, monkeypatch):
    """A story sharing both tags but written before the latest few of each (CANDIDATES;
    the box shows six) is old news: it is no candidate, however many tags it shares."""
    old = make(publication, "Written long ago, shares both tags", tags=["ferries", "fares"],
               age=100)
    newer = [make(publication, f"Later {tag} story {n}", tags=[tag], age=10 + n)
             for tag in ("ferries", "fares") for n in range(2)]

    def listed():
        return [a.headline for a in related.automatic_batch(story, 1).items]

    assert listed()[0] == old.headline  # every list holds it while lists are long enough
    monkeypatch.setattr(related, "CANDIDATES", 2)
    assert old.headline not in listed()
    assert set(listed()) == {a.headline for a in newer}


def every_batch(story):
    """The headlines of every batch of ``story``'s automatic items, in order."""
    seen, number = [], 1
    while True:
        batch = related.automatic_batch(story, number)
        seen += [a.headline for a in batch.items]
        if not batch.has_next:
            return seen
        number += 1


def test_stories_sharing_several_tags_and_ties_rank_in_order(publication, story):
    """More shared tags first, then the story's section, then the newest; stories equal
    in all three come newest written first, through every batch."""
    story.tags.add("tides")
    same_time = hours_ago(7)
    older_same_time = hours_ago(30)
    in_section = {"section": story.section}
    make(publication, "Nothing shared", age=2)
    make(publication, "Section only", age=3, **in_section)
    one_a = make(publication, "Shares fares, A", tags=["fares"], publish_at=same_time)
    one_b = make(publication, "Shares fares, B", tags=["fares"], publish_at=same_time)
    make(publication, "Shares tides, in section", tags=["tides"], age=40, **in_section)
    two_a = make(publication, "Shares two, A", tags=["ferries", "fares"],
                 publish_at=older_same_time)
    two_b = make(publication, "Shares two, B", tags=["tides", "fares"],
                 publish_at=older_same_time)
    make(publication, "Shares two, in section", tags=["ferries", "tides"], age=50,
         **in_section)
    make(publication, "Shares all three", tags=["ferries", "fares", "tides", "harbor"],
         age=90)
    assert two_a.pk < two_b.pk and one_a.pk < one_b.pk
    assert every_batch(story) == [
        "Shares all three", "Shares two, in section", two_b.headline, two_a.headline,
        "Shares tides, in section", one_b.headline, one_a.headline, "Section only",
        "Nothing shared",
    ]


@pytest.mark.parametrize("candidates", [2, 3, 5, related.CANDIDATES])
def test_shared_tags_count_whether_or_not_each_tags_list_holds_the_story(
        publication, story, monkeypatch, candidates):
    """Every shared tag counts, also for a story no longer in a tag's list (written before
    that tag's latest few): one of the masthead's newest written long ago, one still in
    one tag's list but not in the other's. Each batch is what ranking every candidate
    by all its shared tags gives (the ORM's ranking, SQLite's query)."""
    monkeypatch.setattr(related, "CANDIDATES", candidates)
    written_first = make(publication, "Written first, published last, shares both",
                         tags=["ferries", "fares"], age=0.5)
    in_one_list = make(publication, "Shares both, still among the latest ferries",
                       tags=["ferries", "fares"], age=60)
    for n in range(6):
        make(publication, f"Later fares story {n}", tags=["fares"], age=10 + n,
             section=story.section if n % 2 else None)
    make(publication, "Later ferries story", tags=["ferries"], age=70)
    for n in range(4):
        make(publication, f"Unrelated {n}", age=20 + n, section=story.section if n % 2 else None)
    ranked = [a.headline for a in related.automatic_candidates(story)]
    assert ranked[0] == written_first.headline  # the newest, and it shares both
    # However short the lists (the fares list moves past it at two, three and five), it
    # counts two shared tags.
    assert ranked[1] == in_one_list.headline
    assert every_batch(story) == ranked


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_stories_and_their_runs_are_looked_up_through_hash_indexes():
    """In Other News's per-candidate lookups cost the same at any archive's size: a hash
    index reads one bucket page where a B-tree reads one more page for each level."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                       "WHERE indexname IN ('article_id_hash_idx', 'run_article_hash_idx')")
        indexes = dict(cursor.fetchall())
    assert indexes.keys() == {"article_id_hash_idx", "run_article_hash_idx"}
    assert "articles_article USING hash (id)" in indexes["article_id_hash_idx"]
    assert "articles_run USING hash (article_id)" in indexes["run_article_hash_idx"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's batch query")
def test_the_union_compiled_once_is_filled_with_each_storys_own_values(
        publication, other_publication, monkeypatch):
    """The candidates' union is compiled once for each shape of story and reused: each
    story gets exactly the SQL and parameters compiling it afresh would give."""
    now = timezone.now()
    monkeypatch.setattr(related.timezone, "now", lambda: now)
    other_publication.other_news_from_network = True
    for masthead in (publication, publication, other_publication, other_publication):
        for tags in ([], ["ferries"], ["ferries", "fares", "tides"]):
            article = make(masthead, f"Story {len(tags)}", tags=tags)
            tag_ids = [tag.pk for tag in article.tags.all()]
            for section_id in (article.section_id, None):
                fresh = related._union(masthead, section_id, tag_ids, at=now)
                assert (related._union_sql(masthead, section_id, tag_ids)
                        == fresh.query.sql_with_params())


def loaded(obj):
    """Everything a loaded model instance holds: its fields and annotations, and the
    related objects loaded with it, each the same way."""
    return ({k: v for k, v in vars(obj).items() if k != "_state"},
            {name: loaded(rel) if rel is not None else None
             for name, rel in obj._state.fields_cache.items()})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's batch query")
def test_the_batch_compiled_once_gives_each_story_what_a_fresh_compile_gives(
        publication, other_publication, monkeypatch):
    """A batch's ranking (its union of sources) and its stories' query are compiled once
    for each shape of story and reused: each story, batch and list of stories left out gets
    exactly the SQL and parameters a fresh compile gives, and the stories (with their runs
    and pictures) a fresh queryset loads, in the ranking's order."""
    now = timezone.now()
    monkeypatch.setattr(related.timezone, "now", lambda: now)
    other_publication.other_news_from_network = True
    neighbours = [make(publication, f"Neighbour {n}", tags=["ferries"] if n % 2 else ["tides"],
                       age=n + 1) for n in range(9)]
    for masthead in (publication, publication, other_publication, other_publication):
        for tags in ([], ["ferries"], ["ferries", "fares", "tides"]):
            article = make(masthead, f"Story {len(tags)}", tags=tags)
            tag_ids = [tag.pk for tag in article.tags.all()]
            for section_id in (article.section_id, None):
                article.section_id = section_id
                union = related._union(masthead, section_id, tag_ids, at=now)
                assert related._union_sql(masthead, section_id, tag_ids, at=now) == \
                    union.query.sql_with_params()
                for excluded, offset, limit in (([article.pk], 0, 7),
                                                ([article.pk, neighbours[2].pk], 3, 4)):
                    sql, params = related.batch_sql(article, masthead, tag_ids, excluded,
                                                    offset, limit)
                    with connection.cursor() as cursor:
                        cursor.execute(sql, params)
                        ranked = [row[0] for row in cursor.fetchall()]
                    assert ranked or not tags
                    assert len(ranked) <= limit and not set(ranked) & set(excluded)
                    stories = related._compiled_batch(article, masthead, tag_ids, excluded,
                                                      offset, limit)
                    fresh = {s.pk: s for s in related._items_queryset(
                        masthead.pk, masthead.other_news_from_network, ranked)}
                    assert [loaded(s) for s in stories] == \
                        [loaded(fresh[pk]) for pk in ranked]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's batch query")
def test_a_mastheads_batch_query_is_short_enough_for_psycopg_to_keep_it_parsed(publication):
    """psycopg keeps a query's parsing (where each parameter goes) only for SQL of 4,096
    characters or fewer (``MAX_CACHED_STATEMENT_LENGTH``); a longer one is parsed again on
    every request. A masthead's In Other News, its own or drawn from the network, with a
    section or without, fits."""
    article = make(publication, "Story", tags=["ferries", "fares", "tides"])
    tag_ids = [tag.pk for tag in article.tags.all()]
    for network in (False, True):
        publication.other_news_from_network = network
        for section_id in (article.section_id, None):
            article.section_id = section_id
            sql, _ = related.batch_sql(article, publication, tag_ids, [article.pk], 0, 7)
            assert len(sql) <= 4096, (network, section_id, len(sql))
