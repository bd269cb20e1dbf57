"""Import a WordPress export (WXR, the XML file from Tools → Export) into a publication.

Posts are imported one at a time, each in its own transaction, so a bad record is reported
and the rest still imports. What was made from which WordPress record is kept in
``ImportedItem``, so running the import again updates instead of duplicating.
"""

import hashlib
import html
import json
from contextlib import nullcontext
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

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
from articles.importers.wordpress.convert import convert_body
from articles.importers.wordpress.parse import items, scan
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

