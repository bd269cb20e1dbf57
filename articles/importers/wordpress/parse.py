"""Reading a WordPress export (WXR) safely, streaming.

The file is read twice so a large export never sits in memory whole: ``scan`` checks the
whole file and collects what posts refer to (authors, categories, attachments) and what the
report counts; ``items`` then yields the items one at a time. A DOCTYPE (the way in for
entity expansion and external entities) is refused.

WordPress has written three versions of the format (WXR 1.0 from WordPress 2.x, 1.1 and 1.2
since 3.1), all under ``http://wordpress.org/export/<version>/``; some tools write the same
namespace with ``https://``. The elements a post needs are the same in all of them, so any
version under either scheme is read alike.
"""

import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse
from django.utils.text import Truncator

WXR_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(\d+(?:\.\d+)*)/(excerpt/)?$")
NAMESPACES = {
    "purl.org/rss/1.0/modules/content/": "content",
    "purl.org/dc/elements/1.1/": "dc",
}
# What a channel holds besides items, by the name ``_name`` gives it.
CHANNEL_RECORDS = {"wp:author", "wp:category", "wp:tag", "wp:term"}


class WordPressFileError(Exception):
    """The file as a whole cannot be imported (unsafe or not a WordPress export)."""


def text(value):
    """Text as readers should see it. WordPress stores term names, display names and
    some titles with their HTML entities (“Media &amp; Text”), and writes them into the
    export as they are stored."""
    return html.unescape(value or "").strip()


def _name(tag):
    """``{namespace}local`` → ``wp:local`` (any WXR version, http or https), ``excerpt:…``,
    ``content:…``, ``dc:…``; elements of other namespaces keep their local name only."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    wxr = WXR_NAMESPACE.match(uri)
    if wxr:
        return f"excerpt:{local}" if wxr.group(2) else f"wp:{local}"
    bare = uri.split("://", 1)[-1]
    if bare in NAMESPACES:
        return f"{NAMESPACES[bare]}:{local}"
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
    link: str = ""
    content: str = ""
    excerpt: str = ""
    creator: str = ""
    date_gmt: str = ""
    date_local: str = ""
    pub_date: str = ""
    attachment_url: str = ""
    password: str = ""
    sticky: bool = False
    parent: str = ""
    menu_order: int = 0
    comments: int = 0
    categories: list = field(default_factory=list)  # (domain, nicename, text)
    meta: dict = field(default_factory=dict)

    @property
    def label(self):
        title = Truncator(text(self.title) or "untitled").chars(60)
        return f"{self.post_type or 'item'} {self.post_id or '?'} “{title}”"


FIELDS = {
    "wp:post_id": "post_id", "wp:post_type": "post_type", "wp:status": "status",
    "title": "title", "wp:post_name": "slug", "guid": "guid", "link": "link",
    "dc:creator": "creator", "wp:post_date_gmt": "date_gmt", "wp:post_date": "date_local",
    "pubDate": "pub_date", "wp:attachment_url": "attachment_url",
    "wp:post_password": "password", "wp:post_parent": "parent",
}


def _item(elem):
    item = Item()
    for child in elem:
        name = _name(child.tag)
        value = child.text or ""
        if name in FIELDS and not getattr(item, FIELDS[name]):
            setattr(item, FIELDS[name], value.strip())
        elif name == "content:encoded":
            item.content = value
        elif name == "excerpt:encoded":
            item.excerpt = value
        elif name == "wp:is_sticky":
            item.sticky = value.strip() == "1"
        elif name == "wp:menu_order":
            item.menu_order = int(value.strip()) if value.strip().lstrip("-").isdigit() else 0
        elif name == "wp:comment":
            item.comments += 1
        elif name == "category":
            item.categories.append(
                (child.get("domain", ""), child.get("nicename", ""), value.strip())
            )
        elif name == "wp:postmeta":
            meta = _children(child)
            if meta.get("wp:meta_key"):
                item.meta[meta["wp:meta_key"]] = meta.get("wp:meta_value", "")
    if item.parent == "0":
        item.parent = ""
    return item


@dataclass
class Site:
    """What the first pass learns about the whole export."""

    url: str = ""  # wp:base_site_url: the network's address on a multisite
    blog_url: str = ""  # wp:base_blog_url: this site's own address
    link: str = ""
    wxr_version: str = ""
    authors: dict = field(default_factory=dict)  # login → {name, email, bio}
    categories: dict = field(default_factory=dict)  # nicename → {name, description}
    attachments: dict = field(default_factory=dict)  # post id → Item
    attached_to: dict = field(default_factory=lambda: defaultdict(list))  # post id → [ids]
    guids: Counter = field(default_factory=Counter)  # how many posts carry each GUID
    types: Counter = field(default_factory=Counter)  # post type → how many items
    post_statuses: Counter = field(default_factory=Counter)  # status → how many posts
    comments: int = 0
    item_count: int = 0

    @property
    def source(self):
        """The site that numbered the posts: with the post id, a post's identity. On a
        multisite network (and on WordPress.com, where every site's base_site_url is
        wordpress.com) only the blog's own address tells two sites apart."""
        return (self.blog_url or self.url or self.link).rstrip("/")


def _records(path, site):
    """Stream (name, element) for each finished record directly under <channel>, freeing
    memory as it goes; records which WXR namespace the file uses into ``site``.

    DOCTYPEs are refused outright: WordPress never writes one, and a DOCTYPE is how entity
    expansion ("billion laughs") and external entity attacks get in.
    """
    depth = 0
    channel = None
    try:
        for event, elem in iterparse(str(path), events=("start", "end", "start-ns"),
                                     forbid_dtd=True):
            if event == "start-ns":
                wxr = WXR_NAMESPACE.match(elem[1])
                if wxr and not wxr.group(2):
                    site.wxr_version = site.wxr_version or wxr.group(1)
                continue
            if event == "start":
                depth += 1
                if depth == 1 and _name(elem.tag) != "rss":
                    raise WordPressFileError(
                        f"This is not a WordPress export: its root element is "
                        f"<{_name(elem.tag)}>, not <rss>."
                    )
                if depth == 2 and _name(elem.tag) == "channel":
                    channel = elem
                continue
            depth -= 1
            if depth == 2 and channel is not None:
                yield _name(elem.tag), elem
                channel.remove(elem)
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
        raise WordPressFileError(_parse_error(exc, path)) from exc
    except UnicodeDecodeError as exc:
        raise WordPressFileError(f"This is not a text file in its declared encoding: {exc}.") from exc
    except OSError as exc:
        raise WordPressFileError(f"Cannot read the file: {exc}.") from exc


NO_ELEMENTS = 3  # expat's code for "no element found": the text ended inside the document


def _parse_error(exc, path):
    line, column = getattr(exc, "position", (0, 0))
    if getattr(exc, "code", None) == NO_ELEMENTS:
        if line <= 1 and column == 0:
            return "This file is empty."
        return (f"This is not well-formed XML: it ends in the middle of the export (line "
                f"{line}, column {column}); the file may have been cut off.")
    return f"This is not well-formed XML: {exc}."


def _author(data):
    full = " ".join(p for p in (data.get("wp:author_first_name"),
                                data.get("wp:author_last_name")) if p)
    return {
        "name": text(data.get("wp:author_display_name") or full),
        "email": data.get("wp:author_email", ""),
        "bio": "",
    }


def scan(path):
    """First pass: check the whole file and collect what the second pass needs."""
    site = Site()
    for name, elem in _records(path, site):
        if name == "wp:base_site_url":
            site.url = (elem.text or "").strip()
        elif name == "wp:base_blog_url":
            site.blog_url = (elem.text or "").strip()
        elif name == "link":
            site.link = (elem.text or "").strip()
        elif name == "wp:author":
            data = _children(elem)
            if data.get("wp:author_login"):
                site.authors[data["wp:author_login"]] = _author(data)
        elif name == "wp:category":
            data = _children(elem)
            if data.get("wp:category_nicename"):
                site.categories[data["wp:category_nicename"]] = {
                    "name": text(data.get("wp:cat_name")),
                    "description": text(data.get("wp:category_description")),
                }
        elif name == "item":
            site.item_count += 1
            item = _item(elem)
            site.types[item.post_type] += 1
            site.comments += item.comments
            if item.post_type == "post":
                site.post_statuses[item.status] += 1
                if item.guid:
                    site.guids[item.guid] += 1
            elif item.post_type == "attachment" and item.post_id:
                item.content = ""  # never used; a large site has many attachments
                site.attachments[item.post_id] = item
                if item.parent:
                    site.attached_to[item.parent].append(item.post_id)
            elif item.post_type == "guest-author":
                # Co-Authors Plus keeps people without logins as "guest-author" posts.
                login = item.meta.get("cap-user_login")
                if login:
                    site.authors.setdefault(login, {
                        "name": text(item.meta.get("cap-display_name") or item.title),
                        "email": item.meta.get("cap-user_email", ""),
                        "bio": item.meta.get("cap-description", ""),
                    })
    if not site.wxr_version:
        raise WordPressFileError(
            "This is not a WordPress export: it has no WordPress (wp:) namespace, so it is "
            "a plain feed at most. Export the site with Tools → Export in WordPress."
        )
    # A gallery without ids shows the post's attachments in WordPress's menu order.
    for ids in site.attached_to.values():
        ids.sort(key=lambda pk: (site.attachments[pk].menu_order, int(pk) if pk.isdigit() else 0))
    return site


def items(path):
    """Second pass: every item, one at a time."""
    site = Site()
    for name, elem in _records(path, site):
        if name == "item":
            yield _item(elem)
