"""Share links on a story: plain addresses of this page, nothing loaded from elsewhere."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from articles.reading.preview import create_preview_link, preview_url

from .factories import ArticleFactory, RunFactory

pytestmark = pytest.mark.django_db


def share_hrefs(html):
    block = re.search(r'<aside class="share".*?</aside>', html, re.S).group(0)
    return {label: unescape(href) for href, label in
            re.findall(r'<a href="([^"]+)" rel="noopener noreferrer nofollow">([^<]+)</a>', block)}


def test_a_story_offers_email_and_network_links_to_its_own_address(client, publication):
    article = ArticleFactory(publication=publication, published=True,
                             headline="Harbor's new ferry & the old pier")
    html = client.get(article.get_absolute_url()).text
    url = f"http://testserver{article.get_absolute_url()}"
    links = share_hrefs(html)
    assert set(links) == {"Email", "Bluesky", "Facebook", "LinkedIn", "Reddit", "WhatsApp", "X"}
    email = urlsplit(links["Email"])
    assert email.scheme == "mailto"
    assert parse_qs(email.query) == {"subject": ["Harbor’s new ferry & the old pier"],
                                     "body": [url]}
    assert parse_qs(urlsplit(links["Facebook"]).query) == {"u": [url]}
    assert parse_qs(urlsplit(links["X"]).query)["url"] == [url]
    assert parse_qs(urlsplit(links["Bluesky"]).query)["text"] == [
        f"Harbor’s new ferry & the old pier {url}"]
    for href in links.values():
        assert href.startswith(("mailto:", "https://"))
    # Web Share and Copy link wait for the script, which only this site serves.
    assert 'data-share data-url="' + url + '"' in html
    assert "data-copy-link" in html
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert scripts and all(src.startswith("/") for src in scripts)
    assert "<iframe" not in html and "<img src=\"http" not in html


def test_a_preview_offers_no_share_links(client, publication):
    draft = ArticleFactory(publication=publication, headline="Not out yet")
    html = client.get(preview_url(create_preview_link(article=draft, user=None))).text
    assert 'class="share"' not in html


def test_a_story_shares_its_canonical_address(client, publication, other_publication):
    """The address shared is the one the page names as canonical (and in og:url): a story
    first published elsewhere shares the original, and a sister masthead's page shares the
    story's home page, so every share counts for one story."""
    wire = ArticleFactory(publication=publication, published=True,
                          canonical_url="https://wire.example/stories/ferry-deal")
    links = share_hrefs(client.get(wire.get_absolute_url()).text)
    assert parse_qs(urlsplit(links["Facebook"]).query) == {
        "u": ["https://wire.example/stories/ferry-deal"]}

    publication.domain = "herald.example"
    publication.save()
    other_publication.domain = "valley.example"
    other_publication.save()
    story = ArticleFactory(publication=publication, published=True)
    RunFactory(article=story, publication=other_publication)
    home_url = f"http://herald.example{story.get_absolute_url()}"
    for host in ("herald.example", "valley.example"):
        html = client.get(story.get_absolute_url(), HTTP_HOST=host).text
        links = share_hrefs(html)
        assert parse_qs(urlsplit(links["Email"]).query)["body"] == [home_url], host
        assert parse_qs(urlsplit(links["LinkedIn"]).query) == {"url": [home_url]}, host
        assert 'data-share data-url="' + home_url + '"' in html


@pytest.mark.parametrize("title", [
    "Harbor's new ferry & the old pier", 'A "quoted" + plus / slash ? = #', "Ünïcødé — 100% ☂",
    "  spaced  out  ", ""])
def test_share_links_say_what_urlencode_says(title):
    # Each value is quoted once for the links that carry it (sharing.share_links): the
    # same addresses as urlencode's, one dictionary per link.
    from urllib.parse import quote, urlencode

    from articles.reading import sharing, typography

    url = "https://example.com/2026/12/1/caf%C3%A9-&-bar/?a=1&b=2"
    smart = typography.smarten_text(title)
    both = f"{smart} {url}"
    assert sharing.share_links(url, title) == [
        ("Email", f"mailto:?{urlencode({'subject': smart, 'body': url}, quote_via=quote)}"),
        ("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": both})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?"
         + urlencode({"url": url})),
        ("Reddit", "https://www.reddit.com/submit?" + urlencode({"url": url, "title": smart})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": both})),
        ("X", "https://x.com/intent/post?" + urlencode({"url": url, "text": smart})),
    ]
