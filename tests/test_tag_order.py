"""A story's tags are listed in one order, by name, wherever they are read: its page, its
feed items, the content API (JSON and ninjs), one story or a list of them. An editor
typing them in another order, or adding one later, changes nothing in that order."""

import re

import feedparser
import pytest

from articles.models import Article

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

BY_NAME = ["budget", "ferries", "zoning"]


@pytest.fixture
def story(publication):
    article = ArticleFactory(publication=publication, published=True,
                             headline="Council weighs the ferry budget")
    article.tags.add("zoning")  # first added: read first before tags had an order
    article.tags.add("budget", "ferries")
    return article


def test_a_story_reads_its_tags_by_name_alone_or_in_a_list(story):
    assert [t.name for t in story.tags.all()] == BY_NAME
    # A list prefetches them: taggit's prefetch query had no ORDER BY at all.
    listed = Article.objects.filter(pk=story.pk).prefetch_related("tags").get()
    assert [t.name for t in listed.tags.all()] == BY_NAME


def test_the_story_page_lists_its_tags_by_name(client, story):
    html = client.get(story.get_absolute_url()).text
    topics = re.search(r'<nav class="tags".*?</nav>', html, re.S).group(0)
    assert re.findall(r'rel="tag">([^<]+)</a>', topics) == BY_NAME


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/"])
def test_feed_items_list_the_tags_by_name(client, story, path):
    entry = feedparser.parse(client.get(path).content).entries[0]
    assert [t.term for t in entry.tags] == [story.section.name, *BY_NAME]  # section first


def test_the_content_api_lists_the_tags_by_name(client, story):
    one = client.get(f"/api/v1/stories/{story.pk}/").json()
    assert [t["name"] for t in one["tags"]] == BY_NAME
    listed = client.get("/api/v1/stories/").json()["results"][0]
    assert [t["name"] for t in listed["tags"]] == BY_NAME
    ninjs = client.get(f"/api/v1/stories/{story.pk}/",
                       HTTP_ACCEPT="application/ninjs+json").json()
    assert [s["name"] for s in ninjs["subjects"]] == BY_NAME
