"""A story body has a documented size limit (NEWSROOM_BODY_MAX_BYTES): the form says so,
imports report it (wire copy has its own, smaller limit), and turning a body into plain
text (descriptions, snippets) reads it in one pass, never Django's repeated-parse
strip_tags."""

import html
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.demo import content
from articles.management.commands.load_demo import paragraphs_html
from articles.models import Article
from articles.sanitize import BLOCK_BOUNDARY, plain_text, sanitize_html

from .factories import ArticleFactory, BylineFactory, SectionFactory, UserFactory
from .test_admin import article_form_data

pytestmark = pytest.mark.django_db

ONE_MIB = 1024 * 1024


def paragraphs(size):
    """Story HTML of at least ``size`` bytes, made of ordinary paragraphs."""
    paragraph = "<p>The harbor council met again on Tuesday to weigh the ferry timetable.</p>"
    return paragraph * (size // len(paragraph) + 1)


def test_the_limit_is_one_mebibyte_unless_configured(settings):
    assert settings.NEWSROOM_BODY_MAX_BYTES == ONE_MIB


def test_a_body_over_the_limit_is_a_form_error_and_keeps_what_was_typed(client, publication):
    client.force_login(UserFactory(username="chief", is_superuser=True))
    section = SectionFactory(publication=publication)
    story = ArticleFactory(publication=publication, section=section)
    body = paragraphs(ONE_MIB + 1)
    response = client.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        article_form_data(publication, section, headline="Timetable talks drag on",
                          slug=story.slug, body=body, loaded_version=story.version),
    )
    assert response.status_code == 200
    assert "the limit is 1.0\xa0MB" in response.text
    assert 'value="Timetable talks drag on"' in response.text  # nothing typed is lost
    assert "The harbor council met again on Tuesday" in response.text
    story.refresh_from_db()
    assert story.headline != "Timetable talks drag on"


def test_a_body_at_the_limit_is_saved(client, publication):
    client.force_login(UserFactory(username="chief", is_superuser=True))
    section = SectionFactory(publication=publication)
    body = paragraphs(ONE_MIB - 200)[: ONE_MIB]
    body = body[: body.rfind("</p>") + 4]
    response = client.post(reverse("admin:articles_article_add"), article_form_data(
        publication, section, headline="Long timetable hearing", body=body))
    assert response.status_code == 302
    assert len(Article.objects.get(headline="Long timetable hearing").body) > ONE_MIB // 2


WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>The Old Harbor Herald</title><wp:wxr_version>1.2</wp:wxr_version>
{items}
</channel></rss>"""

ITEM = """<item><title>{title}</title><dc:creator><![CDATA[mokafor]]></dc:creator>
<guid isPermaLink="false">https://old.harborherald.example/?p={pk}</guid>
<content:encoded><![CDATA[{content}]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{pk}</wp:post_id><wp:post_date_gmt><![CDATA[2024-03-12 14:30:00]]></wp:post_date_gmt>
<wp:post_name><![CDATA[{slug}]]></wp:post_name><wp:status><![CDATA[draft]]></wp:status>
<wp:post_type><![CDATA[post]]></wp:post_type></item>"""


def test_an_imported_post_over_the_limit_is_reported_and_the_rest_imports(
        publication, settings, tmp_path):
    settings.NEWSROOM_BODY_MAX_BYTES = 4000
    items = [
        ITEM.format(title="Breakwater survey begins", pk=1, slug="breakwater-survey",
                    content="Divers began the survey on Monday."),
        ITEM.format(title="Every council minute since 1990", pk=2, slug="every-minute",
                    content="The clerk read the minutes aloud.\n\n" * 200),
    ]
    export = tmp_path / "export.xml"
    export.write_text(WXR.format(items="\n".join(items)))
    out = io.StringIO()
    call_command("import_wordpress", str(export), "--no-progress", stdout=out)
    assert list(Article.objects.values_list("slug", flat=True)) == ["breakwater-survey"]
    assert "articles: 1 created, 1 failed" in out.getvalue()
    assert "“Every council minute since 1990”: body: The story text is" in out.getvalue()
    assert "the limit is 3.9\xa0KB" in out.getvalue()


# --- Plain text from a body -------------------------------------------------------------


def demo_bodies():
    return [sanitize_html(paragraphs_html(story["paragraphs"])) for story in content()["articles"]]


def test_plain_text_reads_the_demo_stories_as_strip_tags_does():
    bodies = demo_bodies() + [
        sanitize_html('<p>Fish &amp; chips, <a href="https://e.example/?a=1&amp;b=2" '
                      'title="x > y">menu</a> &lt;b&gt; 3 &lt; 4</p><p>Next</p>'),
    ]
    assert len(bodies) > 10
    for body in bodies:
        expected = html.unescape(strip_tags(body))
        assert plain_text(body) == expected
        # Opening words keep a space where a paragraph ends ("3 < 4 Next", not "4Next").
        words = html.unescape(strip_tags(BLOCK_BOUNDARY.sub(" ", body)))
        assert plain_text(body, words=30) == Truncator(words).words(30)
        assert plain_text(body, words=5000) == Truncator(words).words(5000)


def test_descriptions_of_a_huge_malformed_body_never_run_strip_tags(client, publication,
                                                                    monkeypatch):
    """A body stored before the limit (or through a restore) may be megabytes of nested,
    unclosed markup; Django's strip_tags parses such text again and again (seconds on
    every uncached page). Pages, feeds and JSON-LD read it in one pass."""
    body = sanitize_html("<p>Opening words of the story. " + "<b><i>word " * 20_000)
    story = ArticleFactory(publication=publication, published=True, summary="", body=body)
    BylineFactory(article=story)

    def refuse(value):
        raise AssertionError("strip_tags ran over a story body")

    for module in ("articles.distribution.metadata", "articles.models.article",
                   "django.utils.html"):
        monkeypatch.setattr(f"{module}.strip_tags", refuse, raising=False)
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200
    assert "Opening words of the story. word word" in page.text
    assert client.get("/feed/").status_code == 200
    assert story.description.startswith("Opening words of the story. word word")
    assert story.description.endswith("…")


def test_an_agency_item_over_the_limit_gets_one_clear_line(publication, tmp_path):
    from django.core.management import CommandError

    item = {
        "uri": "urn:newsml:coastalwire.example:20260204:long-minutes",
        "type": "text", "version": "1", "versioncreated": "2026-02-04T09:05:00-05:00",
        "headline": "Every harbor board minute since 1990",
        "body_html": paragraphs(ONE_MIB + 1),
    }
    path = tmp_path / "long-minutes.json"
    path.write_text(json.dumps(item))
    with pytest.raises(CommandError, match="the limit is 1.0\xa0MB"):
        call_command("import_ninjs", str(path), "--no-progress", stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert not Article.objects.exists()
