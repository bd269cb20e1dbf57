"""RSS 2.0 and Atom writers that carry what news readers expect beyond Django's defaults.

Each item may carry, through ``Feed.item_extra_kwargs``:

- ``authors``: every author as ``(name, url)``; RSS gets one ``dc:creator`` each, Atom
  one ``<author>`` each (Django's writers know a single author only);
- ``content_html``: the full, sanitized story (``content:encoded`` / Atom ``<content>``);
- ``media``: the lead image as a dict with url, type, length, width, height, title, credit.

The channel may carry ``logo_url`` (RSS ``<image>``, Atom ``<logo>``).

Each item can also be written alone (``write_entry``), and a feed written from items
written before (``entries``): a feed is then its channel and its items' kept XML, joined,
byte for byte what writing every item in turn gives.
"""

from io import StringIO

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.xmlutils import SimplerXMLGenerator

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_NS = "http://search.yahoo.com/mrss/"


def add_media_content(handler, media):
    attrs = {"url": media["url"], "medium": "image", "type": media["type"]}
    if media.get("length"):
        attrs["fileSize"] = str(media["length"])
    if media.get("width") and media.get("height"):
        attrs["width"], attrs["height"] = str(media["width"]), str(media["height"])
    handler.startElement("media:content", attrs)
    if media.get("title"):
        handler.addQuickElement("media:description", media["title"], {"type": "plain"})
    if media.get("credit"):
        handler.addQuickElement("media:credit", media["credit"])
    handler.endElement("media:content")


class EntriesWrittenApart:
    """Items written one by one, to be kept and joined later.

    Set ``entries`` (every item's XML, in order, as ``write_entry`` wrote it) before
    ``write``: they are written as they are, and ``self.items`` need hold only the items
    written this time. The channel's last build date is then the feed's ``latest_change``
    (a channel argument), since the items not in ``self.items`` have a say in it too.
    """

    entry_element = "item"
    entries = None

    def write_entry(self, item):
        """One item's XML, exactly as ``write_items`` writes it in the whole feed."""
        out = StringIO()
        handler = SimplerXMLGenerator(out, "utf-8", short_empty_elements=True)
        handler.startElement(self.entry_element, self.item_attributes(item))
        self.add_item_elements(handler, item)
        handler.endElement(self.entry_element)
        return out.getvalue()

    def write_items(self, handler):
        if self.entries is None:
            return super().write_items(handler)
        # The entries are XML already: ignorableWhitespace writes its text unescaped, after
        # closing the tag before it, as the writer would have.
        handler.ignorableWhitespace("".join(self.entries))

    def latest_post_date(self):
        return self.feed.get("latest_change") or super().latest_post_date()


class NewsroomRssFeed(EntriesWrittenApart, Rss201rev2Feed):
    format_name = "rss"

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": CONTENT_NS,
            "xmlns:dc": DC_NS,
            "xmlns:media": MEDIA_NS,
        }

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("logo_url"):
            handler.startElement("image", {})
            handler.addQuickElement("url", self.feed["logo_url"])
            handler.addQuickElement("title", self.feed["title"])
            handler.addQuickElement("link", self.feed["link"])
            handler.endElement("image")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item.get("authors", ()):
            handler.addQuickElement("dc:creator", name)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        if item.get("media"):
            add_media_content(handler, item["media"])


class NewsroomAtomFeed(EntriesWrittenApart, Atom1Feed):
    format_name = "atom"
    entry_element = "entry"

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("logo_url"):
            handler.addQuickElement("logo", self.feed["logo_url"])

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if url:
                handler.addQuickElement("uri", url)
            handler.endElement("author")
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        if item.get("media"):
            add_media_content(handler, item["media"])
