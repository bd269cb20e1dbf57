"""Reading a WordPress export (WXR) safely, streaming.

The file is read twice so a large export never sits in memory whole: ``scan`` checks the
whole file and collects authors, categories and attachments; ``items`` then yields posts one
at a time. A DOCTYPE (the way in for entity expansion and external entities) is refused.
"""

import html
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse
from django.utils.text import Truncator


class WordPressFileError(Exception):
    """The file as a whole cannot be imported (unsafe or not a WordPress export)."""


def _name(tag):
    """``{namespace}local`` → ``wp:local`` (any WXR version), ``content:…``, ``dc:…``."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if "/excerpt/" in uri:
        return f"excerpt:{local}"
    if uri.startswith("http://wordpress.org/export/"):
        return f"wp:{local}"
    if uri == "http://purl.org/rss/1.0/modules/content/":
        return f"content:{local}"
    if uri == "http://purl.org/dc/elements/1.1/":
        return f"dc:{local}"
    return local


def _children(elem):
    """A dict of child name → text (first occurrence wins)."""
    out = {}
    for child in elem:
        out.setdefault(_name(child.tag), (child.text or "").strip())
    return out


@dataclass
class Item:
    post_id: str = ""
    post_type: str = ""
    status: str = ""
    title: str = ""
    slug: str = ""
    guid: str = ""
    content: str = ""
    excerpt: str = ""
    creator: str = ""
    date_gmt: str = ""
    date_local: str = ""
    pub_date: str = ""
    attachment_url: str = ""
    categories: list = field(default_factory=list)  # (domain, nicename, text)
    meta: dict = field(default_factory=dict)

    @property
    def label(self):
        title = Truncator(self.title.strip() or "untitled").chars(60)
        return f"{self.post_type or 'item'} {self.post_id or '?'} “{title}”"


def _item(elem):
    item = Item()
    fields = {
        "wp:post_id": "post_id", "wp:post_type": "post_type", "wp:status": "status",
        "title": "title", "wp:post_name": "slug", "guid": "guid", "dc:creator": "creator",
        "wp:post_date_gmt": "date_gmt", "wp:post_date": "date_local", "pubDate": "pub_date",
        "wp:attachment_url": "attachment_url",
    }
    for child in elem:
        name = _name(child.tag)
        text = child.text or ""
        if name in fields and not getattr(item, fields[name]):
            setattr(item, fields[name], text.strip())
        elif name == "content:encoded":
            item.content = text
        elif name == "excerpt:encoded":
            item.excerpt = text
        elif name == "category":
            item.categories.append(
                (child.get("domain", ""), child.get("nicename", ""), text.strip())
            )
        elif name == "wp:postmeta":
            meta = _children(child)
            if meta.get("wp:meta_key"):
                item.meta[meta["wp:meta_key"]] = meta.get("wp:meta_value", "")
    return item


@dataclass
class Site:
    """What the first pass learns about the whole export."""

    url: str = ""
    authors: dict = field(default_factory=dict)  # login → {name, email}
    categories: dict = field(default_factory=dict)  # nicename → {name, description}
    attachments: dict = field(default_factory=dict)  # post id → Item
    item_count: int = 0


def _events(path):
    """Stream (name, element) for each finished top-level record, freeing memory as it goes.

    DOCTYPEs are refused outright: WordPress never writes one, and a DOCTYPE is how entity
    expansion ("billion laughs") and external entity attacks get in.
    """
    channel = None
    try:
        for event, elem in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if channel is None and _name(elem.tag) == "channel":
                    channel = elem
                continue
            name = _name(elem.tag)
            if name in ("item", "wp:author", "wp:category", "wp:base_site_url"):
                yield name, elem
                if channel is not None and name != "wp:base_site_url":
                    try:
                        channel.remove(elem)
                    except ValueError:
                        elem.clear()
    except DTDForbidden as exc:
        raise WordPressFileError(
            "Refused: the file declares a DOCTYPE. WordPress exports never do, and a DOCTYPE "
            "can define entities that expand without end or read files from this server."
        ) from exc
    except EntitiesForbidden as exc:
        raise WordPressFileError(
            "Refused: the file defines XML entities, which can expand without end."
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise WordPressFileError(
            "Refused: the file refers to an external resource, which could read files "
            "from this server or the network."
        ) from exc
    except ParseError as exc:
        raise WordPressFileError(f"This is not well-formed XML: {exc}.") from exc
    except OSError as exc:
        raise WordPressFileError(f"Cannot read the file: {exc}.") from exc


def scan(path):
    """First pass: check the whole file and collect authors, categories and attachments."""
    site = Site()
    seen_rss = False
    for name, elem in _events(path):
        seen_rss = True
        if name == "wp:base_site_url":
            site.url = (elem.text or "").strip().rstrip("/")
        elif name == "wp:author":
            data = _children(elem)
            login = data.get("wp:author_login", "")
            if login:
                full = " ".join(
                    p for p in (data.get("wp:author_first_name"), data.get("wp:author_last_name")) if p
                )
                site.authors[login] = {
                    "name": data.get("wp:author_display_name") or full or login,
                    "email": data.get("wp:author_email", ""),
                    "bio": "",
                }
        elif name == "wp:category":
            data = _children(elem)
            if data.get("wp:category_nicename"):
                site.categories[data["wp:category_nicename"]] = {
                    "name": html.unescape(data.get("wp:cat_name", "")),
                    "description": data.get("wp:category_description", ""),
                }
        elif name == "item":
            site.item_count += 1
            item = _item(elem)
            if item.post_type == "attachment" and item.post_id:
                site.attachments[item.post_id] = item
            elif item.post_type == "guest-author":
                # Co-Authors Plus keeps people without logins as "guest-author" posts.
                login = item.meta.get("cap-user_login")
                if login:
                    site.authors.setdefault(login, {
                        "name": item.meta.get("cap-display_name") or item.title or login,
                        "email": item.meta.get("cap-user_email", ""),
                        "bio": item.meta.get("cap-description", ""),
                    })
    if not seen_rss:
        raise WordPressFileError("This file holds no WordPress posts, authors or categories.")
    return site


def items(path):
    """Second pass: every item, one at a time."""
    for name, elem in _events(path):
        if name == "item":
            yield _item(elem)
