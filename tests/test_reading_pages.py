"""Front page, archives, the filterable story list and the corrections page: complete for
readers, constant in queries, and closed to anything unpublished and to nonsense input."""

import re
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.caching import keys
from articles.models import Article

from .factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ImageFactory,
    PersonFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour))


def published(publication, headline, when=None, **kwargs):
    return ArticleFactory(publication=publication, headline=headline,
                          status=Article.Status.PUBLISHED,
                          publish_at=when or timezone.now() - timedelta(hours=1), **kwargs)


def hidden_stories(publication, when, **kwargs):
    """A draft, a scheduled and an embargoed story (from readers' view, all unpublished)."""
    return [
        ArticleFactory(publication=publication, headline="Secret draft", publish_at=when,
                       **kwargs),
        ArticleFactory(publication=publication, headline="Secret scheduled",
                       status=Article.Status.PUBLISHED,
                       publish_at=timezone.now() + timedelta(days=2), **kwargs),
        ArticleFactory(publication=publication, headline="Secret embargoed",
                       status=Article.Status.PUBLISHED, publish_at=when,
                       embargo_until=timezone.now() + timedelta(days=2), **kwargs),
    ]


def test_front_page_has_a_lead_top_stories_latest_and_sections(client, publication):
    metro = SectionFactory(publication=publication, name="Metro", slug="metro")
    lead = published(publication, "Bridge reopens after a year", featured=True, priority=5,
                     section=metro, lead_image=ImageFactory())
    others = [published(publication, f"Story {n}", section=metro,
                        when=timezone.now() - timedelta(hours=n + 2)) for n in range(8)]
    html = client.get("/").text
    assert html.index(lead.headline) < html.index("Story 0")
    assert html.count('class="card card-lead"') == 1  # only the lead is laid out as one
    assert 'aria-label="Top stories"' in html
    assert 'id="latest-heading"' in html
    assert '<a href="/section/metro/">Metro</a></h2>' in html
    assert others[-1].headline in html


def empty_cache():
    """Nothing cached, the cache's journal applied for the whole test (as conftest's
    ``empty_cache``): a page counts its own queries, not the journal's look once a second,
    which a slow machine's page build can straddle."""
    cache.clear()
    cache.set(keys.JOURNAL_CHECKED, 1, timeout=None)


def test_front_page_queries_do_not_grow_with_stories_sections_or_bylines(client, publication):
    def fill(n):
        for s in range(n):
            section = SectionFactory(publication=publication)
            for a in range(n):
                article = published(publication, f"Story {n}-{s}-{a}", section=section,
                                    lead_image=ImageFactory(), featured=a == 0)
                article.tags.set([f"tag{i}" for i in range(n)])
                for b in range(n):
                    BylineFactory(article=article, order=b)

    def queries():
        """(built from nothing, built again with its parts and cards cached)."""
        counts = []
        empty_cache()
        for _ in range(2):
            with CaptureQueriesContext(connection) as done:
                client.get("/")
            counts.append(len(done))
        return counts

    fill(3)  # enough for every part of the page to show something
    few = queries()
    fill(5)
    assert queries() == few
    # Cached cards need neither their pictures nor their bylines loaded.
    assert few[1] < few[0]


def test_listing_queries_are_constant(client, publication):
    person = PersonFactory(full_name="Mira Solberg")
    section = SectionFactory(publication=publication, slug="harbor")
    urls = ["/section/harbor/", "/tag/ferries/", person.get_absolute_url(), "/stories/",
            "/search/?q=ferry", "/corrections/", f"/{timezone.localtime().year}/"]

    def add(n):
        for i in range(n):
            article = published(publication, f"Ferry story {n}-{i}", section=section,
                                lead_image=ImageFactory())
            article.tags.set(["ferries", *[f"t{n}{i}{k}" for k in range(n)]])
            BylineFactory(article=article, person=person)
            for _ in range(n):
                BylineFactory(article=article)
                CorrectionFactory(article=article)

    def queries():
        """Per page: (built with nothing cached, built again with its cards cached)."""
        counts = {}
        for url in urls:
            empty_cache()
            counts[url] = []
            for _ in range(2):
                with CaptureQueriesContext(connection) as done:
                    assert client.get(url).status_code == 200, url
                counts[url].append(len(done))
        return counts

    add(1)
    before = queries()
    add(5)
    assert queries() == before


def test_archives_list_the_year_month_and_day(client, publication):
    spring = published(publication, "Spring tides arrive", when=at(2025, 4, 3))
    summer = published(publication, "Summer ferry timetable", when=at(2025, 7, 19))
    hidden_stories(publication, at(2025, 4, 3))
    year = client.get("/2025/")
    assert year.status_code == 200
    assert spring.headline in year.text and summer.headline in year.text
    assert 'href="/2025/4/">April</a>' in year.text
    month = client.get("/2025/4/")
    assert spring.headline in month.text and summer.headline not in month.text
    day = client.get("/2025/4/3/")
    assert day.status_code == 200 and spring.headline in day.text
    for response in (year, month, day):
        assert "Secret" not in response.text


@pytest.mark.parametrize("url", ["/2024/", "/2025/5/", "/2025/4/4/", "/0000/", "/9999/",
                                 "/2025/13/", "/2025/0/", "/2025/2/30/", "/2025/4/99/",
                                 "/99999/", "/2025/4/3/?page=abc", "/2025/?page=-1"])
def test_empty_or_impossible_archive_dates_are_404(client, publication, url):
    published(publication, "Spring tides arrive", when=at(2025, 4, 3))
    assert client.get(url).status_code == 404


def test_an_archive_day_with_only_hidden_stories_is_404(client, publication):
    hidden_stories(publication, at(2025, 6, 1))
    for url in ["/2025/", "/2025/6/", "/2025/6/1/"]:
        assert client.get(url).status_code == 404, url


def test_a_month_archive_links_each_day_with_stories(client, publication):
    for day in (4, 5, 5, 19):
        published(publication, f"Harbor notes {day}", when=at(2025, 11, day))
    html = client.get("/2025/11/").text
    days = re.findall(r'<a href="(/2025/11/[0-9]+/)">([^<]*)</a>', html)
    assert days == [("/2025/11/4/", "November 4"), ("/2025/11/5/", "November 5"),
                    ("/2025/11/19/", "November 19")]
    assert client.get("/2025/11/5/").status_code == 200


def test_stories_and_archives_have_one_address_form_and_the_other_redirects(
        client, publication):
    story = published(publication, "Ferry pier reopens", when=at(2025, 9, 8))
    assert story.get_absolute_url() == "/2025/9/8/ferry-pier-reopens/"
    for padded, canonical in [("/2025/09/", "/2025/9/"), ("/2025/09/08/", "/2025/9/8/"),
                              ("/2025/9/08/", "/2025/9/8/"),
                              ("/2025/09/?page=1", "/2025/9/?page=1"),
                              ("/2025/09/08/ferry-pier-reopens/", story.get_absolute_url())]:
        response = client.get(padded)
        assert (response.status_code, response["Location"]) == (301, canonical), padded
        assert client.get(canonical).status_code == 200
    year = client.get("/2025/").text
    assert 'href="/2025/9/">September</a>' in year
    month = client.get("/2025/9/").text
    assert 'href="/2025/9/8/">September 8</a>' in month
    assert f'href="{story.get_absolute_url()}"' in month


def test_the_corrections_page_lists_public_stories_only(client, publication):
    live = published(publication, "Pier repairs begin")
    CorrectionFactory(article=live, text="The pier is 120 meters long, not 200.")
    for story in hidden_stories(publication, timezone.now() - timedelta(days=1)):
        CorrectionFactory(article=story, text=f"Fix for {story.headline}")
    html = client.get("/corrections/").text
    assert "The pier is 120 meters long, not 200." in html
    assert f'href="{live.get_absolute_url()}">Pier repairs begin</a>' in html
    assert "Secret" not in html


@pytest.fixture
def catalogue(publication):
    metro = SectionFactory(publication=publication, name="Metro", slug="metro")
    sports = SectionFactory(publication=publication, name="Sports", slug="sports")
    writer = PersonFactory(full_name="Ines Calder")
    a = published(publication, "Metro council story", section=metro, when=at(2025, 3, 1))
    b = published(publication, "Sports regatta story", section=sports, when=at(2025, 5, 1))
    c = published(publication, "Metro budget story", section=metro, when=at(2025, 8, 1))
    a.tags.set(["budget"])
    c.tags.set(["budget"])
    BylineFactory(article=b, person=writer)
    BylineFactory(article=c, person=writer)
    BylineFactory(article=c, person=PersonFactory())  # two bylines: still listed once
    for story in hidden_stories(publication, at(2025, 4, 1), section=metro):
        story.tags.set(["budget"])
        BylineFactory(article=story, person=writer)
    return {"metro": a, "sports": b, "budget": c, "writer": writer}


def listed(response):
    return [h for h in ["Metro council story", "Sports regatta story", "Metro budget story",
                        "Secret draft", "Secret scheduled", "Secret embargoed"]
            if h in response.text]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["Metro council story", "Sports regatta story", "Metro budget story"]),
        ({"section": "metro"}, ["Metro council story", "Metro budget story"]),
        ({"tag": "budget"}, ["Metro council story", "Metro budget story"]),
        ({"author": "ines-calder"}, ["Sports regatta story", "Metro budget story"]),
        ({"after": "2025-04-01"}, ["Sports regatta story", "Metro budget story"]),
        ({"before": "2025-04-01"}, ["Metro council story"]),
        ({"section": "metro", "after": "2025-04-01", "author": "ines-calder"},
         ["Metro budget story"]),
    ],
)
def test_story_filters_narrow_published_stories(client, catalogue, query, expected):
    response = client.get("/stories/", query)
    assert response.status_code == 200
    assert listed(response) == expected
    assert response.text.count("Metro budget story</a>") <= 1


@pytest.mark.parametrize(
    "query",
    [{"section": "no-such-section"}, {"author": "nobody"}, {"after": "2025-99-99"},
     {"before": "yesterday"}, {"after": "99999-01-01"}, {"section": "x" * 5000},
     {"tag": "x" * 5000}, {"page": "abc"}],
)
def test_unknown_filter_values_are_ignored_and_never_leak(client, catalogue, query):
    response = client.get("/stories/", query)
    assert response.status_code in (200, 404)
    assert not any(h.startswith("Secret") for h in listed(response))
    if response.status_code == 200 and "page" not in query and "tag" not in query:
        assert "This filter was ignored." in response.text
        assert len(listed(response)) == 3


def test_filters_are_labelled_and_sections_named_without_the_publication(client, catalogue):
    for url in ["/stories/", "/search/?q=story"]:
        html = client.get(url).text
        assert "[invalid name]" not in html
        assert '<label for="id_author">Author</label>' in html
        assert '<label for="id_section">Section</label>' in html
        assert '<option value="metro">Metro</option>' in html
        assert f"({catalogue['metro'].publication.name})" not in html


def test_the_author_filter_offers_only_people_with_public_stories(client, catalogue):
    draft_only = PersonFactory(full_name="Quentin Draftonly")
    BylineFactory(article=ArticleFactory(publication=catalogue["metro"].publication),
                  person=draft_only)
    html = client.get("/stories/").text
    assert "Ines Calder" in html
    assert "Quentin Draftonly" not in html


@pytest.mark.parametrize("url", ["/section/no-such/", "/tag/no-such/", "/people/no-such/",
                                 "/2025/04/03/no-such-story/", "/more/424242/",
                                 "/section/metro/?page=99999999999", "/stories/?page=-1",
                                 "/corrections/?page=abc", "/tag/budget/?page=0"])
def test_unknown_addresses_and_pages_are_404(client, catalogue, url):
    assert client.get(url).status_code == 404


NONSENSE = ["abc", "-1", "99999999999", "%00", "", "²", "9" * 400]


def test_no_reader_address_answers_500_to_nonsense(client, catalogue):
    story = catalogue["budget"]
    shapes = ["/", "/section/metro/", "/tag/budget/", "/people/ines-calder/", "/stories/",
              "/search/?q=budget&", "/corrections/", "/2025/", "/2025/08/", "/2025/08/01/",
              f"/more/{story.pk}/", story.get_absolute_url()]
    for shape in shapes:
        joiner = "&" if "?" in shape else "?"
        for value in NONSENSE:
            for param in ("page", "section", "author", "tag", "after", "before", "partial", "q"):
                response = client.get(f"{shape}{joiner}{param}={value}")
                assert response.status_code in (200, 301, 400, 404), (shape, param, value)
                assert "Secret" not in response.text, (shape, param, value)


def test_without_any_publication_readers_get_a_404_not_an_error(client, publication):
    from articles.models import Publication

    Publication.objects.all().delete()
    response = client.get("/")
    assert response.status_code == 404
    assert "Newsroom" in response.text  # the masthead's fallback name


def test_a_person_without_a_public_story_has_no_page_or_feed(client, publication):
    newcomer = PersonFactory(full_name="Imogen Thale", slug="imogen-thale",
                             short_bio="Joins the harbor desk next month.")
    for story in hidden_stories(publication, timezone.now() - timedelta(hours=1)):
        BylineFactory(article=story, person=newcomer)
    urls = ["/people/imogen-thale/", "/people/imogen-thale/feed/",
            "/people/imogen-thale/feed/atom/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Imogen" not in response.text and "harbor desk" not in response.text
    BylineFactory(article=published(publication, "Dockside market reopens"), person=newcomer)
    for url in urls:
        assert client.get(url).status_code == 200, url
