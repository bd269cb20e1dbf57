"""Import a WordPress export (WXR, the XML file from Tools → Export) into a publication.

The file is read twice, streaming, so a large export never sits in memory whole: the first
pass checks the whole file and collects authors, categories and attachments; the second
imports posts one at a time, each in its own transaction, so a bad record is reported and
the rest still imports. What was made from which WordPress record is kept in
``ImportedItem``, so running the import again updates instead of duplicating.
"""

import hashlib
import html
import json
import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import ParseError
from zoneinfo import ZoneInfo

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_unicode_slug
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from tqdm import tqdm

from articles.editorial.revisions import record_revision
from articles.importers.fetch import fetch_url
from articles.importers.report import ImportProblem, ImportReport
from articles.models import Article, Byline, Image, ImportedItem, Section, unique_slug
from newsroom.images import inspect_image
from people.models import Person

SOURCE = "wordpress"

STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # published with a future time = scheduled
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.IN_REVIEW,
    "private": Article.Status.DRAFT,  # never public here until an editor decides
}
# WordPress's own bookkeeping, not stories anyone wrote.
IGNORED_STATUSES = {
    "auto-draft": "an empty automatic draft",
    "trash": "in the trash",
    "inherit": "a revision of another post",
}


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


# --- Body conversion -------------------------------------------------------------------

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


# --- Importing -------------------------------------------------------------------------


def _datetime(value, tz):
    value = (value or "").strip()
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
    except ValueError:
        raise ImportProblem(f"its date “{value}” is not a valid date and time") from None


def publish_time(item):
    """When the post went (or goes) live, with its time zone: the GMT date if WordPress
    wrote one, else the RSS pubDate, else the local date read in the newsroom's zone."""
    when = _datetime(item.date_gmt, UTC)
    if when:
        return when
    if item.pub_date:
        try:
            when = parsedate_to_datetime(item.pub_date)
        except (TypeError, ValueError):
            when = None
        if when and when.tzinfo and when.year > 1970:
            return when
    return _datetime(item.date_local, ZoneInfo(settings.TIME_ZONE))


class _DryRun(Exception):
    """Raised at the end of a dry run to roll every change back."""


class WordPressImporter:
    def __init__(self, *, publication, media_dir=None, fetch=False, max_fetch_bytes=None,
                 progress=None, dry_run=False):
        # progress: True draws a bar, False never, None only on a terminal.
        self.publication = publication
        self.dry_run = dry_run
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.fetch = fetch
        self.max_bytes = max_fetch_bytes or settings.NEWSROOM_IMAGE_MAX_BYTES
        self.progress = progress
        self.report = ImportReport()
        self.site = None

    def run(self, path):
        self.site = scan(path)
        self.now = timezone.now()
        disable = None if self.progress is None else not self.progress
        try:
            # A real run commits post by post; a dry run holds everything in one
            # transaction and rolls it back.
            outer = transaction.atomic() if self.dry_run else nullcontext()
            with outer, tqdm(total=self.site.item_count, unit="item",
                             disable=disable, desc="Importing") as bar:
                for item in items(path):
                    self.import_item(item)
                    bar.update()
                if self.dry_run:
                    raise _DryRun
        except _DryRun:
            pass  # everything above is rolled back; the report says what would happen
        return self.report

    def key(self, *parts):
        return "|".join([self.site.url, *parts])[:300]

    def import_item(self, item):
        if item.post_type == "attachment":
            return  # imported when a post uses it as its featured image
        if item.post_type != "post":
            reason = ("a Co-Authors Plus profile, used for bylines"
                      if item.post_type == "guest-author"
                      else f"{item.post_type or 'untyped'} items are not imported")
            self.report.skip(item.label, reason)
            return
        if item.status in IGNORED_STATUSES:
            self.report.skip(item.label, IGNORED_STATUSES[item.status])
            return
        warnings = []
        try:
            with transaction.atomic():
                outcome = self.import_post(item, warnings.append)
        except ImportProblem as exc:
            self.report.fail("articles", item.label, str(exc))
            return
        except ValidationError as exc:
            messages = [f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
                        for name, errors in exc.message_dict.items()]
            self.report.fail("articles", item.label, "; ".join(messages))
            return
        except DatabaseError as exc:
            self.report.fail("articles", item.label, f"the database refused it ({exc})")
            return
        self.report.count("articles", outcome)
        for message in warnings:
            self.report.warn(item.label, message)

    def import_post(self, item, warn):
        if not (item.guid or item.post_id):
            raise ImportProblem("it has neither a post id nor a GUID")
        if item.status not in STATUSES:
            raise ImportProblem(f"its status “{item.status}” is not one WordPress uses")
        headline = html.unescape(strip_tags(item.title)).strip()
        if not headline:
            raise ImportProblem("it has no title")
        if len(headline) > 200:
            warn("the title was shortened to 200 characters")
            headline = Truncator(headline).chars(200)
        status, publish_at = self.status_and_time(item, warn)
        section, extra_tags = self.section_for(item)
        people = [self.person_for(login) for login in self.author_logins(item)]
        image = self.lead_image_for(item, headline, warn)
        tags = sorted({html.unescape(text) for domain, _n, text in item.categories
                       if domain == "post_tag" and text} | set(extra_tags))
        fields = {
            "headline": headline,
            "summary": Truncator(html.unescape(strip_tags(item.excerpt)).strip()).chars(500),
            "body": convert_body(item.content, warn),
            "status": status,
            "publish_at": publish_at,
            "section": section,
            "lead_image": image,
            **self.seo_fields(item),
        }
        fingerprint = hashlib.sha1(json.dumps(
            [item.title, item.content, item.excerpt, item.slug, status, str(publish_at),
             fields["seo_title"], fields["seo_description"],
             section.pk if section else None, [p.pk for p in people],
             image.pk if image else None, tags], sort_keys=True,
        ).encode()).hexdigest()

        key = self.key("post", item.guid or item.post_id)
        record = ImportedItem.objects.filter(source=SOURCE, kind="post", key=key).first()
        article = record.article if record else None
        if article and record.fingerprint == fingerprint:
            return "unchanged"
        outcome = "updated" if article else "created"
        article = article or Article(publication=self.publication)
        for name, value in fields.items():
            setattr(article, name, value)
        if not article.pk:
            article.slug = self.free_slug(article, item)
        article.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
        article.save()
        article.tags.set(tags)
        article.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=article, person=person, role=Byline.Role.AUTHOR, order=n)
            for n, person in enumerate(dict.fromkeys(people))
        )
        ImportedItem.objects.update_or_create(
            source=SOURCE, kind="post", key=key,
            defaults={"article": article, "fingerprint": fingerprint},
        )
        record_revision(article, comment="Imported from WordPress" if outcome == "created"
                        else "Updated from WordPress")
        return outcome

    def seo_fields(self, item):
        """Yoast SEO's title and description, when they are plain text (not templates)."""
        title = html.unescape(item.meta.get("_yoast_wpseo_title", "")).strip()
        description = html.unescape(item.meta.get("_yoast_wpseo_metadesc", "")).strip()
        return {
            "seo_title": "" if "%%" in title else Truncator(title).chars(70),
            "seo_description": "" if "%%" in description else Truncator(description).chars(160),
        }

    def status_and_time(self, item, warn):
        status = STATUSES[item.status]
        if status != Article.Status.PUBLISHED:
            return status, None  # a draft's WordPress date is only when it was last saved
        when = publish_time(item)
        if when is None:
            raise ImportProblem(f"it is marked “{item.status}” but has no date")
        if item.status == "future" and when <= self.now:
            warn("its scheduled time has passed without it going live; imported for review")
            return Article.Status.IN_REVIEW, None
        return status, when

    def free_slug(self, article, item):
        wanted = unquote(item.slug or "").strip()
        try:
            validate_unicode_slug(wanted)
        except ValidationError:
            wanted = ""
        if not wanted:
            return ""  # made from the headline on save
        return unique_slug(wanted, article._slug_taken)

    def section_for(self, item):
        """The first real category becomes the section; any others become tags."""
        categories = [(nicename, text) for domain, nicename, text in item.categories
                      if domain == "category" and nicename != "uncategorized"]
        if not categories:
            return None, []
        nicename, text = categories[0]
        info = self.site.categories.get(nicename, {})
        name = Truncator(info.get("name") or html.unescape(text) or nicename).chars(80)
        slug = (slugify(unquote(nicename)) or slugify(name) or "section")[:80].strip("-")
        section, created = Section.objects.get_or_create(
            publication=self.publication, slug=slug,
            defaults={"name": name, "description": info.get("description", "")},
        )
        if created:
            self.report.count("sections", "created")
        return section, [html.unescape(text) for _n, text in categories[1:] if text]

    def author_logins(self, item):
        # Co-Authors Plus lists every author as an "author" term, in byline order.
        coauthors = [text for domain, _n, text in item.categories if domain == "author" and text]
        return coauthors or ([item.creator] if item.creator else [])

    def person_for(self, login):
        """The Person for a WordPress login: made once, never a login user here."""
        key = self.key("author", login)
        record = ImportedItem.objects.filter(source=SOURCE, kind="author", key=key).first()
        if record and record.person_id:
            return record.person
        info = self.site.authors.get(login) or {"name": login, "email": "", "bio": ""}
        person = None
        if info["email"]:
            person = Person.objects.filter(email__iexact=info["email"]).first()
        if person:
            self.report.count("people", "matched")
        else:
            person = Person.objects.create(
                full_name=Truncator(info["name"]).chars(120), email=info["email"],
                bio=strip_tags(info.get("bio") or ""),
            )
            self.report.count("people", "created")
        ImportedItem.objects.create(source=SOURCE, kind="author", key=key, person=person)
        return person

    def lead_image_for(self, item, headline, warn):
        attachment_id = item.meta.get("_thumbnail_id", "").strip()
        if not attachment_id:
            return None
        key = self.key("attachment", attachment_id)
        record = ImportedItem.objects.filter(source=SOURCE, kind="attachment", key=key).first()
        if record and record.image_id:
            return record.image
        attachment = self.site.attachments.get(attachment_id)
        if attachment is None:
            warn(f"its featured image (attachment {attachment_id}) is not in the export")
            return None
        try:
            data, filename = self.read_media(attachment)
            inspect_image(ContentFile(data, name=filename))
        except ImportProblem as exc:
            warn(f"featured image left out: {exc}")
            return None
        except ValidationError as exc:
            warn(f"featured image {filename} left out: {' '.join(exc.messages)}")
            return None
        if self.dry_run:
            self.report.count("images", "created")
            return None  # no file is written on a dry run
        alt = (attachment.meta.get("_wp_attachment_image_alt") or attachment.title
               or headline).strip()
        image = Image.objects.create(
            file=ContentFile(data, name=filename),
            alt_text=Truncator(html.unescape(alt)).chars(300),
            caption=html.unescape(strip_tags(attachment.excerpt)).strip(),
        )
        self.report.count("images", "created")
        ImportedItem.objects.create(source=SOURCE, kind="attachment", key=key, image=image)
        return image

    def read_media(self, attachment):
        """The attachment's bytes from --media-dir, or over HTTP when fetching is on."""
        relative = attachment.meta.get("_wp_attached_file", "").strip()
        url = attachment.attachment_url or attachment.guid
        if not relative and "/wp-content/uploads/" in url:
            relative = unquote(urlsplit(url).path.split("/wp-content/uploads/", 1)[1])
        filename = PurePosixPath(relative or urlsplit(url).path).name or "image"
        if self.media_dir and relative:
            path = (self.media_dir / relative).resolve()
            if not path.is_relative_to(self.media_dir):
                raise ImportProblem(f"{relative} points outside --media-dir")
            if path.is_file():
                if path.stat().st_size > self.max_bytes:
                    raise ImportProblem(f"{relative} is larger than {self.max_bytes:,} bytes")
                return path.read_bytes(), filename
        if self.fetch and url:
            return fetch_url(url, max_bytes=self.max_bytes), filename
        where = "in --media-dir" if self.media_dir else "(no --media-dir given)"
        raise ImportProblem(f"{relative or url or 'its file'} was not found {where}")
