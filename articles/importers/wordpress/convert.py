"""WordPress post content → Newsroom body HTML.

WordPress stores two kinds of post content. The classic editor's is text in which a blank
line separates paragraphs and a single newline is a line break; WordPress turns it into HTML
when it shows the post (``wpautop``), and ``autop`` below does the same. The block editor's is
HTML already, with each block between ``<!-- wp:… -->`` comments, and is taken as it is.
Both may hold shortcodes: ``[caption]``, ``[gallery]``, ``[audio]``, ``[video]``,
``[embed]``; those become figures here, as WordPress would render them.

Pictures, sound and video are looked up through a ``BodyMedia``: during an import, the
importer's finds each picture's file, stores it as an Image and says how the body should
refer to it. Anything the body had to leave out, or that still points at the old site, is
reported through ``warn(message, section)``. The result is sanitized later, when the
article is saved, like any other body.
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

# --- wpautop ---------------------------------------------------------------------------

# The block-level elements of WordPress's wpautop: a paragraph never wraps them.
ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|video|audio)"
)
TAG = re.compile(r"<[^<>]*>")


def autop(text):
    """A port of WordPress's ``wpautop``: a blank line separates paragraphs, a single
    newline inside one is a <br>, and block elements (headings, lists, tables, figures)
    stand on their own, never inside a paragraph, wherever the newlines fall."""
    if not text.strip():
        return ""
    text += "\n"
    pre_blocks = {}

    def keep_pre(match):
        key = f"<pre wp-pre-tag-{len(pre_blocks)}></pre>"
        pre_blocks[key] = match.group(0)
        return key

    text = re.sub(r"<pre\b(?:(?!<pre\b).)*?</pre>", keep_pre, text, flags=re.S | re.I)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.I)
    text = re.sub(rf"(<{ALL_BLOCKS}[\s/>])", r"\n\n\1", text, flags=re.I)
    text = re.sub(rf"(</{ALL_BLOCKS}>)", r"\1\n\n", text, flags=re.I)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text, flags=re.I)
    # A newline inside a tag (between attributes) is not a line break.
    text = TAG.sub(lambda m: m.group(0).replace("\n", " "), text)
    text = re.sub(r"\s*(<figcaption[^<>]*>)", r"\1", text, flags=re.I)
    text = re.sub(r"</figcaption>\s*", "</figcaption>", text, flags=re.I)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{ALL_BLOCKS}[^<>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p><blockquote([^<>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{ALL_BLOCKS}[^<>]*>)", r"\1", text, flags=re.I)
    text = re.sub(rf"(</?{ALL_BLOCKS}[^<>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<br\s*/?>", "<br />", text, flags=re.I)
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = re.sub(rf"(</?{ALL_BLOCKS}[^<>]*>)\s*<br />", r"\1", text, flags=re.I)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^<>]*>)", r"\1", text,
                  flags=re.I)
    text = re.sub(r"\n</p>$", "</p>", text)
    for key, block in pre_blocks.items():
        text = text.replace(key, block)
    return text


# --- Attributes ------------------------------------------------------------------------

ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def attributes(source):
    """The attributes of a tag or shortcode, as written (entities decoded), in order."""
    out = {}
    for m in ATTR.finditer(source):
        value = next((g for g in m.groups()[1:] if g is not None), "")
        out.setdefault(m.group(1).lower(), html.unescape(value))
    return out


def tag(name, attrs, *, close=False):
    parts = [name] + [
        key if value is True else f'{key}="{html.escape(str(value))}"'
        for key, value in attrs.items() if value is not None and value is not False
    ]
    return f"<{' '.join(parts)}>" + (f"</{name}>" if close else "")


# --- Media -----------------------------------------------------------------------------


@dataclass
class Attachment:
    """A WordPress attachment, as the body needs it."""

    pk: str
    url: str
    alt: str = ""
    caption: str = ""
    mime: str = ""
    link: str = ""  # its page on the old site


# Sections of the report, for ``warn``.
MISSING = "missing"  # media the body refers to that could not be brought in
OLD_SITE = "old site"  # media kept at an address that dies with the old site
LEFT_OUT = "left out"  # markup with no equivalent here, taken out of the body

IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp", "avif", "bmp", "tif", "tiff"}
AUDIO_EXTENSIONS = {"mp3", "m4a", "ogg", "oga", "wav", "flac"}
VIDEO_EXTENSIONS = {"mp4", "m4v", "webm", "ogv", "mov"}


class BodyMedia:
    """What the converter asks about a post's pictures, sound and video.

    This one knows nothing beyond the body itself: pictures keep their addresses. The
    importer's subclass knows the export's attachments and brings pictures in.
    """

    base_url = ""  # the old site, against which relative addresses are read
    old_hosts = frozenset()  # host names that go away with the old site

    def attachment(self, pk):
        return None

    def attached(self):
        """The post's own attachments, in order (a [gallery] or [audio] without ids)."""
        return []

    def picture(self, src, *, attachment=None, alt="", caption=""):
        """Attributes for a local copy of the picture at ``src``, or None to keep it."""
        return None

    def absolute(self, url):
        url = (url or "").strip()
        return urljoin(self.base_url + "/", url) if self.base_url else url

    def on_old_site(self, url):
        parts = urlsplit(url)
        return (parts.hostname or "") in self.old_hosts or "/wp-content/uploads/" in parts.path


def _kind_of(url, mime=""):
    ext = urlsplit(url).path.rsplit(".", 1)[-1].lower()
    if mime.startswith("audio/") or ext in AUDIO_EXTENSIONS:
        return "audio"
    if mime.startswith("video/") or ext in VIDEO_EXTENSIONS:
        return "video"
    return "image"


# --- Shortcodes ------------------------------------------------------------------------

# Every pattern below reads an element or shortcode up to its end without passing the
# start of another of its kind ("(?:(?!start).)*?"): an export's text may open a thousand
# [caption]s and close none, and a plain ".*?" would read to the end of the text from
# each of them.
CAPTION = re.compile(
    r"\[(?:wp_)?caption\b([^\[\]]*)\]((?:(?!\[(?:wp_)?caption\b).)*?)\[/(?:wp_)?caption\]",
    re.S | re.I,
)
LEADING_MEDIA = re.compile(r"^\s*((?:<a\b[^<>]*>\s*)?<img\b[^<>]*>(?:\s*</a>)?)(.*)$",
                           re.S | re.I)
EMBED = re.compile(r"\[embed\b[^\[\]]*\]((?:(?!\[embed\b).)*?)\[/embed\]", re.S | re.I)
EMBED_BLOCK = re.compile(
    r"<figure\b[^<>]*\bwp-block-embed\b[^<>]*>\s*<div\b[^<>]*>\s*([^\s<>]+)\s*</div>\s*"
    r"(?:<figcaption\b[^<>]*>((?:(?!<figure\b).)*?)</figcaption>\s*)?</figure>", re.S | re.I,
)
GALLERY = re.compile(r"\[gallery\b([^\[\]]*)\]", re.I)
AUDIO_VIDEO = re.compile(
    r"\[(audio|video)\b([^\[\]]*)\](?:((?:(?!\[(?:audio|video)\b).)*?)\[/\1\])?", re.S | re.I)
PLAYLIST = re.compile(r"\[playlist\b[^\[\]]*\]", re.I)
# The block editor's pull quote: a figure around a blockquote, which alone is kept.
PULLQUOTE = re.compile(
    r"<figure\b[^<>]*\bwp-block-pullquote\b[^<>]*>\s*"
    r"(<blockquote\b(?:(?!<figure\b).)*?</blockquote>)\s*</figure>",
    re.S | re.I,
)
SOUND_OR_VIDEO = re.compile(r"<(video|audio)\b([^<>]*)>((?:(?!<(?:video|audio)\b).)*?)</\1>",
                            re.S | re.I)
INNER_FIGURE = re.compile(r"(<figure\b[^<>]*>)((?:(?!<figure\b|</figure>).)*)(</figure>)",
                          re.S | re.I)
ALIGN = {"alignleft": "align-left", "alignright": "align-right", "alignwide": "wide",
         "alignfull": "wide"}


class _Converter:
    def __init__(self, media, warn):
        self.media = media
        self.warn = warn

    def caption(self, match):
        attrs = attributes(match.group(1))
        inner = match.group(2)
        lead = LEADING_MEDIA.match(inner)
        picture, text = (lead.group(1), lead.group(2)) if lead else ("", inner)
        caption = (attrs.get("caption") or text).strip()
        if attrs.get("id", "").startswith("attachment_") and picture:
            picture = re.sub(r"<img\b", f'<img data-wp-attachment="{attrs["id"][11:]}"',
                             picture, count=1)
        classes = " ".join(filter(None, ["inline-image", ALIGN.get(attrs.get("align", ""))]))
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f'<figure class="{classes}">{picture}{figcaption}</figure>'

    def gallery(self, match):
        attrs = attributes(match.group(1))
        ids = [pk.strip() for pk in re.split(r"[,\s]+", attrs.get("ids") or attrs.get("include") or "")
               if pk.strip()]
        ids = ids or [pk for pk in self.media.attached()
                      if _kind_of((self.media.attachment(pk) or Attachment(pk, "")).url) == "image"]
        figures = []
        for pk in ids:
            attachment = self.media.attachment(pk)
            if attachment is None:
                self.warn(f"a gallery picture (attachment {pk}) is not in the export", MISSING)
                continue
            img = tag("img", {"src": attachment.url, "alt": attachment.alt,
                              "data-wp-attachment": pk})
            caption = f"<figcaption>{attachment.caption}</figcaption>" if attachment.caption else ""
            figures.append(f'<figure class="inline-image">{img}{caption}</figure>')
        if not figures:
            self.warn("left out a [gallery] with no pictures in the export", LEFT_OUT)
            return ""
        return f'<figure class="gallery">{"".join(figures)}</figure>'

    def audio_video(self, match):
        kind = match.group(1).lower()
        attrs = attributes(match.group(2))
        formats = AUDIO_EXTENSIONS if kind == "audio" else VIDEO_EXTENSIONS
        src = attrs.get("src") or next((attrs[f] for f in sorted(formats) if attrs.get(f)), "")
        if not src:
            # WordPress plays the post's first attached file of the kind.
            src = next((a.url for a in map(self.media.attachment, self.media.attached())
                        if a and _kind_of(a.url, a.mime) == kind), "")
        if not src:
            self.warn(f"left out an [{kind}] shortcode with no {kind} file", LEFT_OUT)
            return ""
        extra = {"width": attrs.get("width"), "height": attrs.get("height"),
                 "poster": attrs.get("poster")} if kind == "video" else {}
        element = tag(kind, {"controls": True, "src": src, **extra}, close=True)
        return f'<figure class="media">{element}</figure>'

    def playlist(self, match):
        self.warn("left out a [playlist], which has no equivalent here", LEFT_OUT)
        return ""

    def embed(self, url, caption=""):
        url = html.unescape(url.strip())
        link = f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
        return link + (f"<p>{caption}</p>" if caption else "")

    # --- Elements ----------------------------------------------------------------------

    def figure(self, match):
        attrs = attributes(match.group(1))
        classes = attrs.get("class", "").split()
        ours = []
        if {"wp-block-gallery", "gallery"} & set(classes):
            ours.append("gallery")
        elif {"wp-block-video", "wp-block-audio", "media"} & set(classes):
            ours.append("media")
        elif {"wp-block-image", "wp-caption", "inline-image"} & set(classes):
            ours.append("inline-image")
        ours += [ALIGN[c] for c in classes if c in ALIGN]
        ours += [c for c in classes if c in ("align-left", "align-right", "wide")]
        return tag("figure", {"class": " ".join(dict.fromkeys(ours)) or None})

    def blockquote(self, match):
        """The block editor's pull quote (or a quote in its large style) is our pull quote;
        any other quote is a plain one."""
        classes = set(attributes(match.group(1)).get("class", "").split())
        pull = {"wp-block-pullquote", "is-style-large", "pull-quote"} & classes
        return '<blockquote class="pull-quote">' if pull else "<blockquote>"

    def sound_or_video(self, match):
        """<audio> and <video> stay, playable (controls) and with absolute http(s)
        addresses; one that plays from the old site is reported, one with no address
        that could work here is left out and reported."""
        kind, attrs, inner = match.group(1).lower(), attributes(match.group(2)), match.group(3)
        sources = []
        for source in re.finditer(r"<source\b([^<>]*)>", inner, re.I):
            source_attrs = attributes(source.group(1))
            url = self.media.absolute(source_attrs.get("src", ""))
            if urlsplit(url).scheme in ("http", "https"):
                sources.append(tag("source", {"src": url, "type": source_attrs.get("type")}))
        src = self.media.absolute(attrs.get("src", "")) if attrs.get("src") else ""
        if src and urlsplit(src).scheme not in ("http", "https"):
            src = ""
        if not (src or sources):
            self.warn(f"left out a <{kind}> element with no http(s) address", LEFT_OUT)
            return ""
        keep = {"controls": True, "src": src or None}
        if kind == "video":
            poster = self.media.absolute(attrs.get("poster", "")) if attrs.get("poster") else ""
            keep |= {"width": attrs.get("width"), "height": attrs.get("height"),
                     "poster": poster if urlsplit(poster).scheme in ("http", "https") else None}
        for url in [src] + re.findall(r'src="([^"]*)"', "".join(sources)):
            if url and self.media.on_old_site(html.unescape(url)):
                self.warn(f"{'a sound file' if kind == 'audio' else 'a video'} still plays "
                          f"from the old site: {html.unescape(url)}", OLD_SITE)
        return tag(kind, keep) + "".join(sources) + f"</{kind}>"

    def note_caption(self, match):
        """Mark a figure's picture with the figure's caption, for the library's copy."""
        inner = match.group(2)
        caption = re.search(r"<figcaption\b[^<>]*>((?:(?!<figcaption\b).)*?)</figcaption>",
                            inner, re.S | re.I)
        if caption:
            plain = html.escape(html.unescape(TAG.sub("", caption.group(1))).strip())
            inner = re.sub(r"<img\b", f'<img data-wp-caption="{plain}"', inner, count=1,
                           flags=re.I)
        return match.group(1) + inner + match.group(3)

    def img(self, match):
        attrs = attributes(match.group(1))
        src = self.media.absolute(attrs.get("src", ""))
        if not src:
            return ""
        pk = attrs.get("data-wp-attachment") or next(
            (c[9:] for c in attrs.get("class", "").split() if c.startswith("wp-image-")), None)
        attachment = self.media.attachment(pk) if pk else None
        alt = attrs.get("alt") or (attachment.alt if attachment else "")
        local = self.media.picture(src, attachment=attachment, alt=alt,
                                   caption=attrs.get("data-wp-caption", ""))
        if local is not None:
            return tag("img", local)
        keep = {"src": src, "alt": alt, "width": attrs.get("width"),
                "height": attrs.get("height")}
        return tag("img", keep)

    def unwrap_media_link(self, match):
        """A picture linked to its own file or attachment page: the link goes (it points
        at the old site and adds nothing the picture does not show)."""
        href = html.unescape(attributes(match.group(1)).get("href", ""))
        ext = urlsplit(href).path.rsplit(".", 1)[-1].lower()
        pk = re.search(r"\bwp-image-(\d+)\b", match.group(2))
        attachment = self.media.attachment(pk.group(1)) if pk else None
        if ("attachment_id=" in href or ext in IMAGE_EXTENSIONS
                or attachment and attachment.link and href.rstrip("/") == attachment.link.rstrip("/")):
            return match.group(2)
        return match.group(0)

    def convert(self, content):
        text = (content or "").replace("\r\n", "\n").replace("\r", "\n")
        has_blocks = "<!-- wp:" in text
        # Block markers, <!--more-->.
        text = re.sub(r"<!--(?:(?!<!--).)*?-->", "", text, flags=re.S)
        # Shortcodes first: what they become are block elements (figures), which the
        # paragraphs below must then leave standing on their own.
        text = CAPTION.sub(self.caption, text)
        text = GALLERY.sub(self.gallery, text)
        text = AUDIO_VIDEO.sub(self.audio_video, text)
        text = PLAYLIST.sub(self.playlist, text)
        text = EMBED.sub(lambda m: self.embed(m.group(1)), text)
        text = EMBED_BLOCK.sub(lambda m: self.embed(m.group(1), m.group(2) or ""), text)
        if not has_blocks:
            text = autop(text)
        if has_blocks:
            text = _between_blocks(text)
        text = PULLQUOTE.sub(lambda m: re.sub(r"<blockquote\b[^<>]*>",
                                              '<blockquote class="pull-quote">', m.group(1),
                                              count=1), text)
        text = re.sub(r"<figure\b([^<>]*)>", self.figure, text, flags=re.I)
        text = re.sub(r"<blockquote\b([^<>]*)>", self.blockquote, text, flags=re.I)
        text = SOUND_OR_VIDEO.sub(self.sound_or_video, text)
        text = re.sub(r"<a\b([^<>]*)>\s*(<img\b[^<>]*>)\s*</a>", self.unwrap_media_link, text,
                      flags=re.I)
        text = INNER_FIGURE.sub(self.note_caption, text)
        text = re.sub(r"<img\b([^<>]*)>", self.img, text, flags=re.I)
        return headings_in_range(text).strip()


def _between_blocks(text):
    """The block editor leaves blank lines between blocks; one newline is enough (not
    inside <pre>, where every newline is content)."""
    parts = re.split(r"(<pre\b(?:(?!<pre\b).)*?</pre>)", text, flags=re.S | re.I)
    return "".join(part if i % 2 else re.sub(r"\n\s*\n", "\n", part)
                   for i, part in enumerate(parts))


def headings_in_range(text, levels=(2, 3, 4)):
    """WordPress bodies use any of h1–h6; a story's headline is its h1 and its body keeps
    h2–h4. The levels a body uses are mapped in order onto those (h1, h2, h5 → h2, h3, h4;
    deeper ones share h4), so the outline keeps its shape and skips no level."""
    used = sorted({int(n) for n in re.findall(r"<h([1-6])\b", text, flags=re.I)})
    mapping = {n: levels[min(i, len(levels) - 1)] for i, n in enumerate(used)}
    if all(n == m for n, m in mapping.items()):
        return text
    return re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m.group(1)}h{mapping[int(m.group(2))]}",
                  text, flags=re.I)


def convert_body(content, media=None, warn=None):
    """WordPress post content → Newsroom body HTML (sanitized later, on save).

    ``warn(message, section)`` hears of everything left out or kept at the old site;
    ``section`` is ``MISSING``, ``OLD_SITE`` or None for anything else.
    """
    return _Converter(media or BodyMedia(), warn or (lambda message, section=None: None)).convert(content)
