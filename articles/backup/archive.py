"""A full export of the newsroom's content, and loading it back into an empty database.

The format ("newsroom-export", version 1) is documented in README.md. In short: a folder
or .zip holding ``manifest.json``, one JSON-lines file per table (one row per line, in
load order), and ``media/`` with every image file under its stored name, so image URLs
are the same after a restore. Rows keep their ids, slugs and times exactly; links to login
users are written as usernames, since logins are not part of the export.
"""

import hashlib
import io
import json
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from taggit.models import Tag

from articles.models import (
    Article,
    Byline,
    Correction,
    Image,
    ImportedItem,
    Publication,
    RelatedItem,
    Revision,
    Section,
    TaggedArticle,
)
from articles.sanitize import sanitize_html
from newsroom.images import inspect_image
from people.models import Person, SocialLink

FORMAT = "newsroom-export"
VERSION = 1
BATCH = 500

# Load order: every row's links point to rows of tables listed before it.
TABLES = [
    ("publications", Publication),
    ("sections", Section),
    ("people", Person),
    ("social_links", SocialLink),
    ("images", Image),
    ("tags", Tag),
    ("articles", Article),
    ("tagged_items", TaggedArticle),
    ("bylines", Byline),
    ("related_items", RelatedItem),
    ("corrections", Correction),
    ("revisions", Revision),
    ("imported_items", ImportedItem),
]


class BackupError(Exception):
    """The export cannot be written or loaded; the message says why."""


def _is_user(field):
    return field.is_relation and field.related_model is get_user_model()


def _is_content_type(field):
    return field.is_relation and field.related_model is ContentType


def _queryset(model):
    return model._default_manager.order_by("pk")


def encode(field, value, usernames):
    if value is None:
        return None
    if _is_user(field):
        return usernames.get(value)
    if _is_content_type(field):
        ct = ContentType.objects.get_for_id(value)
        return f"{ct.app_label}.{ct.model}"
    if isinstance(field, models.FileField):
        return value.name or ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def exported_fields(model):
    """Every stored field but those recomputed from the others (a search document)."""
    derived = getattr(model, "DERIVED_FIELDS", ())
    return [f for f in model._meta.concrete_fields if f.name not in derived]


def row_of(obj, usernames):
    return {
        field.name: encode(field, getattr(obj, field.attname) if field.is_relation
                           else field.value_from_object(obj), usernames)
        for field in exported_fields(type(obj))
    }


def media_names(model, row):
    return [row[f.name] for f in model._meta.concrete_fields
            if isinstance(f, models.FileField) and row.get(f.name)]


# --- Writing ---------------------------------------------------------------------------


class _DirectoryWriter:
    def __init__(self, path):
        self.root = Path(path)
        if self.root.exists() and any(self.root.iterdir()):
            raise BackupError(f"{path} is not empty; export into a new or empty folder.")
        self.root.mkdir(parents=True, exist_ok=True)

    def open(self, name):
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.open("wb")

    def close(self):
        pass


class _ZipWriter:
    def __init__(self, path):
        if Path(path).exists():
            raise BackupError(f"{path} already exists; choose a new file name.")
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def open(self, name):
        return self.zip.open(name, "w", force_zip64=True)

    def close(self):
        self.zip.close()


def export_newsroom(out, *, progress=None):
    """Write every table and image file to ``out`` (a folder, or a file ending in .zip).
    Returns the manifest."""
    writer = _ZipWriter(out) if str(out).lower().endswith(".zip") else _DirectoryWriter(out)
    usernames = dict(get_user_model()._default_manager.values_list("pk", "username"))
    manifest = {"format": FORMAT, "version": VERSION,
                "exported_at": timezone.now().isoformat(), "tables": [], "media": []}
    media = []
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                # Every table read from one snapshot, even while editors keep saving.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            for name, model in TABLES:
                rows = 0
                with writer.open(f"{name}.jsonl") as fh:
                    for obj in _queryset(model).iterator(chunk_size=BATCH):
                        row = row_of(obj, usernames)
                        media.extend(media_names(model, row))
                        fh.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                        rows += 1
                manifest["tables"].append({"name": name, "model": model._meta.label_lower,
                                           "file": f"{name}.jsonl", "rows": rows})
                if progress:
                    progress(f"{name}: {rows}")
        for path in dict.fromkeys(media):
            try:
                with default_storage.open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                if progress:
                    progress(f"missing image file, not exported: {path}")
                continue
            with writer.open(f"media/{path}") as fh:
                fh.write(data)
            manifest["media"].append({"path": path, "bytes": len(data),
                                      "sha256": hashlib.sha256(data).hexdigest()})
        with writer.open("manifest.json") as fh:
            fh.write(json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n")
    finally:
        writer.close()
    return manifest


# --- Reading ---------------------------------------------------------------------------


class _DirectoryReader:
    def __init__(self, path):
        self.root = Path(path)

    def open(self, name):
        return (self.root / name).open("rb")

    def size(self, name):
        return (self.root / name).stat().st_size

    def close(self):
        pass


class _ZipReader:
    def __init__(self, path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise BackupError(f"{path} is not a readable .zip file ({exc}).") from exc

    def open(self, name):
        return self.zip.open(name)

    def size(self, name):
        return self.zip.getinfo(name).file_size

    def close(self):
        self.zip.close()


def _safe_media_path(path):
    parts = PurePosixPath(path).parts
    if not path or PurePosixPath(path).is_absolute() or ".." in parts or "\\" in path:
        raise BackupError(f"The manifest names an unsafe file path: {path!r}.")
    return path


def existing_content():
    """What in this database would be overwritten: {label: count}, empty if nothing.

    A fresh install's one untouched publication does not count: it is replaced."""
    counts = {name: model._default_manager.count() for name, model in TABLES
              if model is not Publication}
    publications = Publication.objects.count()
    counts["publications"] = publications if publications > 1 else 0
    return {name: n for name, n in counts.items() if n}


def read_manifest(reader):
    try:
        with reader.open("manifest.json") as fh:
            manifest = json.load(fh)
    except (KeyError, FileNotFoundError) as exc:
        raise BackupError("There is no manifest.json: this is not a Newsroom export.") from exc
    except (ValueError, OSError) as exc:
        raise BackupError(f"manifest.json cannot be read ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("manifest.json does not describe a Newsroom export.")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"This export is format version {manifest.get('version')}; this Newsroom reads "
            f"version {VERSION}. Import it with the Newsroom version that wrote it, or a newer one."
        )
    return manifest


class _Loader:
    def __init__(self):
        self.user_ids = dict(get_user_model()._default_manager.values_list("username", "pk"))
        self.unmatched_users = set()

    def decode(self, model, row):
        values, auto = {}, {}
        fields = {f.name: f for f in model._meta.concrete_fields}
        unknown = set(row) - set(fields)
        if unknown:
            raise BackupError(
                f"{model._meta.label} rows have fields this Newsroom does not know: "
                f"{', '.join(sorted(unknown))}."
            )
        for name, raw in row.items():
            field = fields[name]
            if raw is None:
                value = None
            elif _is_user(field):
                value = self.user_ids.get(raw)
                if value is None:
                    self.unmatched_users.add(raw)
            elif _is_content_type(field):
                try:
                    value = ContentType.objects.get_by_natural_key(*raw.split(".", 1)).pk
                except (ContentType.DoesNotExist, TypeError) as exc:
                    raise BackupError(f"Unknown content type {raw!r} in {model._meta.label}.") from exc
            elif field.is_relation or isinstance(field, models.JSONField | models.FileField):
                value = raw
            else:
                try:
                    value = field.to_python(raw)
                except ValidationError as exc:
                    raise BackupError(
                        f"{model._meta.label} {row.get('id')}: {name} {raw!r} is not valid."
                    ) from exc
            if model is Article and name == "body":
                value = sanitize_html(value)  # a backup is a file anyone could have edited
            values[field.attname] = value
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                auto[field.attname] = value
        return model(**values), auto

    def load_table(self, reader, name, model):
        pending = []
        with reader.open(f"{name}.jsonl") as fh:
            for number, line in enumerate(io.TextIOWrapper(fh, encoding="utf-8"), start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise BackupError(f"{name}.jsonl line {number} is not JSON ({exc}).") from exc
                pending.append(self.decode(model, row))
                if len(pending) >= BATCH:
                    self.insert(model, pending)
                    pending = []
        self.insert(model, pending)

    def insert(self, model, pending):
        if not pending:
            return
        objs = [obj for obj, _auto in pending]
        model._default_manager.bulk_create(objs)
        if model is Article:
            Article.objects.filter(pk__in=[o.pk for o in objs]).refresh_search_documents()
        # bulk_create stamps auto_now fields with the time of the restore; put back the
        # times the export recorded.
        auto_fields = list(pending[0][1])
        if auto_fields:
            for obj, auto in pending:
                for attname, value in auto.items():
                    setattr(obj, attname, value)
            model._default_manager.bulk_update(objs, auto_fields)


def import_newsroom(source, *, progress=None):
    """Load an export into this (empty) database. Returns {table: rows}."""
    path = Path(source)
    if not path.exists():
        raise BackupError(f"{source} does not exist.")
    reader = _ZipReader(path) if path.is_file() else _DirectoryReader(path)
    try:
        manifest = read_manifest(reader)
        ContentType.objects.clear_cache()
        loader = _Loader()
        loaded = {}
        with transaction.atomic():
            busy = existing_content()
            if busy:
                summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in busy.items())
                raise BackupError(
                    f"This database already has content ({summary}). import_newsroom only "
                    "loads into an empty database: create a new one, run migrate, then import."
                )
            Publication.objects.all().delete()  # the fresh install's placeholder
            known = {entry.get("name"): entry for entry in manifest.get("tables", [])}
            for name, model in TABLES:
                if name not in known:
                    continue  # an older export without this table
                if known[name].get("model") != model._meta.label_lower:
                    raise BackupError(f"Table {name} holds {known[name].get('model')}, "
                                      f"not {model._meta.label_lower}.")
                loader.load_table(reader, name, model)
                loaded[name] = model._default_manager.count()
                if progress:
                    progress(f"{name}: {loaded[name]}")
            _reset_sequences()
            for entry in manifest.get("media", []):
                _restore_file(reader, entry)
            loaded["media files"] = len(manifest.get("media", []))
        if loader.unmatched_users and progress:
            progress("No login here for: " + ", ".join(sorted(loader.unmatched_users))
                     + " (their stories and revisions are kept without a user).")
        return loaded
    except KeyError as exc:
        raise BackupError(f"The export is missing a file: {exc}.") from exc
    except zipfile.BadZipFile as exc:
        raise BackupError(f"The .zip file is damaged ({exc}).") from exc
    finally:
        reader.close()


def _reset_sequences():
    """PostgreSQL hands out ids from sequences: move them past the ids just loaded."""
    statements = connection.ops.sequence_reset_sql(no_style(), [m for _n, m in TABLES])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _restore_file(reader, entry):
    path = _safe_media_path(str(entry.get("path", "")))
    if not 0 <= int(entry.get("bytes", 0)) <= settings.NEWSROOM_IMAGE_MAX_BYTES:
        raise BackupError(f"media/{path} is larger than images may be here.")
    if reader.size(f"media/{path}") > max(entry.get("bytes", 0), 0):
        raise BackupError(f"media/{path} is larger than the manifest says.")
    with reader.open(f"media/{path}") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise BackupError(f"media/{path} does not match its checksum in the manifest.")
    try:
        inspect_image(ContentFile(data, name=PurePosixPath(path).name))
    except ValidationError as exc:
        raise BackupError(f"media/{path}: {' '.join(exc.messages)}") from exc
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as fh:
            if fh.read() == data:
                return
        raise BackupError(
            f"{path} already exists in the media folder with different content; restore "
            "into an empty media folder."
        )
    saved = default_storage.save(path, ContentFile(data))
    if saved != path:
        raise BackupError(f"The media storage renamed {path} to {saved}.")
