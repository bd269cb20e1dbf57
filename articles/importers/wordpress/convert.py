"""WordPress post content → Newsroom body HTML: paragraphs, captions and shortcodes.

The result is sanitized later, when the article is saved, like any other body.
"""

import re

SHORTCODE_ATTR = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
CAPTION = re.compile(r"\[(?:wp_)?caption\b([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.S | re.I)
LEADING_MEDIA = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)
EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.S | re.I)
MEDIA_SHORTCODE = re.compile(
    r"\[(gallery|audio|video|playlist)\b[^\]]*\](?:.*?\[/\1\])?", re.S | re.I
)
BLOCK_START = re.compile(
    r"^<(?:p|h[1-6]|ul|ol|li|dl|blockquote|figure|table|pre|div|hr|aside|section|address)\b",
    re.I,
)
ALIGN = {"alignleft": "align-left", "alignright": "align-right"}


def shortcode_attrs(text):
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
            for m in SHORTCODE_ATTR.finditer(text)}


def _figure(match):
    attrs = shortcode_attrs(match.group(1))
    inner = match.group(2)
    media = LEADING_MEDIA.match(inner)
    picture, text = (media.group(1), media.group(2)) if media else ("", inner)
    caption = (attrs.get("caption") or text).strip()
    classes = " ".join(filter(None, ["inline-image", ALIGN.get(attrs.get("align", ""))]))
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'\n\n<figure class="{classes}">{picture}{figcaption}</figure>\n\n'


def autop(text):
    """WordPress's rule: a blank line separates paragraphs, a single newline is a <br>."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if not block:
            continue
        if BLOCK_START.match(block):
            out.append(block)
        else:
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", block) + "</p>")
    return "\n".join(out)


def convert_body(content, warn=None):
    """WordPress post content → Newsroom body HTML (sanitized later, on save)."""
    text = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # block-editor markers
    text = CAPTION.sub(_figure, text)
    text = EMBED.sub(lambda m: f'\n\n<p><a href="{m.group(1).strip()}">{m.group(1).strip()}</a></p>\n\n', text)
    for m in MEDIA_SHORTCODE.finditer(text):
        if warn:
            warn(f"left out a [{m.group(1).lower()}] shortcode, which has no equivalent here")
    text = MEDIA_SHORTCODE.sub("", text)
    return autop(text)
