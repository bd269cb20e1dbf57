"""restore_newsroom: load an export (articles/backup/format.py) into an empty database, then
make every picture ready to serve.

A restore is all or nothing. The rows are loaded in one transaction and the image files
written inside it; if anything fails (a damaged or truncated archive, a version this
Newsroom does not read, a row the database refuses, a file that does not match its
checksum) the transaction is rolled back, the files this restore wrote are deleted, and a
BackupError says why. Only then, with the rows committed, are the renditions made: rows
loaded in bulk never pass through ``Image.save``, which makes them for an upload.
"""

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction

from articles import pictures
from articles.backup.format import (
    BATCH,
    FORMAT,
    TABLES,
    VERSION,
    BackupError,
    is_content_type,
    is_user,
)
from articles.backup.progress import progress_bar
from articles.caching import journal
from articles.models import Article, Publication, Run
from articles.sanitize import sanitize_html
from newsroom.images import inspect_image

# What reading a damaged archive raises: a bad CRC or header (BadZipFile), a broken deflate
# stream (zlib.error), a stream that ends early (EOFError), bytes that are not UTF-8.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError)


@dataclasses.dataclass
class Restored:
    """What a restore loaded, for the command's summary."""

    exported_at: str
    rows: dict = dataclasses.field(default_factory=dict)  # {table name: rows loaded}
    media_files: int = 0
    unmatched_users: list = dataclasses.field(default_factory=list)  # no login here
    pictures_report: pictures.Report | None = None


def restore_newsroom(source, *, progress=False):
    """Load the export at ``source`` (a folder or .zip) into this empty database and its
    image files into the media storage, then write every image's renditions. Raises
    BackupError, having changed nothing, if the export cannot be restored."""
    reader = _open(source)
    try:
        manifest = read_manifest(reader)
        restored = _load(reader, manifest, progress)
    finally:
        reader.close()
    # The rows went in without the signals that refresh cached pages: a cache that held the
    # site before (or another site) must not keep serving what it held.
    journal.forget_everything()
    restored.pictures_report = pictures.make_ready(progress=progress)
    return restored


class _DirectoryReader:
    def __init__(self, path):
        self.root = Path(path)

    def open(self, name):
        try:
            return (self.root / name).open("rb")
        except FileNotFoundError as exc:
            raise BackupError(f"The export has no {name}.") from exc

    def size(self, name):
        try:
            return (self.root / name).stat().st_size
        except FileNotFoundError as exc:
            raise BackupError(f"The export has no {name}.") from exc

    def close(self):
        pass


class _ZipReader:
    def __init__(self, path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise BackupError(
                f"{path} is not a readable .zip file ({exc}): is it complete?"
            ) from exc

    def open(self, name):
        try:
            return self.zip.open(name)
        except KeyError as exc:
            raise BackupError(f"The export has no {name}.") from exc

    def size(self, name):
        try:
            return self.zip.getinfo(name).file_size
        except KeyError as exc:
            raise BackupError(f"The export has no {name}.") from exc

    def close(self):
        self.zip.close()


def _open(source):
    path = Path(source)
    if not path.exists():
        raise BackupError(f"{source} does not exist.")
    return _ZipReader(path) if path.is_file() else _DirectoryReader(path)


@contextlib.contextmanager
def _reading(name):
    """Errors from a damaged member, said as one line naming it."""
    try:
        yield
    except DAMAGED as exc:
        raise BackupError(f"{name} cannot be read: the export is damaged ({exc}).") from exc
    except OSError as exc:  # a file of an export folder: unreadable, or gone meanwhile
        raise BackupError(f"{name} cannot be read ({exc}).") from exc


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
    """The manifest, checked: this format and version, known tables, well-formed entries."""
    with _reading("manifest.json"):
        try:
            with reader.open("manifest.json") as fh:
                manifest = json.load(fh)
        except BackupError as exc:
            raise BackupError("There is no manifest.json: this is not a Newsroom export.") from exc
        except ValueError as exc:
            raise BackupError(f"manifest.json cannot be read ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("manifest.json does not describe a Newsroom export.")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"This export is format version {manifest.get('version')}; this Newsroom reads "
            f"version {VERSION}. Import it with the Newsroom version that wrote it, or a newer one."
        )
    models_by_name = {name: model._meta.label_lower for name, model in TABLES}
    tables = manifest.get("tables")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise BackupError("manifest.json has no list of tables.")
    seen = set()
    for entry in tables:
        name = entry.get("name")
        if name not in models_by_name:
            raise BackupError(f"manifest.json names a table this Newsroom does not know: "
                              f"{name!r}. Was the export written by a newer Newsroom?")
        if name in seen:
            raise BackupError(f"manifest.json names the table {name} twice.")
        seen.add(name)
        if entry.get("model") != models_by_name[name]:
            raise BackupError(f"Table {name} holds {entry.get('model')}, "
                              f"not {models_by_name[name]}.")
        if not _count(entry.get("rows")):
            raise BackupError(f"manifest.json gives no row count for the table {name}.")
    media = manifest.get("media", [])
    if not isinstance(media, list) or not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and _count(e.get("bytes"))
        and isinstance(e.get("sha256"), str) for e in media
    ):
        raise BackupError("manifest.json's list of media files is not well formed.")
    for entry in media:
        _safe_media_path(entry["path"])
    return manifest


def _count(value):
    """True for a row or byte count: a whole number, zero or more (booleans are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _load(reader, manifest, progress):
    """Every table and file of the export, in one transaction; all or nothing."""
    ContentType.objects.clear_cache()
    loader = _Loader()
    restored = Restored(exported_at=str(manifest.get("exported_at", "")))
    tables = {entry["name"]: entry for entry in manifest["tables"]}
    media = manifest.get("media", [])
    written = []  # files this restore stored, deleted again if it fails
    try:
        with transaction.atomic():
            busy = existing_content()
            if busy:
                summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in busy.items())
                raise BackupError(
                    f"This database already has content ({summary}). import_newsroom only "
                    "loads into an empty database: create a new one, run migrate, then import."
                )
            Publication.objects.all().delete()  # the fresh install's placeholder
            total = sum(entry["rows"] for entry in tables.values())
            with progress_bar(progress, total=total, desc="Rows", unit="row") as bar:
                for name, model in TABLES:
                    if name not in tables:
                        continue  # an older export without this table
                    restored.rows[name] = loader.load_table(reader, name, model, bar)
                    if restored.rows[name] != tables[name]["rows"]:
                        raise BackupError(
                            f"{name}.jsonl holds {restored.rows[name]} rows and the manifest "
                            f"says {tables[name]['rows']}: the export is incomplete or was changed."
                        )
            # An export from before the network has no runs: every story runs at home.
            Run.objects.add_missing_home_runs()
            _reset_sequences()
            with progress_bar(progress, total=len(media), desc="Image files", unit="file") as bar:
                for entry in media:
                    _restore_file(reader, entry, written)
                    bar.update()
            restored.media_files = len(media)
    except BaseException as exc:
        _remove(written)
        if isinstance(exc, DatabaseError):  # e.g. a connection lost midway
            raise BackupError(f"The database failed during the restore ({exc}).") from exc
        raise
    restored.unmatched_users = sorted(loader.unmatched_users)
    return restored


class _Loader:
    def __init__(self):
        self.user_ids = dict(get_user_model()._default_manager.values_list("username", "pk"))
        self.unmatched_users = set()

    def load_table(self, reader, name, model, bar):
        """Load ``name``.jsonl in batches; returns how many rows it held."""
        member, pending, rows, first = f"{name}.jsonl", [], 0, 1
        with _reading(member), reader.open(member) as fh:
            for number, line in enumerate(io.TextIOWrapper(fh, encoding="utf-8"), start=1):
                if not line.strip():
                    continue
                try:
                    pending.append(self.decode(model, json.loads(line)))
                except (BackupError, ValueError, TypeError, AttributeError) as exc:
                    # not JSON, not a row, or a value of the wrong kind
                    raise BackupError(f"{member} line {number}: {exc}") from exc
                rows += 1
                if len(pending) >= BATCH:
                    self.insert(f"{member} lines {first}-{number}", model, pending)
                    bar.update(len(pending))
                    pending, first = [], number + 1
            if pending:
                self.insert(f"{member} lines {first}-{number}", model, pending)
                bar.update(len(pending))
        return rows

    def decode(self, model, row):
        """A model instance from one row, and the auto_now times to put back after saving."""
        if not isinstance(row, dict):
            raise BackupError("not a row (a JSON object)")
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
                value = self.user_ids.get(str(raw))
                if value is None:
                    self.unmatched_users.add(str(raw))
            elif is_content_type(field):
                try:
                    value = ContentType.objects.get_by_natural_key(*str(raw).split(".", 1)).pk
                except (ContentType.DoesNotExist, TypeError) as exc:
                    raise BackupError(f"unknown content type {raw!r}.") from exc
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

    def insert(self, where, model, pending):
        objs = [obj for obj, _auto in pending]
        try:
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
        except (DatabaseError, ValueError, TypeError) as exc:
            raise BackupError(f"{where}: the database refused these rows ({exc}).") from exc


def _reset_sequences():
    """PostgreSQL hands out ids from sequences: move them past the ids just loaded."""
    statements = connection.ops.sequence_reset_sql(no_style(), [m for _n, m in TABLES])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _restore_file(reader, entry, written):
    """Check one image file against the manifest and store it under its own name."""
    path = entry["path"]
    member = f"media/{path}"
    if entry["bytes"] > settings.NEWSROOM_IMAGE_MAX_BYTES:
        raise BackupError(f"{member} is larger than images may be here.")
    if reader.size(member) > entry["bytes"]:
        raise BackupError(f"{member} is larger than the manifest says.")
    with _reading(member), reader.open(member) as fh:
        data = fh.read(entry["bytes"] + 1)
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise BackupError(f"{member} does not match its checksum in the manifest.")
    try:
        inspect_image(ContentFile(data, name=PurePosixPath(path).name))
    except ValidationError as exc:
        raise BackupError(f"{member}: {' '.join(exc.messages)}") from exc
    with _storing(path):
        if default_storage.exists(path):
            with default_storage.open(path, "rb") as fh:
                if fh.read() == data:
                    return  # already here, the same bytes: left as it is
            raise BackupError(
                f"{path} already exists in the media folder with different content; restore "
                "into an empty media folder."
            )
        saved = default_storage.save(path, ContentFile(data))
        written.append(saved)
    if saved != path:
        raise BackupError(f"The media storage renamed {path} to {saved}.")


@contextlib.contextmanager
def _storing(path):
    try:
        yield
    except OSError as exc:
        raise BackupError(f"{path} could not be written to the media storage ({exc}).") from exc


def _remove(paths):
    """Delete the files a failed restore wrote, and the folders it made for them."""
    for path in paths:
        with contextlib.suppress(OSError):
            default_storage.delete(path)
        folder = PurePosixPath(path).parent
        while folder.parts:
            # Object stores have no folders; on a filesystem an empty one is taken away.
            try:
                os.rmdir(default_storage.path(str(folder)))
            except (NotImplementedError, OSError):
                break
            folder = folder.parent
