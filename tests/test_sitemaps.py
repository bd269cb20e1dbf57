"""Sitemaps and robots.txt: valid against their schemas, per domain, public stories only."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from lxml import etree

from articles.models import Article

from .distribution_data import HIDDEN_HEADLINES, TRICKY_HEADLINE, hidden_stories, rich_story
from .factories import ArticleFactory, BylineFactory, PersonFactory, SectionFactory

pytestmark = pytest.mark.django_db


SCHEMAS = Path(__file__).parent / "schemas"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def schema(name):
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd")))


def fetch(client, url, schema_name, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    doc = etree.fromstring(response.content)
    validator = schema(schema_name)
    assert validator.validate(doc), (url, validator.error_log)
    return doc


def locs(doc):
    return [loc.text for loc in doc.xpath("//sm:loc", namespaces=NS)]


def index_locations(client, **extra):
    return locs(fetch(client, "/sitemap.xml", "siteindex", **extra))


@pytest.fixture
def story(publication):
    return rich_story(publication)


def test_schemas_reject_what_the_protocol_forbids():
    bad_lastmod = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>http://testserver/a/</loc><lastmod>25 Nov 2026</lastmod></url></urlset>"""
    no_zone = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>http://testserver/a/</loc><lastmod>2026-11-25T10:00:00</lastmod></url></urlset>"""
    no_title = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>
      <loc>http://testserver/a/</loc><news:news><news:publication><news:name>H</news:name>
      <news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-25</news:publication_date></news:news></url></urlset>"""
    assert not schema("sitemap").validate(etree.fromstring(bad_lastmod))
    assert not schema("sitemap").validate(etree.fromstring(no_zone))
    assert not schema("news-sitemap").validate(etree.fromstring(no_title))


def test_index_lists_every_sitemap_with_lastmod(client, story):
    doc = fetch(client, "/sitemap.xml", "siteindex")
    month = timezone.localtime(story.publish_at)
    assert locs(doc) == [
        f"http://testserver/sitemaps/articles-{month.year}-{month.month}.xml",
        "http://testserver/sitemaps/sections.xml",
        "http://testserver/sitemaps/authors.xml",
        "http://testserver/sitemaps/tags.xml",
        "http://testserver/sitemaps/news.xml",
    ]
    assert len(doc.xpath("//sm:sitemap/sm:lastmod", namespaces=NS)) == 5


def test_every_listed_sitemap_is_valid_and_lists_only_public_pages(client, story):
    person = story.bylines.get(person__full_name="Dana Reyes").person
    hidden = hidden_stories(story.publication, story.section, person)
    # A person bylined only on hidden stories, a tag only on a draft: not in the sitemaps.
    secret_person = PersonFactory(full_name="Quinn Hidden")
    BylineFactory(article=hidden[0], person=secret_person)
    hidden[0].tags.add("secret-plan")
    everything = []
    for url in index_locations(client):
        name = "news-sitemap" if url.endswith("news.xml") else "sitemap"
        everything += locs(fetch(client, url, name))
    story_url = f"http://testserver{story.get_absolute_url()}"
    assert everything.count(story_url) == 2  # its month and the news sitemap
    for article in hidden:
        assert not any(article.slug in url for url in everything)
    assert "http://testserver/people/dana-reyes/" in everything
    assert "http://testserver/people/lena-park/" in everything
    assert not any("quinn-hidden" in url or "secret-plan" in url for url in everything)
    assert {"http://testserver/section/harbor/", "http://testserver/tag/ferries/",
            "http://testserver/tag/labor/"} <= set(everything)


def test_month_sitemap_has_each_storys_lastmod(client, story):
    month = timezone.localtime(story.publish_at)
    doc = fetch(client, f"/sitemaps/articles-{month.year}-{month.month}.xml", "sitemap")
    lastmod = doc.xpath("//sm:url/sm:lastmod/text()", namespaces=NS)
    assert [datetime.fromisoformat(t) for t in lastmod] == [story.modified_at.replace(microsecond=0)]


def test_stories_are_split_by_month_and_paged(client, publication, settings):
    settings.NEWSROOM_SITEMAP_LIMIT = 2
    zone = timezone.get_current_timezone()
    for day in (1, 2, 3):
        ArticleFactory(publication=publication, published=True,
                       publish_at=datetime(2025, 3, day, 12, tzinfo=zone))
    ArticleFactory(publication=publication, published=True,
                   publish_at=datetime(2025, 4, 9, 12, tzinfo=zone))
    listed = index_locations(client)
    assert listed[:3] == [
        "http://testserver/sitemaps/articles-2025-3.xml",
        "http://testserver/sitemaps/articles-2025-3.xml?page=2",
        "http://testserver/sitemaps/articles-2025-4.xml",
    ]
    first = locs(fetch(client, "/sitemaps/articles-2025-3.xml", "sitemap"))
    second = locs(fetch(client, "/sitemaps/articles-2025-3.xml?page=2", "sitemap"))
    assert [u.split("/")[5] for u in first + second] == ["1", "2", "3"]


@pytest.mark.parametrize("url", [
    "/sitemaps/articles-2025-3.xml?page=3",
    "/sitemaps/articles-2025-3.xml?page=0",
    "/sitemaps/articles-2025-3.xml?page=abc",
    "/sitemaps/articles-2025-13.xml",
    "/sitemaps/articles-1999-1.xml",
    "/sitemaps/articles-0-1.xml",
    "/sitemaps/articles-99999-1.xml",
    "/sitemaps/sections.xml?page=2",
    "/sitemaps/authors.xml?page=9",
    "/sitemaps/tags.xml?page=-1",
])
def test_pages_out_of_range_are_404(client, publication, url):
    zone = timezone.get_current_timezone()
    ArticleFactory(publication=publication, published=True,
                   publish_at=datetime(2025, 3, 1, 12, tzinfo=zone)).tags.add("ferries")
    assert client.get(url).status_code == 404


def test_a_month_of_only_hidden_stories_is_404(client, publication):
    ArticleFactory(publication=publication, scheduled=True)
    month = timezone.localtime(timezone.now() + timedelta(hours=3))
    assert client.get(f"/sitemaps/articles-{month.year}-{month.month}.xml").status_code == 404


def test_news_sitemap_has_the_last_48_hours_only(client, story, publication):
    old = ArticleFactory(publication=publication, published=True, headline="Last week's news",
                         publish_at=timezone.now() - timedelta(days=3))
    ArticleFactory(publication=publication, published=True, headline=TRICKY_HEADLINE)
    doc = fetch(client, "/sitemaps/news.xml", "news-sitemap")
    titles = doc.xpath("//news:title/text()", namespaces=NS)
    assert titles == [TRICKY_HEADLINE, story.headline] or titles == [story.headline, TRICKY_HEADLINE]
    assert old.headline not in titles
    first = doc.xpath("//sm:url", namespaces=NS)[0]
    assert first.xpath("news:news/news:publication/news:name/text()", namespaces=NS) == [
        publication.name]
    assert first.xpath("news:news/news:publication/news:language/text()", namespaces=NS) == ["en"]
    dates = doc.xpath("//news:publication_date/text()", namespaces=NS)
    assert datetime.fromisoformat(dates[-1]) == min(
        story.publish_at, Article.objects.get(headline=TRICKY_HEADLINE).publish_at
    ).replace(microsecond=0)


def test_news_sitemap_counts_a_lifted_embargo_as_going_live(client, publication):
    now = timezone.now()
    ArticleFactory(publication=publication, published=True, headline="Audit released",
                   publish_at=now - timedelta(days=5), embargo_until=now - timedelta(hours=1))
    doc = fetch(client, "/sitemaps/news.xml", "news-sitemap")
    assert doc.xpath("//news:title/text()", namespaces=NS) == ["Audit released"]
    published = datetime.fromisoformat(doc.xpath("//news:publication_date/text()", namespaces=NS)[0])
    assert published > now - timedelta(hours=2)


def test_news_sitemap_leaves_out_hidden_stories(client, story):
    person = story.bylines.first().person
    hidden_stories(story.publication, story.section, person)
    doc = fetch(client, "/sitemaps/news.xml", "news-sitemap")
    titles = doc.xpath("//news:title/text()", namespaces=NS)
    assert titles == [story.headline]
    assert not set(HIDDEN_HEADLINES) & set(titles)


def test_news_language_is_an_iso_639_code(client, story, publication):
    publication.language = "en-GB"
    publication.save()
    doc = fetch(client, "/sitemaps/news.xml", "news-sitemap")
    assert doc.xpath("//news:language/text()", namespaces=NS) == ["en"]


def test_each_publication_has_its_own_sitemaps_on_its_own_domain(client, story, other_publication):
    SectionFactory(publication=other_publication, slug="valley-sports")
    ArticleFactory(publication=other_publication, published=True, headline="Valley fair opens")
    listed = index_locations(client, HTTP_HOST="valley.example")
    assert all(url.startswith("http://valley.example/") for url in listed)
    everything = []
    for url in listed:
        path = url.removeprefix("http://valley.example")
        name = "news-sitemap" if path.endswith("news.xml") else "sitemap"
        everything += locs(fetch(client, path, name, HTTP_HOST="valley.example"))
    assert "http://valley.example/section/valley-sports/" in everything
    assert not any(story.slug in url or "harbor" in url for url in everything)


def test_robots_txt_names_the_sitemaps_of_its_host(client, other_publication):
    response = client.get("/robots.txt", HTTP_HOST="valley.example")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "Sitemap: http://valley.example/sitemap.xml" in lines
    assert "Sitemap: http://valley.example/sitemaps/news.xml" in lines
    assert "Disallow: /admin/" in lines


def test_sitemap_queries_do_not_grow_with_stories(client, publication, django_assert_max_num_queries):
    zone = timezone.get_current_timezone()
    for month in range(1, 13):
        ArticleFactory.create_batch(3, publication=publication, published=True,
                                    publish_at=datetime(2024, month, 5, tzinfo=zone))
    with django_assert_max_num_queries(12):
        client.get("/sitemap.xml")
    with django_assert_max_num_queries(5):
        assert client.get("/sitemaps/articles-2024-6.xml").status_code == 200



def test_a_built_index_joins_its_month_lines_from_the_cache(client, publication):
    """The month lines grow with the archive (some 550 at a million stories): once written
    they are reused until a story is saved or goes live, and then written afresh."""
    from django.test.utils import CaptureQueriesContext

    zone = timezone.get_current_timezone()
    for month in (1, 2, 3):
        ArticleFactory(publication=publication, published=True,
                       publish_at=datetime(2024, month, 5, tzinfo=zone))
    first = client.get("/sitemap.xml").content
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/sitemap.xml").content
    assert again == first
    assert not any("count(" in q["sql"].lower() and "article" in q["sql"].lower()
                   and "group by" in q["sql"].lower() for q in queries.captured_queries)
    ArticleFactory(publication=publication, published=True,
                   publish_at=datetime(2024, 7, 5, tzinfo=zone))
    assert "http://testserver/sitemaps/articles-2024-7.xml" in index_locations(client)
    # Another address of the site gets its own lines, never the first one's.
    other = index_locations(client, HTTP_HOST="127.0.0.1")
    assert "http://127.0.0.1/sitemaps/articles-2024-1.xml" in other


def test_tag_sitemap_finds_each_tag_without_joining_every_story(rf, story):
    """A join of tags to stories gave each tag once per story (three million rows at a
    million stories, each with its own lastmod lookup) before DISTINCT: 400 s."""
    from django.test.utils import CaptureQueriesContext

    from articles.distribution.sitemaps import TagSitemap

    request = rf.get("/sitemaps/tags.xml")
    request.publication = story.publication
    with CaptureQueriesContext(connection) as queries:
        items = list(TagSitemap(request).items())
    assert {tag.slug for tag in items} == {"ferries", "labor"}
    assert all(tag.lastmod == story.modified_at for tag in items)
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_news_sitemap_reaches_lifted_embargoes_through_an_index(client, story):
    """A story whose embargo lifted lately may be old: without an index on the embargo
    the news sitemap walked the whole archive looking for one (6 s at a million)."""
    from django.test.utils import CaptureQueriesContext

    # An archive large enough for the planner to care, its statistics fresh.
    long_ago = timezone.now() - timedelta(days=400)
    Article.objects.bulk_create(
        Article(publication=story.publication, headline=f"Old story {n}", slug=f"old-{n}",
                status=Article.Status.PUBLISHED, publish_at=long_ago - timedelta(hours=n))
        for n in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    with CaptureQueriesContext(connection) as queries:
        client.get("/sitemaps/news.xml")
    (sql,) = [q["sql"] for q in queries.captured_queries if "embargo_until" in q["sql"]
              and "headline" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_embargo_idx" in plan, plan


def test_index_addresses_follow_the_script_prefix(story, keep_test_connection):
    """Month addresses are reversed once per process; a site served under a path prefix
    (SCRIPT_NAME) still gets it in every entry, and one without keeps plain ones."""
    from django.core.wsgi import get_wsgi_application
    from django.test import RequestFactory
    from django.urls import set_script_prefix

    application = get_wsgi_application()

    def index(script_name):
        environ = RequestFactory().get("/sitemap.xml").environ
        environ["SCRIPT_NAME"] = script_name
        return b"".join(application(environ, lambda status, headers: None)).decode()

    month = timezone.localtime(story.publish_at)
    path = f"/sitemaps/articles-{month.year}-{month.month}.xml"
    try:
        assert f"<loc>http://testserver/news{path}</loc>" in index("/news")
        assert f"<loc>http://testserver{path}</loc>" in index("")
        assert f"<loc>http://testserver/news{path}</loc>" in index("/news")
    finally:
        set_script_prefix("/")  # the handler set it for this thread; other tests expect "/"
