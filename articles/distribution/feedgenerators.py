"""RSS 2.0 and Atom writers that carry what news readers expect beyond Django's defaults.

Each item may carry, through ``Feed.item_extra_kwargs``:

- ``authors``: every author as ``(name, url)``; RSS gets one ``dc:creator`` each, Atom
  one ``<author>`` each (Django's writers know a single author only);
- ``content_html``: the full, sanitized story (``content:encoded`` / Atom ``<content>``);
- ``media``: the lead image as a dict with url, type, length, width, height, title, credit.

The channel may carry ``logo_url`` (RSS ``<image>``, Atom ``<logo>``).
"""

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

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


class NewsroomRssFeed(Rss201rev2Feed):
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


class NewsroomAtomFeed(Atom1Feed):
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
