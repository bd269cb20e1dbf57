"""Image renditions: resized copies at a fixed set of widths, in WebP and the original format.

Renditions are ordinary files on the default storage, at names computed from the image
alone (no database row, no query to find them):

    renditions/<pk>/<key>/full-<width>.<ext>     the whole picture, resized
    renditions/<pk>/<key>/crop-<width>.<ext>     a 3:2 crop around the focal point

``key`` is a short hash of the stored file name and the focal point, so a new upload or a
moved focal point gets new names and no cache serves the old picture. Only the widths
below exist: no address lets anyone ask for another size. Each rendition is re-encoded
from pixels alone, so EXIF (camera, GPS position, time) never reaches a reader.
"""

import contextlib
import functools
import hashlib
import io
import os
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.functional import empty
from PIL import Image as PILImage
from PIL import ImageOps

WIDTHS = (320, 640, 960, 1280, 1600)
CROP_WIDTHS = (320, 640, 960)
CROP_RATIO = (3, 2)
ORIGINAL_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
SAVE_OPTIONS = {
    "jpg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
    "png": {"format": "PNG", "optimize": True},
    "webp": {"format": "WEBP", "quality": 80, "method": 3},
}


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


def fallback_ext(name):
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"jpeg": "jpg", "jpg": "jpg", "png": "png", "webp": "webp"}.get(ext, "png")


def key(image):
    raw = f"{image.file.name}|{image.focal_x:.3f}|{image.focal_y:.3f}"
    return hashlib.sha1(raw.encode()).hexdigest()[:10]


def widths_for(width, sizes=WIDTHS):
    """The fixed widths an image of ``width`` pixels gets: never upscaled."""
    if not width:
        return []
    return sorted({*(w for w in sizes if w < width), min(width, sizes[-1])})


def crop_box(width, height, focal_x, focal_y, ratio=CROP_RATIO):
    """The largest box of ``ratio`` inside the picture, centred on the focal point."""
    target = ratio[0] / ratio[1]
    if width / height > target:
        box_w, box_h = round(height * target), height
    else:
        box_w, box_h = width, round(width / target)
    left = min(max(round(focal_x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal_y * height - box_h / 2), 0), height - box_h)
    return (left, top, left + box_w, top + box_h)


def _name(image, kind, width, ext):
    return f"renditions/{image.pk}/{key(image)}/{kind}-{width}.{ext}"


def _plan(image, kind):
    """[(width, height), …] for ``kind`` ("full" or "crop"), from stored dimensions only."""
    if not image.width or not image.height:
        return []
    if kind == "full":
        return [(w, round(image.height * w / image.width)) for w in widths_for(image.width)]
    left, top, right, bottom = crop_box(image.width, image.height, image.focal_x, image.focal_y)
    box_w = right - left
    return [(w, round(w * CROP_RATIO[1] / CROP_RATIO[0])) for w in widths_for(box_w, CROP_WIDTHS)]


def renditions(image, kind="full", ext=None):
    """Rendition entries (url, width, height) for the template, computed without I/O.

    A page shows each picture in two formats and a card is rendered for every story of a
    list, so the same entries are asked for again and again: they are remembered per
    process, keyed by everything they are computed from (the stored file name, focal point
    and size, and the storage's address), so a new upload or a moved focal point is never
    served from an old entry. A storage that signs its addresses (they expire) is asked
    every time."""
    name = image.file.name
    ext = ext or fallback_ext(name)
    storage = storage_key()
    if storage is None:
        return list(
            _entries(
                image.pk, name, image.focal_x, image.focal_y, image.width, image.height, kind, ext
            )
        )
    return list(
        _remembered_entries(
            image.pk,
            name,
            image.focal_x,
            image.focal_y,
            image.width,
            image.height,
            kind,
            ext,
            *storage,
        )
    )


def storage_key():
    """(the storage, its address) to remember its files' addresses under, or None for
    a storage that signs them (they expire) or is not set up yet: ask it every time."""
    storage = default_storage._wrapped if default_storage._wrapped is not empty else None
    if storage is None or getattr(storage, "querystring_auth", False):
        return None
    return id(storage), getattr(storage, "base_url", None)


def _entries(pk, name, focal_x, focal_y, width, height, kind, ext):
    image = _Stored(pk, _StoredFile(name), focal_x, focal_y, width, height)
    return tuple(
        Rendition(default_storage.url(_name(image, kind, w, ext)), w, h)
        for w, h in _plan(image, kind)
    )


@functools.lru_cache(maxsize=20_000)
def _remembered_entries(
    pk, name, focal_x, focal_y, width, height, kind, ext, _storage_id, _base_url
):
    return _entries(pk, name, focal_x, focal_y, width, height, kind, ext)


@dataclass(frozen=True)
class _StoredFile:
    name: str


@dataclass(frozen=True)
class _Stored:
    """What renditions are computed from: the image's stored fields, nothing else."""

    pk: int
    file: _StoredFile
    focal_x: float
    focal_y: float
    width: int
    height: int


def generate(image, *, force=False):
    """Write every rendition of ``image`` that is missing; returns how many were written."""
    if not image.pk or not image.file:
        return 0
    jobs = [
        (kind, w, h, ext)
        for kind in ("full", "crop")
        for w, h in _plan(image, kind)
        for ext in {"webp", fallback_ext(image.file.name)}
        if force or not default_storage.exists(_name(image, kind, w, ext))
    ]
    if not jobs:
        return 0
    with image.file.open("rb") as fh, PILImage.open(fh) as src:
        src.seek(0)  # an animated GIF: its first frame
        picture = ImageOps.exif_transpose(src.copy())  # the way the camera was held
    has_alpha = picture.mode in ("RGBA", "LA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    picture = picture.convert("RGBA" if has_alpha else "RGB")
    crop = picture.crop(crop_box(*picture.size, image.focal_x, image.focal_y))
    sources = {"full": picture, "crop": crop}
    resized_cache = {}
    # Widest first, each size resized from the one before it: far less work than
    # resizing the full picture every time, and each size is encoded in both formats.
    for kind, w, h, ext in sorted(jobs, key=lambda job: (job[0], -job[1])):
        if (kind, w) not in resized_cache:
            source = sources[kind]
            sources[kind] = resized_cache[(kind, w)] = (
                source
                if source.size == (w, h)
                else source.resize((w, h), PILImage.Resampling.LANCZOS, reducing_gap=2.0)
            )
        resized = resized_cache[(kind, w)]
        if ext == "jpg" and resized.mode != "RGB":
            resized = resized.convert("RGB")
        out = io.BytesIO()
        resized.save(out, **SAVE_OPTIONS[ext])  # no exif= argument: metadata is dropped
        name = _name(image, kind, w, ext)
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(out.getvalue()))
    return len(jobs)


def remove(image_pk):
    """Delete every rendition of image ``image_pk`` (the image is gone); returns how many
    files went. Renditions are only ever shown through their image's row, so none is
    left in use."""
    return remove_folders(f"renditions/{image_pk}")


def remove_folders(base, *, keep=None):
    """Delete the files in each folder under ``base`` (one folder per source picture),
    all but folder ``keep``; returns how many files went. Object stores have no folders;
    on a filesystem the emptied ones are taken away, and ``base`` too when nothing is kept."""
    try:
        folders, _files = default_storage.listdir(base)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    for folder in folders:
        if folder == keep:
            continue
        _sub, files = default_storage.listdir(f"{base}/{folder}")
        for name in files:
            default_storage.delete(f"{base}/{folder}/{name}")
            removed += 1
        _remove_empty_folder(f"{base}/{folder}")
    if keep is None:
        _remove_empty_folder(base)
    return removed


def _remove_empty_folder(name):
    """Object stores have no folders; on a filesystem the empty ones are taken away."""
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(default_storage.path(name))
