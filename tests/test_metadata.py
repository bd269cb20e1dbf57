"""JSON-LD, OpenGraph, Twitter cards, canonical URLs and feed links in page heads."""

import json
from datetime import datetime

import extruct
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from lxml import html as lxml_html

from articles.models import Article
from newsroom.renditions import renditions
from people.models import SocialLink

from .distribution_data import TRICKY_HEADLINE, rich_story
from .factories import ArticleFactory, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """Sizes of images and sitemap counts are cached; each test starts without them."""
    cache.clear()


@pytest.fixture
def story(publication):
    publication.logo.save("logo.png", ContentFile(image_bytes("PNG"), name="logo.png"))
    return rich_story(publication, seo_description="Nine months of talks end in a deal.",
                      dateline="Port Alder")


def page(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response.text


def json_ld(text, kind):
    found = [d for d in extruct.extract(text, syntaxes=["json-ld"])["json-ld"] if d["@type"] == kind]
    assert len(found) == 1, kind
    return found[0]


def head_meta(text):
    """Every <meta property/name> in the head as a list of (key, content) pairs."""
    tree = lxml_html.fromstring(text)
    return [(m.get("property") or m.get("name"), m.get("content")) for m in tree.xpath("//head/meta")]


def head_links(text, rel):
    tree = lxml_html.fromstring(text)
    return [(link.get("type"), link.get("href")) for link in tree.xpath(f"//head/link[@rel='{rel}']")]


def test_article_has_a_complete_news_article(client, story, publication):
    text = page(client, story.get_absolute_url())
    data = json_ld(text, "NewsArticle")
    url = f"http://testserver{story.get_absolute_url()}"
    correction = story.corrections.get()
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Ferry crews win a new contract"
    assert data["description"] == "Nine months of talks end in a deal."
    assert data["datePublished"] == story.publish_at.isoformat()
    assert data["dateModified"] == correction.created_at.isoformat()
    assert data["author"] == [
        {"@type": "Person", "name": "Dana Reyes", "url": "http://testserver/people/dana-reyes/"},
        {"@type": "Person", "name": "Sam Okafor", "url": "http://testserver/people/sam-okafor/"},
    ]
    image = story.lead_image
    # Fixed renditions, never the uploaded original: the picture as framed (120 x 80, it
    # is never enlarged) and its 3:2 crop around the focal point.
    full, crop = renditions(image, "full")[-1], renditions(image, "crop")[-1]
    assert data["image"][1] == {
        "@type": "ImageObject", "url": f"http://testserver{crop.url}",
        "width": crop.width, "height": crop.height, "caption": image.caption}
    assert data["image"][:1] == [{
        "@type": "ImageObject", "url": f"http://testserver{full.url}",
        "width": 120, "height": 80, "caption": image.caption,
    }]
    assert data["publisher"] == {
        "@type": "NewsMediaOrganization", "name": publication.name, "url": "http://testserver/",
        "logo": {"@type": "ImageObject", "url": f"http://testserver{publication.logo.url}"},
    }
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["articleSection"] == "Harbor"
    assert sorted(data["keywords"]) == ["ferries", "labor"]
    assert data["correction"] == [{
        "@type": "CorrectionComment", "text": correction.text,
        "datePublished": correction.created_at.isoformat(),
    }]
    assert data["dateline"] == "Port Alder"


def test_article_has_breadcrumbs_home_section_story(client, story, publication):
    crumbs = json_ld(page(client, story.get_absolute_url()), "BreadcrumbList")
    assert [(c["position"], c["name"], c["item"]) for c in crumbs["itemListElement"]] == [
        (1, publication.name, "http://testserver/"),
        (2, "Harbor", "http://testserver/section/harbor/"),
        (3, story.headline, f"http://testserver{story.get_absolute_url()}"),
    ]


def test_image_variants_are_pluggable(client, story, settings):
    settings.NEWSROOM_IMAGE_VARIANTS = "tests.test_metadata.three_crops"
    data = json_ld(page(client, story.get_absolute_url()), "NewsArticle")
    assert [(i["width"], i["height"]) for i in data["image"]] == [(1600, 900), (1200, 900), (900, 900)]


def three_crops(image, request):
    return [{"url": f"http://cdn.example/{w}x{h}.jpg", "width": w, "height": h}
            for w, h in [(1600, 900), (1200, 900), (900, 900)]]


def test_article_opengraph_and_twitter_card(client, story, publication):
    text = page(client, story.get_absolute_url())
    meta = head_meta(text)
    og = dict(meta)
    url = f"http://testserver{story.get_absolute_url()}"
    assert og["og:type"] == "article"
    assert og["og:title"] == story.headline
    assert og["og:description"] == "Nine months of talks end in a deal."
    assert og["og:url"] == url
    assert og["og:site_name"] == publication.name
    assert og["og:locale"] == "en"
    assert og["og:image"] == f"http://testserver{renditions(story.lead_image)[-1].url}"
    assert (og["og:image:width"], og["og:image:height"]) == ("120", "80")
    assert og["article:modified_time"]
    assert [v for k, v in meta if k == "article:author"] == [
        "http://testserver/people/dana-reyes/", "http://testserver/people/sam-okafor/"]
    assert og["article:section"] == "Harbor"
    assert sorted(v for k, v in meta if k == "article:tag") == ["ferries", "labor"]
    assert og["twitter:card"] == "summary_large_image"
    assert og["twitter:image"] == og["og:image"]
    assert og["description"] == "Nine months of talks end in a deal."
    assert head_links(text, "canonical") == [(None, url)]
    assert "robots" not in og
    # extruct reads the same OpenGraph properties.
    props = extruct.extract(text, syntaxes=["opengraph"])["opengraph"][0]["properties"]
    assert ("og:type", "article") in props


def test_article_times_in_opengraph_are_the_stored_instants(client, story):
    og = dict(head_meta(page(client, story.get_absolute_url())))
    published = datetime.fromisoformat(og["article:published_time"])
    assert published.replace(microsecond=0) == story.publish_at.replace(microsecond=0)


def test_canonical_url_honours_the_override(client, publication):
    story = ArticleFactory(publication=publication, published=True,
                           canonical_url="https://wire.example/stories/ferry-deal")
    text = page(client, story.get_absolute_url())
    assert head_links(text, "canonical") == [(None, "https://wire.example/stories/ferry-deal")]
    assert json_ld(text, "NewsArticle")["mainEntityOfPage"]["@id"] == (
        "https://wire.example/stories/ferry-deal")


def test_tricky_headline_stays_valid_json_and_cannot_close_the_script(client, publication):
    story = ArticleFactory(publication=publication, published=True, headline=TRICKY_HEADLINE)
    text = page(client, story.get_absolute_url())
    assert json_ld(text, "NewsArticle")["headline"] == TRICKY_HEADLINE
    scripts = lxml_html.fromstring(text).xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 2  # the </script> in the headline did not end a block early
    for script in scripts:
        json.loads(script.text)
        assert "<" not in script.text and "&" not in script.text
    assert dict(head_meta(text))["og:title"] == TRICKY_HEADLINE


def test_author_page_is_a_profile_page(client, story):
    person = story.bylines.get(person__full_name="Dana Reyes").person
    person.job_title, person.short_bio = "Harbor Reporter", "Dana covers the waterfront."
    person.save()
    SocialLink.objects.create(person=person, network="bluesky", url="https://bsky.example/dana")
    text = page(client, person.get_absolute_url())
    data = json_ld(text, "ProfilePage")
    assert data["mainEntity"] == {
        "@type": "Person", "name": "Dana Reyes", "url": "http://testserver/people/dana-reyes/",
        "jobTitle": "Harbor Reporter", "description": "Dana covers the waterfront.",
        "sameAs": ["https://bsky.example/dana"],
    }
    assert data["url"] == "http://testserver/people/dana-reyes/"
    assert dict(head_meta(text))["og:type"] == "profile"
    assert ("application/rss+xml", "/people/dana-reyes/feed/") in head_links(text, "alternate")


def test_home_is_a_website_with_a_search_action(client, story, publication):
    text = page(client, "/")
    data = json_ld(text, "WebSite")
    assert data["name"] == publication.name
    assert data["url"] == "http://testserver/"
    assert data["potentialAction"] == {
        "@type": "SearchAction",
        "target": {"@type": "EntryPoint",
                   "urlTemplate": "http://testserver/search/?q={search_term_string}"},
        "query-input": "required name=search_term_string",
    }
    assert data["publisher"]["name"] == publication.name


def test_each_masthead_describes_itself_on_its_own_domain(client, other_publication):
    text = page(client, "/", HTTP_HOST="valley.example")
    data = json_ld(text, "WebSite")
    assert (data["name"], data["url"]) == ("The Valley Ledger", "http://valley.example/")


@pytest.mark.parametrize(("url", "expected"), [
    ("/", ["/feed/", "/feed/atom/"]),
    ("/section/harbor/", ["/feed/", "/feed/atom/", "/section/harbor/feed/",
                          "/section/harbor/feed/atom/"]),
    ("/tag/ferries/", ["/feed/", "/feed/atom/", "/tag/ferries/feed/", "/tag/ferries/feed/atom/"]),
    ("/people/sam-okafor/", ["/feed/", "/feed/atom/", "/people/sam-okafor/feed/",
                             "/people/sam-okafor/feed/atom/"]),
])
def test_pages_with_feeds_advertise_them(client, story, url, expected):
    assert [href for _type, href in head_links(page(client, url), "alternate")] == expected


def test_article_page_advertises_its_sections_feed(client, story):
    hrefs = [href for _t, href in head_links(page(client, story.get_absolute_url()), "alternate")]
    assert "/section/harbor/feed/" in hrefs


def test_advertised_feeds_exist(client, story):
    for _type, href in head_links(page(client, "/section/harbor/"), "alternate"):
        assert client.get(href).status_code == 200


def test_noindex_only_where_asked(client, story, rf):
    assert "noindex" not in page(client, "/")
    request = rf.get("/search/?q=ferry")
    request.publication = story.publication
    head = render_to_string("includes/meta/head.html", {"noindex": True}, request=request)
    assert '<meta name="robots" content="noindex">' in head


def test_preview_of_an_unpublished_story_is_noindex(rf, publication):
    draft = ArticleFactory(publication=publication, status=Article.Status.DRAFT)
    request = rf.get("/preview/")
    html = render_to_string("includes/meta/article.html", {"article": draft}, request=request)
    assert '<meta name="robots" content="noindex">' in html
    public = ArticleFactory(publication=publication, published=True)
    html = render_to_string("includes/meta/article.html", {"article": public}, request=request)
    assert "noindex" not in html
    html = render_to_string("includes/meta/article.html", {"article": public, "preview": True},
                            request=request)
    assert '<meta name="robots" content="noindex">' in html


def test_story_without_image_or_section_still_has_valid_metadata(client, publication):
    story = ArticleFactory(publication=publication, published=True, section=None)
    text = page(client, story.get_absolute_url())
    data = json_ld(text, "NewsArticle")
    assert data["image"] == [] and "articleSection" not in data
    assert dict(head_meta(text))["twitter:card"] == "summary"


def test_description_from_the_body_is_plain_text(client, publication):
    story = ArticleFactory(publication=publication, published=True, summary="",
                           body="<p>Tolls &amp; fares rise <em>again</em> on Monday.</p>")
    text = page(client, story.get_absolute_url())
    assert json_ld(text, "NewsArticle")["description"] == "Tolls & fares rise again on Monday."
    assert dict(head_meta(text))["og:description"] == "Tolls & fares rise again on Monday."
