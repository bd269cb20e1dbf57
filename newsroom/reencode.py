"""Every uploaded picture is stored re-encoded from its pixels, never as uploaded.

A file as a camera or an editing program wrote it carries more than the picture: EXIF
(camera, time, GPS position), XMP, PNG text chunks (tEXt, iTXt, zTXt: author, software,
anything at all), JPEG and GIF comments, and whatever bytes follow the image's end (a PNG
with an HTML page appended is still a valid PNG, and a browser told it is HTML runs it).
Decoding the pixels and writing a new file of the same format keeps only the picture.

Kept, because they are part of the picture rather than about it:

- the format (a PNG stays a PNG, with its transparency; a GIF keeps its frames and timing);
- the orientation, applied to the pixels (the EXIF flag that said it is gone);
- the colour profile (ICC), when it is a real one: without it a photo taken in Adobe RGB
  or Display P3 shows washed-out colours. A profile is colour data, not a note about the
  photo; one that Little CMS cannot read, or larger than ``MAX_ICC_BYTES``, is dropped.

JPEGs are written again with their own quantisation tables and chroma subsampling, so a
second encoding loses next to nothing and the file stays about the same size.
"""

import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, ImageSequence, JpegImagePlugin

# The extensions a stored file may have, from what the file is (not what its name said);
# the first is given to a file whose name said something else.
EXTENSIONS = {"JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",), "GIF": ("gif",)}
# Real profiles are a few hundred bytes to a few kilobytes (sRGB 3 KB, Display P3 0.5 KB).
MAX_ICC_BYTES = 256 * 1024
# Per-frame facts an animation needs; anything else in a frame's ``info`` is dropped.
FRAME_KEYS = {"duration", "disposal", "blend", "loop", "background", "transparency"}


@dataclass(frozen=True)
class Reencoded:
    data: bytes
    format: str
    width: int
    height: int

    def file_name(self, name):
        """``name``'s last part, with an extension that says what the file really is: a
        PNG uploaded as "photo.html" is stored as "photo.png" (and served as a picture)."""
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        stem, dot, ext = base.rpartition(".")
        if not dot:
            stem, ext = base, ""
        if ext.lower() in EXTENSIONS[self.format]:
            return base
        return f"{stem or 'image'}.{EXTENSIONS[self.format][0]}"


def colour_profile(img):
    """The image's ICC profile if Little CMS reads it as one, else None."""
    icc = img.info.get("icc_profile")
    if not icc or len(icc) > MAX_ICC_BYTES:
        return None
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (ImageCms.PyCMSError, OSError, TypeError, ValueError):
        return None
    return icc


def _webp_is_lossless(fileobj):
    """Whether a WebP file holds lossless (VP8L) data, read from its chunk headers."""
    fileobj.seek(12)
    for _ in range(64):
        header = fileobj.read(8)
        if len(header) < 8:
            return False
        fourcc, size = header[:4], int.from_bytes(header[4:], "little")
        if fourcc == b"VP8L":
            return True
        if fourcc == b"VP8 ":
            return False
        if fourcc == b"ANMF":
            fileobj.seek(16, io.SEEK_CUR)  # the frame's own header, then its chunks
            continue
        fileobj.seek(size + (size & 1), io.SEEK_CUR)
    return False


def _frames(img, max_side):
    """Each frame as a fresh image holding only pixels and the timing it needs."""
    frames = []
    for frame in ImageSequence.Iterator(img):
        info = {k: v for k, v in frame.info.items() if k in FRAME_KEYS}
        copy = frame.copy()
        if max_side and max(copy.size) > max_side:
            copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        copy.info = info
        frames.append(copy)
    return frames


def reencode(fileobj, *, max_side=None):
    """The picture in ``fileobj`` written anew in its own format, with nothing but its
    pixels, orientation, timing and colour profile. With ``max_side``, a picture larger
    than that either way is also scaled down to fit.

    The file must already have passed ``newsroom.images.inspect_image`` (format allowlist,
    byte and pixel budget).
    """
    fileobj.seek(0)
    with Image.open(fileobj) as img:
        fmt = img.format
        icc = colour_profile(img)
        options = {"icc_profile": icc} if icc else {}
        animated = getattr(img, "n_frames", 1) > 1
        if fmt == "JPEG":
            sampling = JpegImagePlugin.get_sampling(img)
            options.update(qtables=img.quantization, optimize=True)
            if sampling != -1:
                options["subsampling"] = sampling
        elif fmt == "WEBP":
            lossless = _webp_is_lossless(fileobj)
            options.update(lossless=True) if lossless else options.update(quality=90)
            fileobj.seek(0)
        if animated:
            frames = _frames(img, max_side)
            picture = frames[0]
            options.update(save_all=True, append_images=frames[1:])
            if "loop" in img.info:
                options["loop"] = img.info["loop"]
        else:
            picture = ImageOps.exif_transpose(img)  # the way the camera was held
            if picture is img:
                picture = img.copy()
            if max_side and max(picture.size) > max_side:
                picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                options.pop("qtables", None)
                options.pop("subsampling", None)
                if fmt == "JPEG":
                    options["quality"] = 90
            # Pillow writes some of ``info`` back out (a JPEG's comment, a PNG's text):
            # keep only what the pixels need.
            picture.info = {k: v for k, v in picture.info.items() if k == "transparency"}
        if fmt == "JPEG" and picture.mode not in ("RGB", "L", "CMYK"):
            picture = picture.convert("RGB")
        out = io.BytesIO()
        picture.save(out, fmt, **options)
        width, height = picture.size
    fileobj.seek(0)
    return Reencoded(data=out.getvalue(), format=fmt, width=width, height=height)
