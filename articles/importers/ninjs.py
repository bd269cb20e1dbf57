"""Agency feeds in IPTC ninjs ("News in JSON", versions 1.x and 2.x) become drafts.

AP, NTB, Superdesk and others deliver each story as one JSON file, often into a folder the
newsroom shares with them, pictures beside it. An item is identified by its ``uri`` (the
guid) and ``version``; ``pubstatus`` says whether it may be used:

- a new guid becomes a draft: headline, byline(s), dateline (``located``), body HTML (cleaned
  by ``articles.sanitize`` on save), description → summary, subjects → tags, the first
  associated picture → lead image with caption and credit, ``embargoed`` → embargo;
- a newer version updates that draft; what an editor changed since the last import is kept
  on top of it, and both versions stay in the story's revisions, one diff apart;
- a withheld or canceled version takes a published story off the site and keeps it from
  being published again until a usable version arrives;
- the same guid and version again (or an older one) changes nothing.

The structure is checked before anything is saved: a file that is not JSON, not ninjs, or
not a story is reported in one line and nothing is written for it.
"""

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from tqdm import tqdm

from articles.editorial import workflow
from articles.editorial.diffs import body_text
from articles.editorial.revisions import apply_snapshot, record_revision, snapshot
from articles.importers.fetch import fetch_url
from articles.importers.report import ImportProblem, ImportReport
from articles.importers.wire import (
    _paragraphs,
    draft_slug,
    match_people,
    people_for_bylines,
    propose_summary,
    set_bylines,
    split_byline,
)
from articles.models import Article, Image, ImportedItem
from articles.sanitize import check_body_size
from newsroom.images import inspect_image

SOURCE = "ninjs"
# One news item: a long story with its metadata is some tens of kilobytes.
MAX_ITEM_BYTES = 5 * 1024 * 1024
PUBSTATUSES = {"usable", "withheld", "canceled"}
TYPES = {"text", "audio", "video", "picture", "graphic", "composite", "component"}
# What an editor may change in an imported story and keep across the agency's versions.
EDITABLE = ["headline", "dateline", "summary", "body", "tags", "bylines", "lead_image"]
# Revision comments of imports start with this; the latest one is the base of a merge.
REVISION_PREFIX = "ninjs version "
# Markup the sanitizer removes; its presence is worth a warning in the report.
ACTIVE_CONTENT = re.compile(r"<\s*(?:script|iframe|object|embed|style)\b|\son\w+\s*=|javascript:",
                            re.I)


class NinjsFileError(ImportProblem):
    """The file as a whole cannot be read as ninjs; the message says why in one line."""


@dataclass
class Picture:
    uri: str
    alt: str = ""
    caption: str = ""
    credit: str = ""
    hrefs: list = field(default_factory=list)  # best rendition first


@dataclass
class NinjsItem:
    uri: str
    version: int
    generation: int  # 1 for ninjs 1.x, 2 for 2.x
    type: str = "text"
    pubstatus: str = "usable"
    headline: str = ""
    byline: str = ""
    located: str = ""
    body_html: str = ""
    summary: str = ""
    tags: list = field(default_factory=list)
    embargoed: datetime | None = None
    slugline: str = ""
    ednote: str = ""
    agency: str = ""
    picture: Picture | None = None

    @property
    def label(self):
        return f"{self.uri} version {self.version}"


# --- Reading files -------------------------------------------------------------------


def load_file(path):
    """The ninjs items (dicts) in a file: one object, or a list of objects."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_ITEM_BYTES:
            raise NinjsFileError(f"the file is larger than {MAX_ITEM_BYTES // (1024 * 1024)} MB, "
                                 "far more than a news item")
        raw = path.read_bytes()
    except OSError as exc:
        raise NinjsFileError(exc.strerror or str(exc)) from exc
    if not raw.strip():
        raise NinjsFileError("the file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NinjsFileError("not JSON: the file is not UTF-8 text (a binary file?)") from exc
    if text.lstrip().startswith("<"):
        raise NinjsFileError("not JSON: this is XML or HTML (NewsML or a web page?), not ninjs")
    try:
        data = json.loads(text)
    except RecursionError as exc:
        raise NinjsFileError("not JSON we will read: it is nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, and numbers too long to convert
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        reason = exc.msg if hasattr(exc, "msg") else str(exc)
        raise NinjsFileError(f"not JSON: {reason}{where}") from exc
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise NinjsFileError("not a ninjs item: the file must hold a JSON object (or a list "
                             "of them) with a “uri”")
    return items


# --- Checking and reading one item ----------------------------------------------------


def _fail(message):
    raise ImportProblem(f"not a ninjs item we can use: {message}")


def _string(data, name):
    value = data.get(name, "")
    if not isinstance(value, str):
        _fail(f"“{name}” must be a string, not {type(value).__name__}")
    return value.strip()


def _objects(data, name, kind):
    value = data.get(name, kind())
    if not isinstance(value, kind):
        what = "a list" if kind is list else "an object"
        _fail(f"“{name}” must be {what}, not {type(value).__name__}")
    objects = value if kind is list else list(value.values())
    if not all(isinstance(entry, dict) for entry in objects):
        _fail(f"every entry of “{name}” must be an object")
    return value


def _values(data, name):
    """ninjs 2.x "headlines", "bodies", "descriptions": lists of {value, role, contenttype}."""
    entries = _objects(data, name, list)
    for entry in entries:
        if not isinstance(entry.get("value"), str):
            _fail(f"each of “{name}” needs a “value” string")
        for key in ("role", "contenttype"):
            if not isinstance(entry.get(key, ""), str):
                _fail(f"the “{key}” of each of “{name}” must be a string")
    return entries


def _pick(entries, roles):
    for role in roles:
        for entry in entries:
            if (entry.get("role") or "").casefold() == role:
                return entry
    return entries[0] if entries else None


def generation(data):
    """1 or 2: the ninjs generation the item says it follows, or looks like."""
    standard = data.get("standard") or data.get("$standard") or {}
    if not isinstance(standard, dict):
        _fail("“standard” must be an object")
    declared = str(standard.get("version", "")).strip()
    if declared:
        major = declared.split(".")[0]
        if major not in ("1", "2"):
            _fail(f"it says it is ninjs {declared}; ninjs 1.x and 2.x are read")
        return int(major)
    plural = {"headlines", "bodies", "descriptions", "subjects", "by"}
    if plural & data.keys() or isinstance(data.get("associations"), list):
        return 2
    return 1


def _version(data):
    value = data.get("version", "1")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        return int(value.strip())
    _fail(f"“version” must be a whole number (“1”, “2”, …), not {json.dumps(value)[:40]}")


def _datetime(data, name):
    value = _string(data, name)
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        _fail(f"“{name}” is not a date and time: {value[:40]}")
    if timezone.is_naive(when):
        _fail(f"“{name}” ({value[:40]}) has no time zone; an embargo must say which it means")
    return when


def _text_to_html(text):
    paragraphs = _paragraphs(text.replace("\r\n", "\n").split("\n"))
    return "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _picture(data, gen):
    """The Picture of an associated item (any generation), or None if it has no file."""
    if gen == 1:
        alt = _string(data, "headline")
        caption = _string(data, "description_text") or strip_tags(_string(data, "description_html"))
        by = _string(data, "byline")
        renditions = list(_objects(data, "renditions", dict).values())
        type_key = "mimetype"
    else:
        alt = ((_pick(_values(data, "headlines"), ["main"]) or {}).get("value") or "").strip()
        captions = _values(data, "descriptions")
        caption = strip_tags((_pick(captions, ["caption", "summary"]) or {}).get("value") or "")
        by = _string(data, "by")
        renditions = _objects(data, "renditions", list)
        type_key = "contenttype"
    pictures = [r for r in renditions if isinstance(r.get("href"), str) and r["href"].strip()
                and (str(r.get(type_key, "")).startswith("image/") or not r.get(type_key))]
    # The largest rendition first: the site makes its own smaller ones.
    pictures.sort(key=lambda r: -(r.get("width") if isinstance(r.get("width"), int | float)
                                  else 0))
    credit = " / ".join(filter(None, [by, _string(data, "copyrightholder")]))
    return Picture(uri=_string(data, "uri"), alt=Truncator(alt).chars(300),
                   caption=caption.strip(), credit=Truncator(credit).chars(200),
                   hrefs=[r["href"].strip() for r in pictures])


def read_item(data):
    """Check one item's structure and map it onto a ``NinjsItem``; ImportProblem if wrong."""
    uri = data.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        _fail("it has no “uri” (the guid every ninjs item needs)")
    uri = uri.strip()
    if len(uri) > 300:
        _fail("its “uri” is longer than 300 characters")
    gen = generation(data)
    item = NinjsItem(uri=uri, version=_version(data), generation=gen)
    item.type = _string(data, "type") or "text"
    if item.type not in TYPES:
        _fail(f"“type” must be one of {', '.join(sorted(TYPES))}, not “{item.type[:40]}”")
    item.pubstatus = _string(data, "pubstatus") or "usable"
    if item.pubstatus not in PUBSTATUSES:
        _fail(f"“pubstatus” must be usable, withheld or canceled, not “{item.pubstatus[:40]}”")
    item.embargoed = _datetime(data, "embargoed")
    item.located = _string(data, "located")
    item.slugline = _string(data, "slugline")
    item.ednote = _string(data, "ednote")
    item.agency = _string(data, "copyrightholder")
    if gen == 1:
        item.headline = _string(data, "headline")
        item.byline = _string(data, "byline")
        body_html, body_text = _string(data, "body_html"), _string(data, "body_text")
        item.body_html = body_html or (_text_to_html(body_text) if body_text else "")
        item.summary = (_string(data, "description_text")
                        or strip_tags(_string(data, "description_html")))
        subjects = _objects(data, "subject", list)
        associations = list(_objects(data, "associations", dict).values())
    else:
        item.headline = ((_pick(_values(data, "headlines"), ["main", "headline"]) or {})
                         .get("value") or "").strip()
        item.byline = _string(data, "by")
        bodies = _values(data, "bodies")
        html_bodies = [b for b in bodies if "html" in (b.get("contenttype") or "").casefold()]
        if html_bodies:
            item.body_html = (_pick(html_bodies, ["main", "body"]) or {})["value"]
        elif bodies:
            item.body_html = _text_to_html((_pick(bodies, ["main", "body"]) or {})["value"])
        description = _pick([d for d in _values(data, "descriptions")
                             if (d.get("role") or "").casefold() != "caption"],
                            ["summary", "description", "abstract", "lead"])
        item.summary = strip_tags((description or {}).get("value") or "")
        subjects = _objects(data, "subjects", list)
        associations = _objects(data, "associations", list)
    item.headline = " ".join(html.unescape(strip_tags(item.headline)).split())
    item.summary = " ".join(html.unescape(item.summary).split())
    for subject in subjects:
        name = subject.get("name")
        if isinstance(name, str) and name.strip() and name.strip() not in item.tags:
            item.tags.append(Truncator(name.strip()).chars(100))
    for association in associations:
        if not isinstance(association, dict):
            continue
        # A byline's portrait, as another Newsroom sends it, is not the story's picture.
        if str(association.get("name") or "").startswith("portrait-"):
            continue
        if (association.get("type") or "picture") in ("picture", "graphic"):
            picture = _picture(association, gen)
            if picture.hrefs:
                item.picture = picture
                break
    try:
        check_body_size(item.body_html)
    except ValidationError as error:
        _fail(" ".join(error.messages))
    if item.type == "text" and item.pubstatus == "usable" and not strip_tags(item.body_html).strip():
        _fail("it has no body (“body_html” or “body_text” in 1.x, “bodies” in 2.x)")
    return item


def dateline_from_place(text):
    """ "FORT BRAGG, N.C." -> "Fort Bragg, N.C."; "Kyiv, Ukraine" stays as it is."""
    city, _, region = " ".join(text.split()).partition(",")
    city = city.title() if city.isupper() else city
    return Truncator(f"{city.strip()}, {region.strip()}" if region.strip() else city.strip()
                     ).chars(80)


# --- Importing ----------------------------------------------------------------------


@dataclass
class Outcome:
    label: str
    outcome: str  # created, updated, unchanged, withdrawn, skipped, failed
    message: str
    article: Article | None = None


class NinjsImporter:
    def __init__(self, *, publication, section=None, create_people=False, fetch=False,
                 max_fetch_bytes=None):
        self.publication = publication
        self.section = section
        self.create_people = create_people
        self.fetch = fetch
        self.max_bytes = max_fetch_bytes or settings.NEWSROOM_IMAGE_MAX_BYTES
        self.report = ImportReport()

    def import_file(self, path):
        return self.import_files([path])[Path(path)]

    def import_files(self, paths, progress=None):
        """Import every item of every file, each in its own transaction; returns
        {path: [Outcome, …]}. Versions of one story go in order (version 1 before 2),
        whatever order the files came in."""
        outcomes, queue = {}, []
        for path in map(Path, paths):
            outcomes[path] = []
            try:
                items = load_file(path)
            except NinjsFileError as exc:
                self.report.fail("stories", path.name, str(exc))
                outcomes[path].append(Outcome(path.name, "failed", str(exc)))
                continue
            queue.extend((path, data) for data in items)
        queue.sort(key=lambda entry: _version_for_sorting(entry[1]))
        with tqdm(total=len(queue), unit="item", desc="Importing",
                  disable=None if progress is None else not progress) as bar:
            for path, data in queue:
                outcomes[path].append(self.import_data(data, folder=path.parent, label=path.name))
                bar.update()
        return outcomes

    def import_data(self, data, *, folder, label):
        warnings = []
        try:
            item = read_item(data)
            with transaction.atomic():
                outcome = self.import_item(item, folder=folder, warn=warnings.append)
        except ImportProblem as exc:
            self.report.fail("stories", label, str(exc))
            return Outcome(label, "failed", str(exc))
        except ValidationError as exc:
            message = "; ".join(exc.messages)
            self.report.fail("stories", label, message)
            return Outcome(label, "failed", message)
        except DatabaseError as exc:
            self.report.fail("stories", label, f"the database refused it ({exc})")
            return Outcome(label, "failed", f"the database refused it ({exc})")
        self.report.count("stories", outcome.outcome)
        if outcome.outcome == "skipped":
            self.report.skipped.append(f"{label}: {outcome.message}")
        for message in warnings:
            self.report.warn(label, message)
        outcome.label = label
        if warnings:
            outcome.message += "; " + "; ".join(warnings)
        return outcome

    def import_item(self, item, *, folder, warn):
        if item.type != "text":
            return Outcome(item.label, "skipped",
                           f"a {item.type} item: only text items become stories")
        # Two imports of the same story at once (a watcher and a hand run) take turns.
        record = (ImportedItem.objects.select_for_update(of=("self",))
                  .filter(source=SOURCE, kind="item", key=item.uri).select_related("article")
                  .first())
        article = record.article if record and record.article_id else None
        if article is not None and item.version <= int(record.fingerprint or 0):
            when = "already imported" if item.version == int(record.fingerprint or 0) else (
                f"older than version {record.fingerprint}, already imported")
            return Outcome(item.label, "unchanged", f"version {item.version} {when} as "
                           f"“{article.headline or '(no headline)'}” ({_change_url(article)})",
                           article)
        if item.pubstatus != "usable":
            return self.withdraw(item, record, article)
        if article is None:
            article = self.create(item, folder=folder, warn=warn)
            return Outcome(item.label, "created", f"draft “{article.headline or '(no headline)'}"
                           f"” ({_change_url(article)}){self.notes(item, article)}", article)
        kept = self.update(item, record, article, folder=folder, warn=warn)
        message = (f"updated “{article.headline or '(no headline)'}” to version {item.version} "
                   f"({_change_url(article)})")
        if kept:
            message += (f"; the editor's changes to {', '.join(kept[0])} are kept on top of it, "
                        f"compare the agency's version with them: {kept[1]}")
        return Outcome(item.label, "updated", message + self.notes(item, article), article)

    def notes(self, item, article):
        notes = []
        if not item.headline:
            notes.append("NO HEADLINE: write one before publishing")
        if article.embargo_until:
            notes.append(f"embargoed until {timezone.localtime(article.embargo_until):%Y-%m-%d %H:%M %Z}")
        return "".join(f"; {note}" for note in notes)

    # --- Creating and updating -------------------------------------------------------

    def _apply(self, article, item, *, folder, warn):
        """Write the agency's content into ``article`` (saved), with tags, bylines, picture."""
        article.headline = Truncator(item.headline).chars(200)
        article.dateline = dateline_from_place(item.located) if item.located else ""
        article.body = item.body_html
        article.summary = Truncator(item.summary or propose_summary(_paragraphs_of(item))
                                    ).chars(500)
        article.embargo_until = item.embargoed
        if ACTIVE_CONTENT.search(item.body_html):
            warn("scripts, frames or event handlers in the body were removed")
        image = self.lead_image(item, folder=folder, warn=warn)
        if image is not None or item.picture is None:
            article.lead_image = image
        article.save()
        article.tags.set(item.tags)
        names, _agency = split_byline(item.byline) if item.byline else ([], "")
        if item.byline and not names:
            warn(f"the byline “{item.byline[:60]}” names nobody")
        people, _bios = people_for_bylines(match_people(names), create_people=self.create_people)
        for name in set_bylines(article, people):
            warn(f"no person named “{name}”: add them, or run again with --create-people")

    def create(self, item, *, folder, warn):
        article = Article(publication=self.publication, section=self.section,
                          status=Article.Status.DRAFT)
        article.slug = draft_slug(article, slug_line=item.slugline, headline=item.headline,
                                  lead=next(iter(_paragraphs_of(item)), ""))
        self._apply(article, item, folder=folder, warn=warn)
        ImportedItem.objects.update_or_create(
            source=SOURCE, kind="item", key=item.uri,
            defaults={"article": article, "fingerprint": str(item.version)},
        )
        record_revision(article, comment=f"{REVISION_PREFIX}{item.version} imported")
        return article

    def update(self, item, record, article, *, folder, warn):
        """Bring the story to the agency's new version. Fields the editor changed since the
        last import keep the editor's text, on top of it; returns (those fields, diff URL)."""
        base = (article.revisions.filter(comment__startswith=REVISION_PREFIX)
                .order_by("-number").first())
        mine = snapshot(article)
        self._apply(article, item, folder=folder, warn=warn)
        ImportedItem.objects.filter(source=SOURCE, kind=ImportedItem.WITHHELD, key=item.uri).delete()
        record.fingerprint = str(item.version)
        record.save(update_fields=["fingerprint", "imported_at"])
        theirs = record_revision(article, comment=f"{REVISION_PREFIX}{item.version} imported")
        changed = [name for name in EDITABLE
                   if base and mine.get(name) != base.data.get(name)
                   and mine.get(name) != theirs.data.get(name)]
        if not changed:
            return None
        merged = {**theirs.data, **{name: mine[name] for name in changed}}
        apply_snapshot(article, merged)
        ours = record_revision(article, comment="The editor's changes kept on top of "
                               f"{REVISION_PREFIX}{item.version}: {', '.join(changed)}")
        url = reverse("admin:articles_article_compare", args=[article.pk])
        return changed, f"{url}?a={theirs.number}&b={ours.number}"

    def withdraw(self, item, record, article):
        if article is None:
            return Outcome(item.label, "skipped", f"{item.pubstatus} by the agency, and never "
                           "imported here: nothing to take down")
        was_live = article.status == Article.Status.PUBLISHED
        reason = f"{item.pubstatus} by the agency" + (f": {item.ednote}" if item.ednote else "")
        ImportedItem.objects.get_or_create(source=SOURCE, kind=ImportedItem.WITHHELD, key=item.uri,
                                           defaults={"article": article})
        record.fingerprint = str(item.version)
        record.save(update_fields=["fingerprint", "imported_at"])
        if was_live:
            workflow.article_withdraw(article=article, reason=reason)
        else:
            record_revision(article, comment=Truncator(
                f"{REVISION_PREFIX}{item.version}: {reason}").chars(300))
        done = "unpublished" if was_live else "kept from publication (it was not live)"
        return Outcome(item.label, "withdrawn", f"“{article.headline}” {done}: {reason} "
                       f"({_change_url(article)})", article)

    # --- The lead picture ------------------------------------------------------------

    def lead_image(self, item, *, folder, warn):
        picture = item.picture
        if picture is None:
            return None
        record = (ImportedItem.objects.filter(source=SOURCE, kind="picture", key=picture.uri)
                  .select_related("image").first()) if picture.uri else None
        if record and record.image_id:
            return record.image
        problems = []
        for href in picture.hrefs:
            try:
                data, filename = self.read_picture(href, folder)
                inspect_image(ContentFile(data, name=filename), max_bytes=self.max_bytes)
            except ImportProblem as exc:
                problems.append(str(exc))
                continue
            except ValidationError as exc:
                problems.append(f"{filename}: {' '.join(exc.messages)}")
                continue
            image = Image.objects.create(
                file=ContentFile(data, name=filename), alt_text=picture.alt,
                caption=picture.caption, credit=picture.credit,
            )
            if picture.uri:
                ImportedItem.objects.update_or_create(
                    source=SOURCE, kind="picture", key=picture.uri[:300],
                    defaults={"image": image})
            if not picture.alt:
                warn("the picture has no headline to serve as its alt text: write one")
            return image
        warn("lead picture left out: " + "; ".join(dict.fromkeys(problems)))
        return None

    def read_picture(self, href, folder):
        """A rendition's bytes: the file of that name delivered beside the item, else (with
        fetching on) downloaded from a public address."""
        parts = urlsplit(href)
        filename = PurePosixPath(parts.path).name
        if not filename or filename in (".", ".."):
            raise ImportProblem(f"{href[:80]} names no file")
        local = Path(folder) / filename
        if local.is_file():
            if local.stat().st_size > self.max_bytes:
                raise ImportProblem(f"{filename} is larger than {self.max_bytes:,} bytes")
            try:
                return local.read_bytes(), filename
            except OSError as exc:
                raise ImportProblem(f"{filename} cannot be read: {exc.strerror or exc}") from exc
        if self.fetch and parts.scheme in ("http", "https"):
            return fetch_url(href, max_bytes=self.max_bytes), filename
        raise ImportProblem(f"{filename} was not delivered beside the item"
                            + ("" if self.fetch else " (and --fetch-media is off)"))


def _paragraphs_of(item):
    return [p for p in body_text(item.body_html).split("\n\n") if p.strip()]


def _version_for_sorting(data):
    try:
        return int(str(data.get("version", 0)).strip() or 0)
    except ValueError:
        return 0  # read_item reports it


def _change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])
