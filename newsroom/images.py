"""Image upload validation shared by every app that stores pictures.

An upload must be a real image in an allowlisted format, within a byte and a pixel
budget. The pixel check reads only the header, so a decompression bomb (a tiny file
that claims to be 50,000 x 50,000 pixels) is refused before any pixel is decoded.
"""

import warnings
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from PIL import Image, UnidentifiedImageError

from .reencode import reencode

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def inspect_image(fileobj, *, max_bytes=None, max_pixels=None):
    """Check an uploaded file and return its format and size, or raise ValidationError."""
    max_bytes = max_bytes or settings.NEWSROOM_IMAGE_MAX_BYTES
    max_pixels = max_pixels or settings.NEWSROOM_IMAGE_MAX_PIXELS
    size = getattr(fileobj, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            "This file is %(size)s; images may be at most %(limit)s.",
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    position = fileobj.tell() if hasattr(fileobj, "tell") else None
    try:
        fileobj.seek(0)
        with warnings.catch_warnings():
            # Pillow's own bomb warning: our pixel limit below is the stricter rule.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(fileobj)
        with img:
            # Header only so far: refuse a format we do not serve, or too many pixels,
            # before Pillow decodes anything.
            if img.format not in ALLOWED_FORMATS:
                raise ValidationError(
                    "%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF.",
                    code="format",
                    params={"format": img.format or "This kind of"},
                )
            width, height = img.size
            if width * height > max_pixels:
                raise ValidationError(
                    "This image is %(width)s x %(height)s pixels; the limit is %(limit)s "
                    "megapixels.",
                    code="too_many_pixels",
                    params={"width": width, "height": height, "limit": max_pixels // 1_000_000},
                )
            img.verify()  # checks the file's structure without keeping the pixels
            info = ImageInfo(format=img.format, width=width, height=height)
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            "This image has far too many pixels; the limit is %(limit)s megapixels.",
            code="too_many_pixels", params={"limit": max_pixels // 1_000_000},
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF.",
            code="invalid_image",
        ) from exc
    finally:
        if position is not None:
            fileobj.seek(position)
    return info


@deconstructible
class ImageFileValidator:
    """Field validator: ``validators=[ImageFileValidator()]`` on a FileField/ImageField."""

    def __call__(self, value):
        if getattr(value, "_committed", False):
            return  # already stored and checked when it was uploaded
        upload = value.file if hasattr(value, "file") else value
        if getattr(upload, "newsroom_checked", False):
            return  # the form field checked this very upload a moment ago
        inspect_image(upload)

    def __eq__(self, other):
        return isinstance(other, ImageFileValidator)


class ValidatedImageFormField(forms.ImageField):
    """Runs our checks before Django's own Pillow check, so editors read why."""

    def to_python(self, data):
        if data is not None and hasattr(data, "seek"):
            inspect_image(data)
            data.newsroom_checked = True
        return super().to_python(data)


class ValidatedImageField(models.ImageField):
    """An ImageField that only accepts real, bounded images in our formats, and stores
    each one re-encoded from its pixels (``newsroom.reencode``): no EXIF or GPS position,
    no text chunks or comments, nothing after the image's end, and a file name whose
    extension says what the file is."""

    def __init__(self, *args, max_side=None, **kwargs):
        # max_side: uploads larger than this many pixels either way are scaled down to fit.
        self.max_side = max_side
        kwargs.setdefault("validators", [ImageFileValidator()])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.max_side:
            kwargs["max_side"] = self.max_side
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            clean = reencode(file, max_side=self.max_side)
            setattr(model_instance, self.attname,
                    ContentFile(clean.data, name=clean.file_name(file.name)))
        return super().pre_save(model_instance, add)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ValidatedImageFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # Run after every model instance is made (post_init): Django makes the file object
        # first, then finds the stored width and height there and does nothing. A loaded
        # picture has them already: answered from them alone (a list page loads dozens).
        if not force:
            known = instance.__dict__
            if all(known.get(name) for name in (self.width_field, self.height_field) if name):
                return
        super().update_dimension_fields(instance, force, *args, **kwargs)
