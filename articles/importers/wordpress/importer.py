"""Import a WordPress export (WXR, the XML file from Tools → Export) into a publication.

Posts are imported one at a time, each in its own transaction, so a bad record is reported
and the rest still imports. What was made from which WordPress record is kept in
``ImportedItem``: a post is known by the site it came from and its post id, so running the
import again updates what changed and touches nothing else.

Nothing WordPress kept from readers becomes public here: drafts, posts pending review,
private and password-protected posts arrive as drafts (or in review), scheduled posts as
scheduled, and the report lists each of them.
"""

import hashlib
import json
import re
from collections import Counter
from contextlib import nullcontext
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
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

from articles import body_images
from articles.editorial.revisions import record_revision
from articles.importers.report import ImportProblem, ImportReport
from articles.importers.wordpress.convert import (
    LEFT_OUT,
    MISSING,
    OLD_SITE,
    Attachment,
    BodyMedia,
    convert_body,
)
from articles.importers.wordpress.media import MediaFiles, full_size, url_path
from articles.importers.wordpress.parse import WordPressFileError, items, scan, text
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
# Why a post that WordPress kept from readers arrives as it does (listed in the report).
KEPT_FROM_READERS = {
    "draft": "a draft in WordPress; imported as a draft",
    "pending": "pending review in WordPress; imported for review",
    "private": "private in WordPress; imported as a draft",
}
# WordPress's own bookkeeping, not stories anyone wrote.
IGNORED_STATUSES = {
    "auto-draft": "an empty automatic draft",
    "trash": "in the trash",
    "inherit": "a revision of another post",
}
# What the report calls the item types it leaves out (one, many).
LEFT_OUT_TYPES = {
    "page": ("page", "pages"),
    "nav_menu_item": ("menu item", "menu items"),
    "wp_block": ("reusable block", "reusable blocks"),
    "wp_navigation": ("navigation menu", "navigation menus"),
    "wp_template": ("template", "templates"),
    "wp_template_part": ("template part", "template parts"),
    "wp_global_styles": ("global styles", "global styles"),
    "custom_css": ("custom CSS", "custom CSS"),
}
COMMENTS = ("comment", "comments")
UNUSED_ATTACHMENTS = ("attachment not used by any imported post",
                      "attachments not used by any imported post")
# The types imported, or used for what is imported.
USED_TYPES = {"post", "attachment", "guest-author"}
# What WordPress accepts as a login (sanitize_user), with room for plugins' letters.
LOGIN = re.compile(r"^[\w.@+' -]*\w[\w.@+' -]*$")


class WordPressReport(ImportReport):
    """The summary, plus what a WordPress import adds: which stories stay hidden from
    readers and why, what the export held that is not imported, and media that could not
    be brought in or still lives on the old site."""

    def __init__(self):
        super().__init__()
        self.kept_from_readers = []
        self.left_out = Counter()
        self.media_missing = []
        self.old_site = []
        self.left_out_of_bodies = []

    def lines(self):
        out = []
        left_out = [f"{n} {what[0] if n == 1 else what[1]}" for what, n in self.left_out.items()
                    if n]
        if left_out:
            out.append(f"Left out: {', '.join(left_out)}")
        for title, entries in [("Not public", self.kept_from_readers),
                               ("Media not found", self.media_missing),
                               ("Still on the old site", self.old_site),
                               ("Left out of story text", self.left_out_of_bodies)]:
            if entries:
                out.append(f"{title} ({len(entries)}):")
                out.extend(f"  - {entry}" for entry in entries)
        base = super().lines()  # a line per kind of record counted, then the lists
        return base[:len(self.counts)] + out + base[len(self.counts):]


def _type_name(kind, n):
    if kind == "attachment":
        return "attachment" if n == 1 else "attachments"
    name = kind or "untyped"
    one, many = LEFT_OUT_TYPES.get(kind, (f"“{name}” item", f"“{name}” items"))
    return one if n == 1 else many


def read_export(path):
    """Check the whole file (first pass) before anything is written: it must be a
    WordPress export holding at least one post to import. Raises WordPressFileError."""
    site = scan(path)
    if not any(n for status, n in site.post_statuses.items() if status not in IGNORED_STATUSES):
        held = [f"{n} {_type_name(kind, n)}" for kind, n in site.types.most_common()
                if kind != "post"]
        ignored = sum(n for status, n in site.post_statuses.items() if status in IGNORED_STATUSES)
        if ignored:
            held.insert(0, f"{ignored} trashed or automatic drafts")
        raise WordPressFileError(
            "Nothing to import: the export holds no posts"
            + (f" (only {', '.join(held)})." if held else ".")
        )
    return site


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


class PostMedia(BodyMedia):
    """A post's pictures, sound and video, as the importer finds them."""

    def __init__(self, importer, item, headline, warn):
        self.importer = importer
        self.item = item
        self.headline = headline
        self.warn = warn
        self.base_url = importer.site.link or importer.site.source
        self.old_hosts = importer.old_hosts
        self.kept_remote = 0

    def attachment(self, pk):
        attachment = self.importer.attachment(pk)
        if attachment:
            self.importer.used_attachments.add(attachment.pk)
        return attachment

    def attached(self):
        return self.importer.site.attached_to.get(self.item.post_id, [])

    def picture(self, src, *, attachment=None, alt="", caption=""):
        importer = self.importer
        attachment = attachment or importer.attachment_at(src)
        if not importer.files.enabled:
            if self.on_old_site(src):
                self.kept_remote += 1
            return None
        try:
            image = importer.image_for(src, attachment=attachment, alt=alt, caption=caption,
                                       headline=self.headline)
        except ImportProblem as exc:
            what = f" (attachment {attachment.pk})" if attachment else ""
            self.warn(f"a picture in the body{what}: {exc}", MISSING)
            return None
        if image is None:
            return None  # a dry run: nothing is stored
        # The text's own alt, even an empty one: the library's alt is for the picture
        # alone, the text's for the picture where it stands.
        return body_images.reference(image, alt)


class WordPressImporter:
    def __init__(self, *, publication, media_dir=None, fetch=False, max_fetch_bytes=None,
                 progress=None, dry_run=False):
        # progress: True draws a bar, False never, None only on a terminal.
        self.publication = publication
        self.dry_run = dry_run
        self.files = MediaFiles(media_dir=media_dir, fetch=fetch,
                                max_bytes=max_fetch_bytes or settings.NEWSROOM_IMAGE_MAX_BYTES)
        self.progress = progress
        self.report = WordPressReport()
        self.site = None
        self.seen_posts = set()
        self.used_attachments = set()
        self.dry_images = set()

    def run(self, path, site=None):
        self.site = site or read_export(path)
        self.now = timezone.now()
        self.old_hosts = self._old_hosts()
        self.attachment_paths = {
            full_size(url_path(a.attachment_url or a.guid)).lower(): pk
            for pk, a in self.site.attachments.items() if a.attachment_url or a.guid
        }
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
                self.count_left_out()
                if self.dry_run:
                    raise _DryRun
        except _DryRun:
            pass  # everything above is rolled back; the report says what would happen
        return self.report

    def _old_hosts(self):
        """The hosts whose addresses stop working when the old site goes."""
        urls = [self.site.url, self.site.blog_url, self.site.link]
        urls += [a.attachment_url or a.guid for a in self.site.attachments.values()]
        hosts = {urlsplit(u).hostname for u in urls if u}
        hosts.discard("wordpress.com")  # every hosted site's base_site_url
        return frozenset(h for h in hosts if h)

    def key(self, *parts):
        key = "|".join([self.site.source, *parts])
        if len(key) > 300:  # the column's size; a long address is kept by its digest
            key = key[:250] + "|" + hashlib.sha1(key.encode()).hexdigest()
        return key

    def count_left_out(self):
        left_out = self.report.left_out
        for kind, n in self.site.types.items():
            if kind not in USED_TYPES:
                left_out[(_type_name(kind, 1), _type_name(kind, 2))] += n
        left_out[COMMENTS] = self.site.comments
        left_out[UNUSED_ATTACHMENTS] = len(set(self.site.attachments) - self.used_attachments)

    # --- Items -------------------------------------------------------------------------

    def import_item(self, item):
        if item.post_type != "post":
            return  # attachments come in with the posts using them; the rest is counted
        if item.status in IGNORED_STATUSES:
            self.report.skip(item.label, IGNORED_STATUSES[item.status])
            return
        warnings = []

        def warn(message, section=None):
            warnings.append((message, section))

        try:
            with transaction.atomic():
                outcome, article, note = self.import_post(item, warn)
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
        if outcome == "unchanged":
            return  # reported when it was imported
        if note:
            self.report.kept_from_readers.append(f"{item.label}: {note}")
        for message, section in warnings:
            entry = f"{item.label}: {message}"
            if section == MISSING:
                self.report.media_missing.append(entry)
            elif section == OLD_SITE:
                self.report.old_site.append(entry)
            elif section == LEFT_OUT:
                self.report.left_out_of_bodies.append(entry)
            else:
                self.report.warn(item.label, message)

    def identify(self, item):
        """The post's ImportedItem key, and its record if it was imported before.

        A post is the site's post id: GUIDs are not unique (a copied or migrated site
        hands the same GUIDs to new posts), so one only serves to find a post imported
        under the GUID-based keys of earlier versions, and only when no other post in the
        file has the same GUID."""
        if not item.post_id:
            raise ImportProblem("it has no post id (wp:post_id)")
        if item.post_id in self.seen_posts:
            raise ImportProblem(f"post id {item.post_id} appears twice in the file; the first "
                                "was imported")
        self.seen_posts.add(item.post_id)
        key = self.key("post", item.post_id)
        record = ImportedItem.objects.filter(source=SOURCE, kind="post", key=key).first()
        if record is None and item.guid and self.site.guids[item.guid] == 1:
            legacy = "|".join([self.site.url.rstrip("/"), "post", item.guid])[:300]
            record = ImportedItem.objects.filter(source=SOURCE, kind="post", key=legacy).first()
            if record is not None:
                record.key = key
        return key, record

    def import_post(self, item, warn):
        key, record = self.identify(item)
        if item.status not in STATUSES:
            raise ImportProblem(f"its status “{item.status}” is not one WordPress uses")
        headline = text(strip_tags(item.title))
        if not headline:
            raise ImportProblem("it has no title")
        if len(headline) > 200:
            warn("the title was shortened to 200 characters")
            headline = Truncator(headline).chars(200)
        status, publish_at, note = self.status_and_time(item)
        section, extra_tags = self.section_for(item)
        people = [p for p in (self.person_for(login, warn) for login in self.author_logins(item))
                  if p is not None]
        image = self.lead_image_for(item, headline, warn)
        # WXR 1.0 calls a post's tags domain="tag", later versions domain="post_tag".
        tags = sorted({Truncator(text(name)).chars(100) for domain, _n, name in item.categories
                       if domain in ("post_tag", "tag") and text(name)} | set(extra_tags))
        media = PostMedia(self, item, headline, warn)
        body = convert_body(item.content, media, warn)
        if media.kept_remote:
            warn(f"{media.kept_remote} picture(s) still load from the old site (import with "
                 "--media-dir or --fetch-media to bring them in)", OLD_SITE)
        fields = {
            "headline": headline,
            "summary": Truncator(text(strip_tags(item.excerpt))).chars(500),
            "body": body,
            "status": status,
            "publish_at": publish_at,
            "section": section,
            "lead_image": image,
            "featured": item.sticky,
            **self.seo_fields(item),
        }
        fingerprint = hashlib.sha1(json.dumps(
            [item.slug, {name: getattr(value, "pk", value) for name, value in fields.items()},
             [p.pk for p in people], tags], sort_keys=True, default=str,
        ).encode()).hexdigest()

        article = record.article if record else None
        if article and record.fingerprint == fingerprint:
            if record.key != key:
                record.save(update_fields=["key"])
            return "unchanged", article, note
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
        if record:
            record.article, record.fingerprint = article, fingerprint
            record.save()
        else:
            ImportedItem.objects.create(source=SOURCE, kind="post", key=key, article=article,
                                        fingerprint=fingerprint)
        record_revision(article, comment="Imported from WordPress" if outcome == "created"
                        else "Updated from WordPress")
        return outcome, article, note

    def seo_fields(self, item):
        """Yoast SEO's title and description, when they are plain text (not templates)."""
        title = text(item.meta.get("_yoast_wpseo_title", ""))
        description = text(item.meta.get("_yoast_wpseo_metadesc", ""))
        return {
            "seo_title": "" if "%%" in title else Truncator(title).chars(70),
            "seo_description": "" if "%%" in description else Truncator(description).chars(160),
        }

    def status_and_time(self, item):
        """Status, publish time and, for a post WordPress kept from readers, why it is
        not public here. A password-protected post is a draft whatever its status: the
        password was all that kept it from readers, and it has no equivalent here."""
        if item.password:
            return Article.Status.DRAFT, None, (
                f"password-protected in WordPress ({item.status}); imported as a draft")
        status = STATUSES[item.status]
        if status != Article.Status.PUBLISHED:
            # A draft's WordPress date is only when it was last saved.
            return status, None, KEPT_FROM_READERS[item.status]
        when = publish_time(item)
        if when is None:
            raise ImportProblem(f"it is marked “{item.status}” but has no date")
        if item.status != "future":
            return status, when, None
        shown = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if when <= self.now:
            return Article.Status.IN_REVIEW, None, (
                f"scheduled in WordPress for {shown}, which has passed without it going "
                "live; imported for review")
        return status, when, f"scheduled in WordPress for {shown}; imported as scheduled"

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
        categories = [(nicename, name) for domain, nicename, name in item.categories
                      if domain == "category" and nicename != "uncategorized"]
        if not categories:
            return None, []
        nicename, name = categories[0]
        info = self.site.categories.get(nicename, {})
        name = Truncator(info.get("name") or text(name) or nicename).chars(80)
        slug = (slugify(unquote(nicename)) or slugify(name) or "section")[:80].strip("-")
        section, created = Section.objects.get_or_create(
            publication=self.publication, slug=slug,
            defaults={"name": name, "description": info.get("description", "")},
        )
        if created:
            self.report.count("sections", "created")
        return section, [Truncator(text(n)).chars(100) for _n, n in categories[1:] if text(n)]

    def author_logins(self, item):
        # Co-Authors Plus lists every author as an "author" term, in byline order.
        coauthors = [name for domain, _n, name in item.categories if domain == "author" and name]
        return coauthors or ([item.creator] if item.creator else [])

    def person_for(self, login, warn):
        """The Person for a WordPress login: made once, never a login user here. A login
        WordPress could not have made (“>jdoe”: the remains of broken markup) names
        nobody, so it is reported, not turned into a person of that name."""
        if len(login) > 60 or not LOGIN.match(login):
            warn(f"left the author login “{login}” off the byline: it is not a login "
                 "WordPress makes")
            return None
        key = "|".join([self.site.url.rstrip("/") or self.site.source, "author", login])[:300]
        record = ImportedItem.objects.filter(source=SOURCE, kind="author", key=key).first()
        if record and record.person_id:
            return record.person
        info = self.site.authors.get(login) or {"name": "", "email": "", "bio": ""}
        person = None
        if info["email"]:
            person = Person.objects.filter(email__iexact=info["email"]).first()
        if person:
            self.report.count("people", "matched")
        else:
            person = Person.objects.create(
                full_name=Truncator(info["name"] or login).chars(120), email=info["email"],
                bio=text(strip_tags(info.get("bio") or "")),
            )
            self.report.count("people", "created")
        ImportedItem.objects.create(source=SOURCE, kind="author", key=key, person=person)
        return person

    # --- Pictures ----------------------------------------------------------------------

    def attachment(self, pk):
        """The export's attachment ``pk``, as the body converter needs it."""
        item = self.site.attachments.get(str(pk))
        if item is None:
            return None
        return Attachment(
            pk=item.post_id, url=item.attachment_url or item.guid,
            alt=text(item.meta.get("_wp_attachment_image_alt", "")),
            caption=text(strip_tags(item.excerpt)), link=item.link,
            mime=item.meta.get("_wp_attachment_mime_type", ""),
        )

    def attachment_at(self, url):
        """The attachment whose file (or a resized copy of it) is at ``url``, also through
        an image CDN that puts the original address in its path
        (``https://i0.wp.com/site.files.wordpress.com/2023/11/pier.jpg``)."""
        parts = full_size(url_path(url)).lower().split("/")
        for i in range(1, len(parts)):
            pk = self.attachment_paths.get("/".join(["", *parts[i:]]))
            if pk:
                return self.attachment(pk)
        return None

    def lead_image_for(self, item, headline, warn):
        attachment_id = item.meta.get("_thumbnail_id", "").strip()
        if not attachment_id:
            return None
        attachment = self.attachment(attachment_id)
        if attachment:
            self.used_attachments.add(attachment.pk)
        if attachment is None:
            warn(f"its featured image (attachment {attachment_id}) is not in the export", MISSING)
            return None
        try:
            return self.image_for(attachment.url, attachment=attachment, headline=headline)
        except ImportProblem as exc:
            warn(f"featured image left out: {exc}", MISSING)
            return None

    def titled(self, attachment):
        """An attachment's title when someone wrote one: WordPress titles an upload with
        its file name (“festival-crowd”) until an editor changes it."""
        if attachment is None:
            return ""
        item = self.site.attachments[attachment.pk]
        title = text(item.title)
        stem = url_path(attachment.url).rsplit("/", 1)[-1].rsplit(".", 1)[0]
        return "" if title.lower() in (stem.lower(), item.slug.lower()) else title

    def image_for(self, url, *, attachment=None, alt="", caption="", headline=""):
        """The library Image for a picture of the export, stored once however many posts
        show it (None on a dry run). ImportProblem says why it cannot be had."""
        if attachment:
            self.used_attachments.add(attachment.pk)
            key = self.key("attachment", attachment.pk)
            kind = "attachment"
        else:
            key = self.key("media", full_size(url_path(url)))
            kind = "media"
        record = ImportedItem.objects.filter(source=SOURCE, kind=kind, key=key).first()
        if record and record.image_id:
            return record.image
        if key in self.dry_images:
            return None
        relative = ""
        if attachment:
            relative = self.site.attachments[attachment.pk].meta.get("_wp_attached_file", "")
        data, filename = self.files.read(attachment.url if attachment else url, relative)
        try:
            inspect_image(ContentFile(data, name=filename), max_bytes=self.files.max_bytes)
        except ValidationError as exc:
            raise ImportProblem(f"{filename}: {' '.join(exc.messages)}") from None
        self.report.count("images", "created")
        if self.dry_run:
            self.dry_images.add(key)
            return None  # no file is written on a dry run
        alt_text = (attachment.alt if attachment else "") or alt or self.titled(attachment) or (
            caption or (attachment.caption if attachment else "")) or headline
        image = Image.objects.create(
            file=ContentFile(data, name=filename),
            alt_text=Truncator(alt_text).chars(300),
            caption=(attachment.caption if attachment else "") or caption,
        )
        ImportedItem.objects.create(source=SOURCE, kind=kind, key=key, image=image)
        return image

