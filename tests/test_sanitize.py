import pytest

from articles.sanitize import sanitize_html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ('<p onclick="steal()" onmouseover="x">Text</p>', "<p>Text</p>"),
        ('<a href="javascript:alert(1)">link</a>', '<a rel="noopener noreferrer">link</a>'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<img src="x" onerror="alert(1)" alt="a">', '<img src="x" alt="a">'),
        ('<p style="color:red">Red</p>', "<p>Red</p>"),
        ("<style>body{display:none}</style><p>ok</p>", "<p>ok</p>"),
        ('<iframe src="https://evil.example"></iframe><p>ok</p>', "<p>ok</p>"),
        ('<svg onload="alert(1)"><circle /></svg><p>ok</p>', "<p>ok</p>"),
        ("<p>a<!-- secret note -->b</p>", "<p>ab</p>"),
        ("<div><span>Kept text</span></div>", "Kept text"),
        ('<form action="/x"><input name="q"></form>', ""),
    ],
)
def test_dangerous_markup_is_removed(dirty, clean):
    assert sanitize_html(dirty) == clean


def test_newsroom_markup_is_kept():
    html = (
        "<h2>What happens next</h2>"
        '<p>The <strong>council</strong> <em>will</em> vote. <a href="https://example.org/a" '
        'title="Agenda">Read the agenda</a>.</p>'
        "<ul><li>One</li></ul><ol><li>Two</li></ol>"
        '<blockquote class="pull-quote"><p>“We are ready,” she said.</p></blockquote>'
        '<figure class="inline-image"><img src="/media/a.jpg" alt="A pier" width="640" '
        'height="427"><figcaption>The pier.</figcaption></figure>'
    )
    assert sanitize_html(html) == html.replace(
        'title="Agenda"', 'title="Agenda" rel="noopener noreferrer"'
    )


def test_unknown_classes_are_dropped_but_known_ones_stay():
    assert (
        sanitize_html('<blockquote class="pull-quote evil"><p>q</p></blockquote>')
        == '<blockquote class="pull-quote"><p>q</p></blockquote>'
    )
    assert sanitize_html('<p class="mso-normal">x</p>') == "<p>x</p>"


def test_mailto_and_tel_links_are_allowed():
    assert 'href="mailto:tips@herald.example"' in sanitize_html(
        '<a href="mailto:tips@herald.example">Tips</a>'
    )
    assert 'href="tel:+15550100"' in sanitize_html('<a href="tel:+15550100">Call</a>')


def test_sanitizing_twice_changes_nothing():
    once = sanitize_html('<p onclick="x">a <b>b</b><script>c</script></p>')
    assert sanitize_html(once) == once


def test_empty_body_stays_empty():
    assert sanitize_html("") == ""
    assert sanitize_html(None) == ""
