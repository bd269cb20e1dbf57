"""restore_newsroom: load an export (articles/backup/format.py) into an empty database."""

import hashlib
import io
import json
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction

from articles.backup.format import (
    BATCH,
    FORMAT,
    TABLES,
    VERSION,
    BackupError,
    is_content_type,
    is_user,
)
from articles.models import Article, Publication
from articles.sanitize import sanitize_html
from newsroom.images import inspect_image


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
            elif is_user(field):
                value = self.user_ids.get(raw)
                if value is None:
                    self.unmatched_users.add(raw)
            elif is_content_type(field):
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


def restore_newsroom(source, *, progress=None):
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
