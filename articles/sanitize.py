"""The one allowlist for story HTML.

Everything that stores body HTML (the admin, imports, the API) goes through
``sanitize_html``: unknown tags are dropped with their markup (their text stays),
``on*`` handlers and ``style`` attributes disappear, and links may only point to
http(s), mailto and tel addresses; pictures, sound and video only to http(s) addresses or
this site's own files. nh3 (Ammonia) parses like a browser, so malformed markup cannot
smuggle a tag past the allowlist.

Cleaning is idempotent: clean HTML comes back unchanged, so a body saved again (by an
editor, or restored from a backup) is byte for byte the body that was shown.
"""

import html as html_entities
import re

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import Truncator

ALLOWED_TAGS = {
    "p", "br", "hr",
    "h2", "h3", "h4",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "a", "abbr", "cite", "q", "code", "pre",
    "ul", "ol", "li",
    "blockquote", "aside",
    "figure", "figcaption", "img", "video", "audio", "source",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    # data-image-id: a picture of the library, shown with its renditions (body_images).
    "img": {"src", "alt", "width", "height", "data-image-id"},
    "video": {"src", "controls", "poster", "width", "height", "preload"},
    "audio": {"src", "controls", "preload"},
    "source": {"src", "type"},
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
    "figure": {"inline-image", "align-left", "align-right", "wide", "gallery", "media"},
    # A picture's credit in its caption, as the body editor inserts it from the library.
    "small": {"credit"},
}
# Attributes holding the address of something the page loads by itself.
MEDIA_ADDRESSES = {("img", "src"), ("video", "src"), ("video", "poster"), ("audio", "src"),
                   ("source", "src")}

ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Word and other word processors paste a whole document: <head> with <title>, <xml>
# settings and styles; "downlevel-revealed" conditional blocks such as
# <![if !supportLists]>·<![endif]> holding fake bullets; and empty paragraphs for spacing.
WORD_CONDITIONAL = re.compile(r"<!\[if [^\]]*\]>.*?<!\[endif\]>", re.DOTALL | re.IGNORECASE)
EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|<br>)*</p>")


# The HTML parser drops a newline right after <pre>, and the serializer does not write
# one back: a <pre> starting with a newline would lose one on every save.
EMPTY_CLASS = re.compile(r' class=""(?=[ >])')
PRE_LEADING_NEWLINE = re.compile(r"(<pre\b[^>]*>)\n")


def _media_address(element, attribute, value):
    """Pictures, sound and video load from http(s) addresses or this site's own paths;
    ``data-image-id`` is a number."""
    if attribute == "data-image-id":
        return value if value.isdigit() else None
    if (element, attribute) not in MEDIA_ADDRESSES:
        return value
    scheme = value.split(":", 1)[0].lower() if ":" in value.split("/", 1)[0] else ""
    return value if scheme in ("", "http", "https") else None


def _clean(html):
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
        attribute_filter=_media_address,
    )
    cleaned = PRE_LEADING_NEWLINE.sub(r"\1\n\n", cleaned)
    cleaned = EMPTY_CLASS.sub("", cleaned)  # what is left when no class was allowed
    return EMPTY_PARAGRAPH.sub("", cleaned).strip()


def sanitize_html(html):
    """Return ``html`` reduced to the allowlist. Clean HTML comes back unchanged.

    Taking out a disallowed element can leave allowed ones in an order the HTML parser
    rearranges when it reads them again (a heading left inside another heading, a row
    left after a table's body), so the cleaning is repeated until it changes nothing:
    the result is what the next save would make of it too."""
    if not html:
        return ""
    cleaned = _clean(WORD_CONDITIONAL.sub("", html))
    for _pass in range(3):
        again = _clean(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def check_body_size(html):
    """Refuse a body longer than ``NEWSROOM_BODY_MAX_BYTES`` of HTML (UTF-8), before any
    work is spent on it: cleaning and rendering take time in proportion to the size, and a
    body of several megabytes (a pasted document, a malformed import) would hold a server
    for seconds on every uncached page. The story form and every import check here."""
    limit = settings.NEWSROOM_BODY_MAX_BYTES
    size = len((html or "").encode("utf-8"))
    if size > limit:
        raise ValidationError(
            "The story text is %(size)s of HTML; the limit is %(limit)s. Split it into "
            "several stories, or paste it again as plain text (documents pasted from a word "
            "processor carry much hidden formatting).",
            code="body_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )


# A tag of sanitized HTML: nh3 writes "<" and ">" inside text and attribute values as
# entities, so every tag runs from "<" to the next ">". The pattern cannot backtrack
# (no "<" or ">" inside), so removing tags takes time in proportion to the text, unlike
# django.utils.html.strip_tags, which parses the text again until nothing changes.
SANITIZED_TAG = re.compile(r"<[^<>]*>")


# Where one paragraph, heading or list item ends and the next begins: a space in plain
# text, or "Tuesday.</p><p>A vote" would read "Tuesday.A vote".
BLOCK_BOUNDARY = re.compile(r"</?(?:p|h[1-6]|li|blockquote|figure|figcaption|br|hr)\b[^>]*>",
                            re.IGNORECASE)


def plain_text(html, *, words=None):
    """Sanitized HTML as plain text: tags removed, entities (&amp;) turned back into
    characters. With ``words``, only the opening words, truncated with "…" like
    ``Truncator.words``, read from as little of the body as they need."""
    if not html:
        return ""
    if words is None:
        return html_entities.unescape(SANITIZED_TAG.sub("", html))
    size = 4096
    while True:
        part = html[:size]
        if size < len(html):
            part = part[: part.rfind(">") + 1]  # never cut a tag or an entity in two
        text = SANITIZED_TAG.sub("", BLOCK_BOUNDARY.sub(" ", part))
        found = html_entities.unescape(text).split()
        if len(found) > words or size >= len(html):
            return Truncator(" ".join(found)).words(words)
        size *= 4
