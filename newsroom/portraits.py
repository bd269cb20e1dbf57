"""Portrait renditions: a person's photo as square crops at a fixed set of widths, in WebP
and the photo's own format, as ``newsroom.renditions`` makes them for library pictures.

    portraits/<person pk>/<key>/square-<width>.<ext>

``key`` is a short hash of the stored file name, so a new photo gets new names and no cache
serves the old face. The square is the largest one in the photo, centred across and a
little above the middle, where a head-and-shoulders portrait has the face. Only the widths
below exist (a byline shows 64 pixels, an author page 160, each twice on sharp screens),
and their names and sizes are computed from the stored width and height alone, so a list
of bylines costs no file access. Like renditions, each is re-encoded from pixels only.

Works on any object with ``pk``, ``photo``, ``photo_width`` and ``photo_height``
(``people.models.Person``), so ``people`` needs nothing from ``articles``.
"""

import functools
import hashlib
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageOps

from newsroom.renditions import (
    SAVE_OPTIONS,
    Rendition,
    crop_box,
    fallback_ext,
    remove_folders,
    storage_key,
    widths_for,
)

WIDTHS = (64, 128, 160, 320)
# Where the square sits: centred across, its middle 40% of the way down the photo.
FOCUS = (0.5, 0.4)
FOLDER = "portraits"


def key(person):
    return hashlib.sha1(person.photo.name.encode()).hexdigest()[:10]


def _name(person, width, ext):
    return f"{FOLDER}/{person.pk}/{key(person)}/square-{width}.{ext}"


def _plan(person):
    """The widths of the portrait's squares, from its stored size only (never upscaled)."""
    if not person.photo or not person.photo_width or not person.photo_height:
        return []
    return widths_for(min(person.photo_width, person.photo_height), WIDTHS)


def formats(person):
    """WebP, then the photo's own format as a fallback (one entry if it is WebP)."""
    return list(dict.fromkeys(("webp", fallback_ext(person.photo.name))))


def renditions(person, ext):
    """The portrait's squares in ``ext`` (url, width, height), computed without I/O; none
    for a person without a photo. Remembered per process as pictures' renditions are
    (``newsroom.renditions``), keyed by all they are computed from."""
    stored = _Stored(person.pk, person.photo.name, person.photo_width, person.photo_height)
    storage = storage_key()
    if storage is None:
        return list(_squares(stored, ext))
    return list(_remembered_squares(stored, ext, *storage))


def _squares(person, ext):
    return tuple(Rendition(default_storage.url(_name(person, w, ext)), w, w)
                 for w in _plan(person))


@functools.lru_cache(maxsize=20_000)
def _remembered_squares(person, ext, _storage_id, _base_url):
    return _squares(person, ext)


@dataclass(frozen=True)
class _Stored:
    """What a portrait's squares are computed from, as ``_plan`` and ``_name`` read it."""

    pk: int
    name: str
    photo_width: int | None
    photo_height: int | None

    @property
    def photo(self):
        return _StoredPhoto(self.name)


@dataclass(frozen=True)
class _StoredPhoto:
    name: str

    def __bool__(self):
        return bool(self.name)


def generate(person, *, force=False):
    """Write each missing square of the person's portrait (all of them with ``force``) and
    remove those of earlier photos; returns how many files were written."""
    if not person.pk:
        return 0
    jobs = [
        (w, ext)
        for w in _plan(person)
        for ext in formats(person)
        if force or not default_storage.exists(_name(person, w, ext))
    ]
    if jobs:
        with person.photo.open("rb") as fh, PILImage.open(fh) as src:
            src.seek(0)
            picture = ImageOps.exif_transpose(src.copy())
        has_alpha = picture.mode in ("RGBA", "LA") or (
            picture.mode == "P" and "transparency" in picture.info
        )
        picture = picture.convert("RGBA" if has_alpha else "RGB")
        square = picture.crop(crop_box(*picture.size, *FOCUS, ratio=(1, 1)))
        for width, ext in jobs:
            resized = (
                square
                if square.width == width
                else square.resize((width, width), PILImage.Resampling.LANCZOS, reducing_gap=2.0)
            )
            if ext == "jpg" and resized.mode != "RGB":
                resized = resized.convert("RGB")
            out = io.BytesIO()
            resized.save(out, **SAVE_OPTIONS[ext])  # no exif= argument: metadata is dropped
            name = _name(person, width, ext)
            if default_storage.exists(name):
                default_storage.delete(name)
            default_storage.save(name, ContentFile(out.getvalue()))
    remove(person.pk, keep=key(person) if person.photo else None)
    return len(jobs)


def remove(person_pk, *, keep=None):
    """Delete the person's squares, but those of the photo keyed ``keep``; returns how many
    files went."""
    return remove_folders(f"{FOLDER}/{person_pk}", keep=keep)
