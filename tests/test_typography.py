"""Typographic quotes: rendered for readers, never stored; code, tags and addresses kept."""

import pytest

from articles.models import Article
from articles.reading.typography import smarten_html, smarten_text

from .factories import ArticleFactory, SectionFactory


@pytest.mark.parametrize("typed, shown", [
    ('"Fair winds," she said.', "“Fair winds,” she said."),
    ("It's the harbor's busiest week", "It’s the harbor’s busiest week"),
    ("The players' union", "The players’ union"),
    ("'Hold the line,' the captain said", "‘Hold the line,’ the captain said"),
    ('He called it "the \'big one\'" (twice)', "He called it “the ‘big one’” (twice)"),
    ("Back to the '90s", "Back to the ’90s"),
    ("Rock 'n' roll night", "Rock ’n’ roll night"),
    ('A 6\'2" forward', "A 6′2″ forward"),
    ("(\"Quoted\")", "(“Quoted”)"),
    ("No quotes here", "No quotes here"),
])
def test_plain_text_gets_typographic_quotes(typed, shown):
    assert smarten_text(typed) == shown


def test_html_changes_text_only_never_code_attributes_or_addresses():
    body = ('<p>"Don\'t," she said. <a href="/it\'s" title="a &quot;t&quot;">it\'s</a> '
            "<code>x = 'y'</code> <em>\"done\"</em> see https://example.org/it's-here now.</p>"
            "<pre>print(\"hi\")</pre><p><kbd>'</kbd> &amp; 'fin'</p>")
    assert smarten_html(body) == (
        '<p>“Don’t,” she said. <a href="/it\'s" title="a &quot;t&quot;">it’s</a> '
        "<code>x = 'y'</code> <em>“done”</em> see https://example.org/it's-here now.</p>"
        "<pre>print(\"hi\")</pre><p><kbd>'</kbd> &amp; ‘fin’</p>")


@pytest.mark.django_db
def test_story_pages_show_typographic_quotes_and_keep_what_was_typed(client, publication):
    section = SectionFactory(publication=publication, name="Harbor", slug="harbor")
    article = ArticleFactory(
        publication=publication, section=section, published=True,
        headline="Mayor: 'We'll rebuild the pier'", kicker='"Our harbor"',
        dek='Crews say it\'s "months" away', summary="The pier's future",
        body="<p>\"It's ready,\" she said.</p><pre>a = 'b'</pre>")
    html = client.get(article.get_absolute_url()).text
    assert "Mayor: ‘We’ll rebuild the pier’</h1>" in html
    assert "<title>Mayor: ‘We’ll rebuild the pier’" in html
    assert "“Our harbor”" in html and "Crews say it’s “months” away" in html
    assert "“It’s ready,” she said." in html
    assert "<pre>a = &#x27;b&#x27;</pre>" in html or "<pre>a = 'b'</pre>" in html
    front = client.get("/").text
    assert "Mayor: ‘We’ll rebuild the pier’" in front
    assert "The pier’s future" in front
    article.refresh_from_db()
    assert article.headline == "Mayor: 'We'll rebuild the pier'"  # stored as typed
    assert Article.objects.filter(body__contains="\"It's ready,\"").exists()


def test_plain_text_without_quotes_is_given_back_as_it_is():
    from django.utils.translation import gettext_lazy

    assert smarten_text("Council votes on the harbor plan") == "Council votes on the harbor plan"
    assert smarten_text(gettext_lazy("Harbor")) == "Harbor"  # lazy text: its string
    assert smarten_text("") == ""
    assert smarten_text(None) is None
    assert smarten_text("see www.example.org's 'page'") == "see www.example.org's ‘page’"
