"""export_newsroom: every table and image file of the newsroom, written in the
newsroom-export format (articles/backup/format.py) to a folder or a .zip."""

import contextlib
import dataclasses
import hashlib
import json
import shutil
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone

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


def _queryset(model):
    return model._default_manager.order_by("pk")


def encode(field, value, usernames):
    if value is None:
        return None
    if is_user(field):
        return usernames.get(value)
    if is_content_type(field):
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

    def discard(self):
        """Remove what this export wrote: the folder was empty before it began."""
        for child in self.root.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()


class _ZipWriter:
    def __init__(self, path):
        self.path = Path(path)
        if self.path.exists():
            raise BackupError(f"{path} already exists; choose a new file name.")
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def open(self, name):
        return self.zip.open(name, "w", force_zip64=True)

    def close(self):
        self.zip.close()

    def discard(self):
        with contextlib.suppress(OSError, ValueError):
            self.zip.close()
        self.path.unlink(missing_ok=True)


@dataclasses.dataclass
class Exported:
    """What an export wrote, for the command's summary."""

    manifest: dict
    missing: list = dataclasses.field(default_factory=list)  # named by rows, not in storage


def export_newsroom(out, *, progress=False):
    """Write every table and image file to ``out`` (a new or empty folder, or a new file
    ending in .zip). If the export fails, what it wrote is removed before the error (a
    BackupError or OSError) goes on: a half-written export is never left to be restored."""
    writer = _ZipWriter(out) if str(out).lower().endswith(".zip") else _DirectoryWriter(out)
    try:
        exported = _write(writer, progress)
        writer.close()
    except BaseException:
        writer.discard()
        raise
    return exported


def _write(writer, progress):
    usernames = dict(get_user_model()._default_manager.values_list("pk", "username"))
    manifest = {"format": FORMAT, "version": VERSION,
                "exported_at": timezone.now().isoformat(), "tables": [], "media": []}
    exported = Exported(manifest)
    media = []
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # Every table read from one snapshot, even while editors keep saving.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        total = sum(_queryset(model).count() for _name, model in TABLES) if progress else None
        with progress_bar(progress, total=total, desc="Rows", unit="row") as bar:
            for name, model in TABLES:
                rows = 0
                with writer.open(f"{name}.jsonl") as fh:
                    for obj in _queryset(model).iterator(chunk_size=BATCH):
                        row = row_of(obj, usernames)
                        media.extend(media_names(model, row))
                        fh.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                        rows += 1
                        bar.update()
                manifest["tables"].append({"name": name, "model": model._meta.label_lower,
                                           "file": f"{name}.jsonl", "rows": rows})
    media = list(dict.fromkeys(media))
    with progress_bar(progress, total=len(media), desc="Image files", unit="file") as bar:
        for path in media:
            bar.update()
            try:
                with default_storage.open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                exported.missing.append(path)
                continue
            with writer.open(f"media/{path}") as fh:
                fh.write(data)
            manifest["media"].append({"path": path, "bytes": len(data),
                                      "sha256": hashlib.sha256(data).hexdigest()})
    # Written last: an export without its manifest is plainly unfinished.
    with writer.open("manifest.json") as fh:
        fh.write(json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n")
    return exported
