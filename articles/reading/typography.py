"""Typographic quotes for readers: "straight" and 'straight' become “curly” and ‘curly’,
and an apostrophe becomes ’ (it's → it’s, '90s → ’90s).

Done when a page is rendered, never on save: what editors typed stays as they typed it
(their search, revisions and diffs, imports compared with their source, and a rule that
can be improved later without rewriting every story), and rendered pages and their parts
are cached, so the cost is paid once per change.

``smarten_text`` is for plain text (headline, dek, kicker, summary), before it is escaped;
``smarten_html`` is for the sanitized body and changes only the text between tags — never
an attribute, never inside ``<code>``, ``<pre>``, ``<kbd>``, ``<samp>`` or ``<var>``, and
never an address written out in the text.
"""

import html
import re

# Where an opening quote may stand: the start, or after space, an opening bracket, a dash
# or another opening quote.
_OPENS_AFTER = " \t\n\r\u00a0([{\u2014\u2013-/\u201c\u2018"
# 5'10" and 6' are measures: primes, not quotes.
_FEET_INCHES = re.compile(r"(?<=\d)'(?=\d{1,2}\")|(?<=\d)'(?=\d{1,2}\u2033)")
_INCHES_AFTER_FEET = re.compile(r"(?<=\d\u2032\d)\"|(?<=\d\u2032\d\d)\"")
# An apostrophe that opens a shortened year or word: '90s, 'em, 'tis, 'n'.
_LEADING_APOSTROPHE = re.compile(r"(?<![\w\u2019])'(?=(\d\ds|\d\d\b|em\b|tis\b|twas\b|n\b))",
                                 re.IGNORECASE)
_ADDRESS = re.compile(r"(?:https?://|mailto:|www\.)\S+|\S+@\S+\.\w+")
_VERBATIM = {"code", "pre", "kbd", "samp", "var", "script", "style"}
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
_BLOCK = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "div",
          "figcaption", "br", "dt", "dd", "section", "aside", "figure"}


def _smarten(text, before=""):
    """Quotes in ``text`` turned typographic; ``before`` is the character that precedes it
    (from an earlier text node), which decides whether a quote at its start opens."""
    if "'" not in text and '"' not in text:
        return text
    text = _FEET_INCHES.sub("\u2032", text)
    text = _INCHES_AFTER_FEET.sub("\u2033", text)
    text = _LEADING_APOSTROPHE.sub("\u2019", text)
    out = []
    previous = before
    for char in text:
        if char == '"':
            char = "\u201c" if not previous or previous in _OPENS_AFTER else "\u201d"
        elif char == "'":
            # Inside a word it is an apostrophe; after a word or a closing mark it closes.
            char = "\u2018" if not previous or previous in _OPENS_AFTER else "\u2019"
        out.append(char)
        previous = char
    return "".join(out)


def _smarten_prose(text, before=""):
    """``_smarten`` over text, leaving any address written in it as it is."""
    pieces, last = [], 0
    for match in _ADDRESS.finditer(text):
        pieces.append(_smarten(text[last:match.start()], before))
        pieces.append(match.group(0))
        before, last = match.group(0)[-1], match.end()
    pieces.append(_smarten(text[last:], before))
    return "".join(pieces)


def smarten_text(text):
    """Plain text with typographic quotes (escape it afterwards, as templates do)."""
    if not text:
        return text
    text = str(text)
    # Most headlines have no quote at all: no need to look for addresses in them.
    if "'" not in text and '"' not in text:
        return text
    return _smarten_prose(text)


def smarten_html(markup):
    """HTML with typographic quotes in its text, outside verbatim elements and tags."""
    if not markup or ("'" not in markup and '"' not in markup and "&quot;" not in markup
                      and "&#39;" not in markup and "&#x27;" not in markup):
        return markup
    out = []
    verbatim = 0
    previous = ""
    for part in _TAG.split(markup):
        if not part:
            continue
        if part.startswith("<"):
            out.append(part)
            found = _TAG_NAME.match(part)
            if found:
                closing, name = found.group(1) == "/", found.group(2).lower()
                if name in _VERBATIM:
                    verbatim = max(0, verbatim - 1) if closing else verbatim + 1
                if name in _BLOCK:
                    previous = ""
            continue
        if verbatim:
            out.append(part)
            previous = "x"  # text ends a word: a quote right after code closes
            continue
        text = _smarten_prose(html.unescape(part), previous)
        previous = text[-1]
        out.append(html.escape(text, quote=False))
    return "".join(out)
