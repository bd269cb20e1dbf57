"""export_newsroom: every table and image file of the newsroom, written in the
newsroom-export format (articles/backup/format.py) to a folder or a .zip."""

import hashlib
import json
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
