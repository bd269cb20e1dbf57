"""What building a page costs in work that does not show: list queries never read a story's
text, a card evaluates its bylines once, pictures' and pages' addresses are worked out once
per process and stay exact, and the front page ranks the newest stories on their ranking
columns alone."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import set_script_prefix
from django.utils import timezone

from articles.caching import cards
from articles.models import Article
from articles.reading import front as front_page
from newsroom import renditions

from .factories import ArticleFactory, BylineFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def front(publication):
    """Stories in three sections, with pictures and bylines: a front page's worth."""
    now = timezone.now()
    sections = [SectionFactory(publication=publication, name=name, slug=name.lower(), order=i)
                for i, name in enumerate(["Harbor", "Schools", "Weather"])]
    made = []
    for n in range(12):
        article = ArticleFactory(publication=publication, section=sections[n % 3],
                                 published=True, headline=f"Harbor report number {n}",
                                 body=f"<p>The whole text of report {n}.</p>",
                                 lead_image=ImageFactory(), featured=n == 7,
                                 publish_at=now - timedelta(hours=n + 1))
        BylineFactory(article=article, person__full_name=f"Writer {n}")
        made.append(article)
    return made


def test_list_pages_never_read_a_storys_text(client, front, settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False  # every card built: what the cold page reads
    for path in ["/", front[0].section.get_absolute_url()]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        story_queries = [q["sql"] for q in queries if 'FROM "articles_article"' in q["sql"]]
        assert story_queries
        assert not any('"articles_article"."body"' in sql for sql in story_queries), path


def test_a_card_evaluates_its_bylines_once(front, monkeypatch):
    calls = []
    authors = Article.authors

    def counting(article):
        calls.append(article.pk)
        return authors(article)

    monkeypatch.setattr(Article, "authors", counting)
    article = Article.objects.get(pk=front[0].pk)
    cards.load([article])
    html, shows = cards.build(article, cards.options())
    assert calls == [article.pk]
    assert "Writer 0" in html["html"]
    assert f"person:{article.bylines.get().person_id}" in shows


def test_the_front_is_the_newest_stories_ranked(client, front):
    page = client.get("/")
    # The featured story leads, then the newest; each section's block shows its latest
    # three stories not on the front, sections in their order.
    assert page.context_data["lead_story"].pk == front[7].pk
    assert [a.pk for a in page.context_data["top_stories"]] == [a.pk for a in front[:4]]
    blocks = [(section.name, [a.pk for a in stories])
              for section, stories in page.context_data["section_blocks"]]
    on_front = {front[7].pk, *(a.pk for a in front[:4])}
    expected = []
    for offset, name in enumerate(["Harbor", "Schools", "Weather"]):
        latest = [a.pk for a in front[offset::3] if a.pk not in on_front][:3]
        expected.append((name, latest))
    assert blocks == expected


def test_the_front_page_costs_the_same_queries_however_many_stories(client, front, settings,
                                                                    publication):
    settings.NEWSROOM_FRAGMENT_CACHE = False
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for n in range(30):
        ArticleFactory(publication=publication, section=front[n % 3].section, published=True,
                       lead_image=ImageFactory(),
                       publish_at=timezone.now() - timedelta(minutes=n + 1))
    with CaptureQueriesContext(connection) as after:
        client.get("/")
    assert len(after) == len(before)


def test_renditions_follow_a_new_focal_point_and_a_new_file(publication):
    image = ImageFactory()
    image.width, image.height = 1600, 1200  # renditions are worked out from these alone
    first = renditions.renditions(image, "crop")
    assert renditions.renditions(image, "crop") == first
    image.focal_x = 0.1
    moved = renditions.renditions(image, "crop")
    assert moved != first and all(r.url != f.url for r, f in zip(moved, first, strict=True))
    image.file.name = "library/2026/another.jpg"
    assert renditions.renditions(image, "crop")[0].url != moved[0].url


def test_renditions_follow_the_media_address(publication, settings):
    image = ImageFactory()
    assert renditions.renditions(image)[0].url.startswith("/media/")
    settings.MEDIA_URL = "https://pictures.example/"
    assert renditions.renditions(image)[0].url.startswith("https://pictures.example/")


def test_addresses_follow_the_script_prefix(front):
    story = Article.objects.get(pk=front[0].pk)
    plain = story.get_absolute_url()
    set_script_prefix("/news/")
    try:
        assert story.get_absolute_url() == "/news" + plain
    finally:
        set_script_prefix("/")
    assert story.get_absolute_url() == plain


def test_the_fronts_query_is_compiled_once_and_run_at_each_requests_time(
        client, front, publication, monkeypatch):
    """The newest stories are read with SQL compiled once per process: it is the ORM's
    (``published().on().newest_first()``), and the time it asks about is each request's,
    so a scheduled story goes live on the front at its moment."""
    compiled = []
    compile_sql = front_page._compile

    def counting(*args):
        compiled.append(args)
        return compile_sql(*args)

    monkeypatch.setattr(front_page, "_compile", counting)
    monkeypatch.setattr(front_page, "_compiled", {})
    later = ArticleFactory(publication=publication, section=front[0].section, featured=True,
                           headline="Harbor report from the future",
                           status=Article.Status.PUBLISHED,
                           publish_at=timezone.now() + timedelta(hours=1))
    expected = list(Article.objects.published().on(publication).newest_first()
                    .values_list("pk", flat=True)[:400])
    assert [row[0] for row in front_page.newest_stories(publication.pk, 400)] == expected
    assert later.headline not in client.get("/").text
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=2))
    rows = front_page.newest_stories(publication.pk, 400)
    assert rows[0][0] == later.pk
    assert client.get("/").context_data["lead_story"].pk == later.pk
    assert len(compiled) == 1


def test_a_picture_tag_is_made_once_and_follows_its_picture_options_and_media_address(
        publication, settings):
    from django.utils.safestring import mark_safe

    from articles.templatetags.pictures import picture

    image = ImageFactory(alt_text='Gulls over the "pier" & <dock>')
    image.width, image.height = 1600, 1200
    tag = picture(image, crop=True, sizes="100vw")
    assert picture(image, crop=True, sizes="100vw") is tag  # remembered
    assert 'alt="Gulls over the &quot;pier&quot; &amp; &lt;dock&gt;"' in tag
    assert 'loading="eager"' in picture(image, crop=True, sizes="100vw", lazy=False)
    assert picture(image, sizes="100vw") != tag  # the whole picture, not the crop
    image.alt_text = "Gulls at dawn"
    assert 'alt="Gulls at dawn"' in picture(image, crop=True, sizes="100vw")
    assert 'alt="<b>Gulls</b>"' in picture(image, alt=mark_safe("<b>Gulls</b>"))  # safe: as is
    image.focal_x = 0.1
    moved = picture(image, crop=True, sizes="100vw")
    assert moved != tag
    settings.MEDIA_URL = "https://pictures.example/"
    assert "https://pictures.example/" in picture(image, crop=True, sizes="100vw")


def test_a_picture_tag_in_a_template_is_remembered_and_a_safe_option_is_not_escaped(
        publication, monkeypatch):
    from django.template import Context, Template
    from django.utils.safestring import mark_safe

    from articles.templatetags import pictures

    image = ImageFactory(alt_text="Gulls")
    image.width, image.height = 1600, 1200
    made = []
    real = pictures._picture
    monkeypatch.setattr(pictures, "_picture", lambda *args: made.append(args) or real(*args))
    # A quoted option is a safe string in a template: remembered all the same.
    template = Template('{% load pictures %}{% picture image crop=True sizes="8rem" alt="" %}')
    first = template.render(Context({"image": image}))
    assert template.render(Context({"image": image})) == first
    assert len(made) == 1
    # The same text, plain and safe: escaped and written as it is, never one for the other.
    plain = pictures.picture(image, sizes="a&b")
    assert 'sizes="a&amp;b"' in plain
    assert 'sizes="a&b"' in pictures.picture(image, sizes=mark_safe("a&b"))
    assert pictures.picture(image, sizes="a&b") == plain


def test_people_links_write_what_format_html_wrote(publication):
    from django.utils.html import format_html, format_html_join

    from articles.templatetags.newsroom import people_links

    from .factories import PersonFactory

    people = [PersonFactory(full_name=name) for name in
              ["Dana <Reyes>", 'Sam "Ace" Okafor', "Lee & Co", "Ana"]]

    def before(people):
        links = [format_html('<a href="{}">{}</a>', p.get_absolute_url(), p.full_name)
                 for p in people]
        if len(links) <= 2:
            return " and ".join(links)
        return format_html("{} and {}", format_html_join(
            ", ", "{}", ((link,) for link in links[:-1])), links[-1])

    for count in range(5):
        assert people_links(people[:count]) == before(people[:count])
    assert "Dana &lt;Reyes&gt;" in people_links(people)
