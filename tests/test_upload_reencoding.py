"""Uploads are stored re-encoded from their pixels: no metadata, comments, text chunks or
trailing bytes survive, in the original or any rendition, while the picture (format,
orientation, transparency, animation, colour profile) does. The crafted files are in
tests/data/images/ (made by make_images.py there)."""

import io
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageChops

from articles.models import Image
from people.models import PORTRAIT_MAX_SIDE

from .factories import PersonFactory, PublicationFactory, UserFactory

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "data" / "images"
CRAFTED = sorted(p.name for p in CORPUS.iterdir() if p.suffix != ".py")


def crafted(name):
    return (CORPUS / name).read_bytes()


def png_chunks(data):
    """[(type, payload), …] of a PNG, and the bytes after IEND."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while True:
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        payload = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + payload) == int.from_bytes(data[pos + 8 + length:pos + 12 + length], "big")
        chunks.append((kind, payload))
        pos += 12 + length
        if kind == b"IEND":
            return chunks, data[pos:]


def jpeg_markers(data):
    """The JPEG's segment markers up to the image data, and the bytes after EOI."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while True:
        marker = data[pos + 1]
        markers.append(marker)
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data runs to EOI
            end = data.rindex(b"\xff\xd9")
            return markers, data[end + 2:]
        pos += 2 + length


def gif_blocks(data):
    """The extension labels of a GIF (0xFE is a comment), and the bytes after its trailer."""
    assert data[:6] in (b"GIF87a", b"GIF89a")
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    labels = []
    while True:
        block = data[pos]
        if block == 0x3B:
            return labels, data[pos + 1:]
        if block == 0x21:
            labels.append(data[pos + 1])
            pos += 2
        else:  # an image descriptor, its local colour table, then LZW data
            flags = data[pos + 9]
            pos += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0) + 1
        while data[pos]:  # sub-blocks
            pos += data[pos] + 1
        pos += 1


def webp_chunks(data):
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    size = int.from_bytes(data[4:8], "little") + 8
    chunks, pos = [], 12
    while pos < size:
        kind, length = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        chunks.append(kind)
        pos += 8 + length + (length & 1)
    return chunks, data[size:]


def stored(name):
    image = Image(file=SimpleUploadedFile(name, crafted(name)), alt_text="A red buoy off the pier")
    image.full_clean()
    image.save()
    return image


def assert_only_the_picture(data):
    assert b"SECRET" not in data
    assert b"<script" not in data.lower()
    if data.startswith(b"\x89PNG"):
        chunks, trailing = png_chunks(data)
        kinds = {kind for kind, _payload in chunks}
        assert kinds <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"iCCP", b"acTL",
                         b"fcTL", b"fdAT"}, kinds
        assert trailing == b""
        for kind, payload in chunks:
            assert b"SECRET" not in (zlib.decompress(payload[payload.index(b"\0") + 2:])
                                     if kind == b"iCCP" else payload)
    elif data.startswith(b"\xff\xd8"):
        markers, trailing = jpeg_markers(data)
        assert 0xFE not in markers  # COM
        assert not {0xE1, 0xED} & set(markers)  # APP1 (EXIF, XMP), APP13 (IPTC)
        assert trailing == b""
    elif data.startswith(b"GIF"):
        labels, trailing = gif_blocks(data)
        assert 0xFE not in labels  # comment extension
        assert trailing == b""
    else:
        chunks, trailing = webp_chunks(data)
        assert not {b"EXIF", b"XMP "} & set(chunks), chunks
        assert trailing == b""


def test_the_corpus_carries_what_it_claims():
    """Guard against a corpus that would let the tests below pass on today's code."""
    text, _ = png_chunks(crafted("png-text-chunks.png"))
    assert {b"tEXt", b"zTXt", b"iTXt"} <= {kind for kind, _p in text}
    assert b"eXIf" in {kind for kind, _p in png_chunks(crafted("png-exif-gps.png"))[0]}
    markers, _ = jpeg_markers(crafted("jpeg-comment-gps-xmp.jpg"))
    assert {0xFE, 0xE1} <= set(markers)
    assert png_chunks(crafted("png-html-appended.png"))[1].startswith(b"<html>")
    labels, trailing = gif_blocks(crafted("gif-comment-animated.gif"))
    assert 0xFE in labels and trailing.startswith(b"<html>")
    assert {b"EXIF", b"XMP "} <= set(webp_chunks(crafted("webp-exif-xmp.webp"))[0])


@pytest.mark.parametrize("name", CRAFTED)
def test_a_stored_original_holds_only_the_picture(settings, name):
    image = stored(name)
    data = Path(image.file.path).read_bytes()
    assert_only_the_picture(data)
    for rendition in (Path(settings.MEDIA_ROOT) / "renditions" / str(image.pk)).rglob("*.*"):
        assert_only_the_picture(rendition.read_bytes())


@pytest.mark.parametrize("name", CRAFTED)
def test_the_picture_itself_survives(name):
    image = stored(name)
    with PILImage.open(io.BytesIO(crafted(name))) as before, PILImage.open(image.file.path) as after:
        assert after.format == before.format
        assert getattr(after, "n_frames", 1) == getattr(before, "n_frames", 1)
        if before.format == "JPEG":
            return  # turned upright: see the next test
        assert after.size == before.size == (image.width, image.height)
        if before.format in ("PNG", "GIF"):  # lossless formats: the very same pixels
            for frame in range(getattr(before, "n_frames", 1)):
                before.seek(frame)
                after.seek(frame)
                assert before.info.get("duration") == after.info.get("duration")
                assert not ImageChops.difference(before.convert("RGBA"),
                                                 after.convert("RGBA")).getbbox()


def test_a_jpeg_is_turned_upright_and_keeps_its_colour_profile():
    image = stored("jpeg-comment-gps-xmp.jpg")
    with PILImage.open(image.file.path) as img:
        assert img.size == (80, 120) == (image.width, image.height)  # was 120 x 80, orientation 6
        assert not img.getexif()
        with PILImage.open(io.BytesIO(crafted("jpeg-comment-gps-xmp.jpg"))) as original:
            assert img.info["icc_profile"] == original.info["icc_profile"]


def test_a_picture_named_as_a_web_page_is_stored_under_its_real_extension():
    from newsroom.reencode import reencode

    clean = reencode(io.BytesIO(crafted("png-html-appended.png")))
    assert clean.file_name("uploads/notes.html") == "notes.png"
    assert clean.file_name("photo.PNG") == "photo.PNG"
    image = Image(file=ContentFile(crafted("png-html-appended.png"), name="page.html"),
                  alt_text="Buoy")
    image.save()  # an import saves without a form: the name is still corrected
    assert image.file.name.endswith(".png")


def test_an_upload_through_the_admin_is_stored_clean(client):
    client.force_login(UserFactory(username="chief", is_superuser=True))
    name = "png-text-chunks.png"
    response = client.post(reverse("admin:articles_image_add"), {
        "file": SimpleUploadedFile(name, crafted(name), content_type="image/png"),
        "alt_text": "A red buoy off the pier", "focal_x": 0.5, "focal_y": 0.5,
    })
    assert response.status_code == 302
    assert_only_the_picture(Path(Image.objects.get().file.path).read_bytes())


def test_portraits_and_logos_are_stored_clean_too():
    person = PersonFactory(photo=ContentFile(crafted("jpeg-comment-gps-xmp.jpg"), name="me.jpg"))
    assert_only_the_picture(Path(person.photo.path).read_bytes())
    publication = PublicationFactory(logo=ContentFile(crafted("png-text-chunks.png"),
                                                      name="logo.png"))
    assert_only_the_picture(Path(publication.logo.path).read_bytes())


def test_a_large_portrait_is_scaled_and_cleaned_in_one_pass():
    out = io.BytesIO()
    PILImage.new("RGB", (PORTRAIT_MAX_SIDE * 2, PORTRAIT_MAX_SIDE), "#335577").save(
        out, "JPEG", comment=b"SECRET portrait comment")
    person = PersonFactory(photo=ContentFile(out.getvalue(), name="big.jpg"))
    with PILImage.open(person.photo.path) as img:
        assert img.size == (PORTRAIT_MAX_SIDE, PORTRAIT_MAX_SIDE // 2)
    assert_only_the_picture(Path(person.photo.path).read_bytes())
