"""The public article page shows every part of a story, and nothing unpublished."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Byline, MastheadBio
from articles.reading import article_page
from articles.reading.views import ArticleDetailView

from .factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ImageFactory,
    PersonFactory,
    RelatedItemFactory,
    RunFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(publication):
    article = ArticleFactory(
        publication=publication, published=True,
        kicker="City Hall", headline="Council approves the harbor budget",
        dek="The plan adds two ferry crews and repairs the north pier.",
        dateline="Port Alder",
        body="<p>The council voted 6-1 on Tuesday.</p><p>“It is overdue,” said Mayor Ines Alvarado.</p>",
        lead_image=ImageFactory(alt_text="Council members raise their hands to vote.",
                                caption="The vote on Tuesday night.",
                                credit="Lena Park for The Herald"),
    )
    article.tags.set(["harbor", "city budget"])
    BylineFactory(article=article, person=PersonFactory(
        full_name="Dana Reyes", short_bio="Dana Reyes is the senior reporter for The Herald."))
    BylineFactory(article=article, order=1, person=PersonFactory(full_name="Sam Okafor", short_bio=""))
    BylineFactory(article=article, order=2, role=Byline.Role.PHOTOGRAPHER,
                  person=PersonFactory(full_name="Lena Park", short_bio=""))
    CorrectionFactory(article=article, text="An earlier version misstated the vote count.")
    return article


def test_article_page_shows_every_part_of_the_story(client, story):
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    html = response.text
    for part in [
        '<p class="kicker">City Hall</p>',
        '<h1 class="headline">Council approves the harbor budget</h1>',
        "The plan adds two ferry crews and repairs the north pier.",
        '<p><span class="dateline">PORT ALDER —</span> The council voted 6-1 on Tuesday.</p>',
        "“It is overdue,” said Mayor Ines Alvarado.",
        '>Dana Reyes</a> and <a href="/people/sam-okafor/">Sam Okafor</a>',
        'Photos by <a href="/people/lena-park/">Lena Park</a>',
        'alt="Council members raise their hands to vote."',
        "The vote on Tuesday night.",
        "Lena Park for The Herald",
        'rel="tag">harbor</a>',
        'rel="tag">city budget</a>',
        "Corrections and updates",
        "An earlier version misstated the vote count.",
        "Dana Reyes is the senior reporter for The Herald.",
        f'<time datetime="{timezone.localtime(story.publish_at).replace(microsecond=0).isoformat()}">',
    ]:
        assert part in html, part


def test_bio_lines_appear_only_for_people_who_have_one(client, story):
    html = client.get(story.get_absolute_url()).text
    assert html.count('class="author-bio"') == 1


def test_curated_in_other_news_lists_only_public_stories_and_links(client, story, publication):
    live = ArticleFactory(publication=publication, published=True, headline="Pier reopens")
    draft = ArticleFactory(publication=publication, headline="Secret draft about the pier")
    RelatedItemFactory(article=story, target=live, order=0)
    RelatedItemFactory(article=story, target=draft, order=1)
    RelatedItemFactory(article=story, url="https://example.org/tides", title="Tide tables",
                       order=2)
    html = client.get(story.get_absolute_url()).text
    assert "In Other News" in html
    assert f'href="{live.get_absolute_url()}">Pier reopens</a>' in html
    assert 'href="https://example.org/tides">Tide tables</a>' in html
    assert "Secret draft" not in html


@pytest.mark.parametrize(
    "make",
    [
        lambda pub: ArticleFactory(publication=pub),
        lambda pub: ArticleFactory(publication=pub, status=Article.Status.IN_REVIEW,
                                   publish_at=timezone.now() - timedelta(hours=1)),
        lambda pub: ArticleFactory(publication=pub, scheduled=True),
        lambda pub: ArticleFactory(publication=pub, published=True,
                                   embargo_until=timezone.now() + timedelta(hours=1)),
        lambda pub: ArticleFactory(publication=pub, status=Article.Status.UNPUBLISHED,
                                   publish_at=timezone.now() - timedelta(hours=1)),
    ],
    ids=["draft", "in-review", "scheduled", "embargoed", "unpublished"],
)
def test_unpublished_stories_are_404_for_readers(client, publication, make):
    article = make(publication)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_unknown_slug_is_404(client, publication):
    assert client.get("/2026/11/25/no-such-story/").status_code == 404
    assert client.get("/2026/13/45/no-such-story/").status_code == 404


def test_a_wrong_date_in_the_address_redirects_to_the_right_one(client, story):
    response = client.get(f"/1999/1/1/{story.slug}/")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_another_publications_story_is_404_on_this_host(client, story, other_publication):
    assert client.get(story.get_absolute_url(), HTTP_HOST="valley.example").status_code == 404
    assert client.get(story.get_absolute_url(), HTTP_HOST="elsewhere.example").status_code == 200


def test_body_html_is_rendered_sanitized(client, publication):
    article = ArticleFactory(publication=publication, published=True, dateline="",
                             body='<p>Hi</p><script>alert("x")</script><a href="javascript:x">y</a>')
    html = client.get(article.get_absolute_url()).text
    assert "alert(" not in html
    assert "javascript:" not in html


def test_headline_markup_is_escaped(client, publication):
    article = ArticleFactory(publication=publication, published=True,
                             headline='"><svg onload=alert(1)>')
    html = client.get(article.get_absolute_url()).text
    assert "<svg onload" not in html
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;" in html


def test_query_count_does_not_grow_with_bylines_tags_or_related(client, publication,
                                                                django_assert_max_num_queries):
    def make(n):
        article = ArticleFactory(publication=publication, published=True)
        article.tags.set([f"tag{i}" for i in range(n)])
        for i in range(n):
            BylineFactory(article=article, order=i)
            RelatedItemFactory(article=article, order=i,
                               target=ArticleFactory(publication=publication, published=True))
            CorrectionFactory(article=article)
        return article

    small, large, first = make(1), make(8), make(0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The masthead, the section menu and when the next scheduled story goes live are now
    # in the shared cache; the two pages below are built from nothing else.
    client.get(first.get_absolute_url())

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(small.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as large_queries:
        assert client.get(large.get_absolute_url()).status_code == 200
    assert len(large_queries) == len(small_queries)
    # The story, its bylines, related items, corrections, tags and automatic In Other News
    # (a story with no related items or corrections runs two fewer: the test below). On
    # PostgreSQL the tags come with the story, and In Other News ranks its stories, then
    # loads them (``related._compiled_batch``).
    assert len(small_queries) <= 6


def test_a_story_without_curated_items_or_corrections_asks_for_neither(client, publication):
    """The story's own query says whether it has curated items and corrections, so a page
    with neither (most stories) runs four queries: the story, its bylines, its tags and
    In Other News (on PostgreSQL: the story with its tags, its bylines, and In Other News's
    ranking, then its stories). One that has them shows them, with a query for each."""
    bare = ArticleFactory(publication=publication, published=True)
    BylineFactory(article=bare)
    full = ArticleFactory(publication=publication, published=True)
    BylineFactory(article=full)
    target = ArticleFactory(publication=publication, published=True, headline="Pier reopens")
    RelatedItemFactory(article=full, target=target, order=0)
    CorrectionFactory(article=full, text="An earlier version misspelled the pier.")
    client.get(ArticleFactory(publication=publication, published=True).get_absolute_url())

    with CaptureQueriesContext(connection) as bare_queries:
        assert client.get(bare.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as full_queries:
        page = client.get(full.get_absolute_url()).text
    assert len(bare_queries) == 4
    assert len(full_queries) == 6
    assert "Pier reopens" in page and "misspelled the pier" in page
    for sql in (q["sql"] for q in bare_queries):
        assert "articles_relateditem\".\"id\"" not in sql.split(" FROM ")[0]
        assert "articles_correction\".\"id\"" not in sql.split(" FROM ")[0]


def test_a_page_whose_parts_are_cached_runs_no_query(client, story,
                                                     django_assert_num_queries):
    """With the page cache off, a second reader gets the story from its cached parts: the
    story's address, the story and its In Other News, all current. The page is the same,
    byte for byte, as the one built from the database."""
    built = client.get(story.get_absolute_url())
    with django_assert_num_queries(0):
        again = client.get(story.get_absolute_url())
    assert again.content == built.content
    assert again["Surrogate-Key"] == built["Surrogate-Key"]
    assert story.headline in again.text
    assert f'href="/section/{story.section.slug}/feed/"' in again.text


def test_a_wrong_date_redirects_from_the_cached_address_too(client, story,
                                                           django_assert_num_queries):
    client.get(story.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(f"/1999/1/1/{story.slug}/")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_a_story_that_leaves_readers_view_is_gone_at_once(client, story, commit):
    """Unpublished, given a new address, or deleted: its cached address is retired."""
    url = story.get_absolute_url()
    client.get(url)
    with commit():
        story.slug = "a-new-address"
        story.save()
    assert client.get(url).status_code == 404
    client.get(story.get_absolute_url())
    with commit():
        story.status = Article.Status.UNPUBLISHED
        story.save()
    assert client.get(story.get_absolute_url()).status_code == 404
    other = ArticleFactory(publication=story.publication, published=True)
    client.get(other.get_absolute_url())
    with commit():
        other.delete()
    assert client.get(other.get_absolute_url()).status_code == 404


def test_a_story_moved_to_another_section_shows_that_sections_feeds(client, story,
                                                                   publication, commit):
    client.get(story.get_absolute_url())
    metro = SectionFactory(publication=publication, slug="metro", name="Metro")
    with commit():
        story.section = metro
        story.save()
    assert 'href="/section/metro/feed/"' in client.get(story.get_absolute_url()).text


def test_listing_pages_open_and_show_only_public_stories(client, story, publication):
    draft = ArticleFactory(publication=publication, section=story.section,
                           headline="Unfinished draft")
    draft.tags.set(["harbor"])
    person = story.bylines.first().person
    BylineFactory(article=draft, person=person)
    for url in ["/", story.section.get_absolute_url(), "/tag/harbor/", person.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert story.headline in response.text, url
        assert "Unfinished draft" not in response.text, url


def test_a_tag_used_only_on_drafts_is_404(client, publication):
    ArticleFactory(publication=publication).tags.set(["secret-project"])
    assert client.get("/tag/secret-project/").status_code == 404


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999", "1.5"])
def test_nonsense_page_numbers_are_404_not_500(client, story, page):
    assert client.get("/", {"page": page}).status_code == 404


def test_email_never_appears_on_the_author_page(client, story):
    person = story.bylines.first().person
    person.email = "dana.private@herald.example"
    person.save()
    html = client.get(person.get_absolute_url()).text
    assert "dana.private@herald.example" not in html


@pytest.mark.parametrize("headline", ["ميناء الصيد يفتح أبوابه", "Гавань открывает причал"])
def test_a_story_whose_slug_is_not_latin_is_served_at_its_address(client, publication,
                                                                  headline):
    story = ArticleFactory(publication=publication, published=True, headline=headline)
    BylineFactory(article=story)
    assert not story.slug.isascii()
    for attempt in ("built", "from its cached parts"):
        response = client.get(story.get_absolute_url())
        assert response.status_code == 200, attempt  # not a redirect to itself
        assert headline in response.text
    wrong_day = story.get_absolute_url().replace(f"/{story.publish_at.year}/",
                                                 f"/{story.publish_at.year - 1}/")
    response = client.get(wrong_day)
    assert response.status_code == 301 and response["Location"] == story.get_absolute_url()


def test_the_storys_relations_are_loaded_by_the_queries_djangos_prefetch_runs(
        rf, story, publication, other_publication, monkeypatch):
    # Compiled once per process (article_page.prefetch_story), then run for each story,
    # masthead and time: the SQL and its values are those prefetch_related_objects sends
    # for the same lookups, and what it loads is kept as that prefetch keeps it.
    writer = story.bylines.first().person
    MastheadBio.objects.create(person=writer, publication=other_publication,
                               short_bio="Dana Reyes writes for the Ledger too.")
    shared = ArticleFactory(publication=publication, published=True, headline="Pier reopens")
    RunFactory(article=shared, publication=other_publication)
    draft = ArticleFactory(publication=publication, headline="Secret draft about the pier")
    RelatedItemFactory(article=story, target=shared, order=0)
    RelatedItemFactory(article=story, target=draft, order=1)
    RelatedItemFactory(article=story, url="https://example.org/tides", title="Tide tables",
                       order=2)
    other = ArticleFactory(publication=publication, published=True)
    other.tags.set(["ferries"])
    BylineFactory(article=other, person=writer)
    now = timezone.now()
    monkeypatch.setattr(article_page.timezone, "now", lambda: now)
    for masthead, article in [(publication, story), (other_publication, story),
                              (publication, other)]:
        request = rf.get("/")
        request.publication = masthead
        ours = Article.objects.get(pk=article.pk)
        with CaptureQueriesContext(connection) as compiled:
            article_page.prefetch_story(request, ours)
        djangos = Article.objects.get(pk=article.pk)
        with CaptureQueriesContext(connection) as prefetched:
            prefetch_related_objects([djangos], *(
                name if queryset is None else Prefetch(name, queryset=queryset)
                for name, queryset in article_page.story_relations(masthead, at=now).items()))
        assert [q["sql"] for q in compiled] == [q["sql"] for q in prefetched]

        def loaded(a):
            return (
                [(b.pk, b.person.full_name, b.masthead_bio, b.article is a)
                 for b in a.bylines.all()],
                [(r.pk, r.target_id, getattr(r.__dict__.get("target_run"), "pk", None),
                  r.article is a) for r in a.related_items.all()],
                [(c.pk, c.text, c.article is a) for c in a.corrections.all()],
                [t.name for t in a.tags.all()],
            )
        assert loaded(ours) == loaded(djangos)
    assert loaded(ours)[1] == []  # the other story curates nothing


def test_the_story_is_found_by_the_query_get_object_or_404_runs(
        rf, story, publication, other_publication, monkeypatch):
    # article_page.public_story: compiled once per process, then run for each masthead,
    # address and time, in the SQL the view's queryset would run through
    # get_object_or_404; what it finds is that story, shown as the masthead shows it.
    run = RunFactory(article=story, publication=other_publication)
    now = timezone.now()
    monkeypatch.setattr(article_page.timezone, "now", lambda: now)
    for masthead, slug in [(publication, story.slug), (other_publication, run.slug),
                           (publication, "no-such-story"), (other_publication, story.slug)]:
        view = ArticleDetailView(request=rf.get("/"), kwargs={"slug": slug})
        view.request.publication = masthead

        ours = _found(article_page.public_story, masthead, slug)
        djangos = _found(lambda queryset, slug: get_object_or_404(queryset, run_slug=slug),
                         view.get_queryset(), slug)
        assert ours[0] == djangos[0]
        assert (ours[1] is None) == (djangos[1] is None)
        if ours[1] is not None:
            assert ours[1].pk == story.pk
            assert (ours[1].get_absolute_url(), ours[1].section_id,
                    ours[1].lead_image.alt_text, ours[1].publication.name) == \
                (djangos[1].get_absolute_url(), djangos[1].section_id,
                 djangos[1].lead_image.alt_text, djangos[1].publication.name)
    # Each masthead shows the story in its own section.
    assert article_page.public_story(other_publication, run.slug).section_id == \
        run.section_id != article_page.public_story(publication, story.slug).section_id


def _found(find, *args):
    """(the SQL ``find(*args)`` ran, the story it found or None for Http404)."""
    with CaptureQueriesContext(connection) as queries:
        try:
            article = find(*args)
        except Http404:
            article = None
    return [q["sql"] for q in queries], article


def test_a_storys_tags_show_by_name_and_on_postgresql_come_with_the_story(
        client, publication, settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False
    article = ArticleFactory(publication=publication, published=True)
    for name in ("Tide tables", "Ferries", "City council"):
        article.tags.add(name)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(article.get_absolute_url()).text
    shown = re.findall(r'<a href="/tag/([^/]+)/" rel="tag">([^<]+)</a>', page)
    assert shown == [("city-council", "City council"), ("ferries", "Ferries"),
                     ("tide-tables", "Tide tables")]  # by name (tests/test_tag_order.py)
    if connection.vendor == "postgresql":
        assert not any('FROM "taggit_tag"' in q["sql"] for q in queries)
