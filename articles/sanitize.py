"""The one allowlist for story HTML.

Everything that stores body HTML (the admin, imports, the API) goes through
``sanitize_html``: unknown tags are dropped with their markup (their text stays),
``on*`` handlers and ``style`` attributes disappear, and links may only point to
http(s), mailto and tel addresses. nh3 (Ammonia) parses like a browser, so malformed
markup cannot smuggle a tag past the allowlist.
"""

import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr",
    "h2", "h3", "h4",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "a", "abbr", "cite", "q", "code", "pre",
    "ul", "ol", "li",
    "blockquote", "aside",
    "figure", "figcaption", "img",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}

# Classes the site's stylesheet gives a meaning to; any other class is removed.
ALLOWED_CLASSES = {
    "blockquote": {"pull-quote"},
    "aside": {"pull-quote", "note"},
    "figure": {"inline-image", "align-left", "align-right", "wide"},
}

ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Word and other word processors paste a whole document: <head> with <title>, <xml>
# settings and styles; "downlevel-revealed" conditional blocks such as
# <![if !supportLists]>·<![endif]> holding fake bullets; and empty paragraphs for spacing.
WORD_CONDITIONAL = re.compile(r"<!\[if [^\]]*\]>.*?<!\[endif\]>", re.DOTALL | re.IGNORECASE)
EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|<br>)*</p>")


def sanitize_html(html):
    """Return ``html`` reduced to the allowlist. Safe to call on already clean HTML."""
    if not html:
        return ""
    html = WORD_CONDITIONAL.sub("", html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        # <script>, <style> and friends go with their content, not just their tags.
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template",
                            "noscript", "svg", "math", "head", "title", "xml"},
    )
    return EMPTY_PARAGRAPH.sub("", cleaned).strip()
