import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from articles.models import Image
from newsroom.images import inspect_image

from .factories import image_bytes


def upload(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_allowed_formats_pass_and_report_their_size(fmt):
    info = inspect_image(upload(image_bytes(fmt, size=(300, 200))))
    assert (info.format, info.width, info.height) == (fmt, 300, 200)


def test_a_file_that_is_not_an_image_is_refused():
    with pytest.raises(ValidationError, match="not an image we can read"):
        inspect_image(upload(b"%PDF-1.4 this is not a picture"))


def test_a_truncated_image_is_refused():
    data = image_bytes("PNG", size=(300, 200))
    with pytest.raises(ValidationError, match="not an image we can read"):
        inspect_image(upload(data[: len(data) // 2]))


def test_a_format_outside_the_allowlist_is_refused():
    with pytest.raises(ValidationError, match="not accepted"):
        inspect_image(upload(image_bytes("BMP")))


def test_a_decompression_bomb_is_refused_before_decoding(settings):
    # 10,000 x 10,000 one-bit pixels compress to a few kilobytes.
    out = io.BytesIO()
    PILImage.new("1", (10_000, 10_000)).save(out, "PNG")
    assert len(out.getvalue()) < 100_000
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 40_000_000
    with pytest.raises(ValidationError, match="10000 x 10000 pixels"):
        inspect_image(upload(out.getvalue(), "bomb.png"))


def test_a_file_over_the_byte_limit_is_refused(settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="at most 1000"):
        inspect_image(upload(image_bytes(size=(400, 400)) + b"\0" * 2000))


@pytest.mark.django_db
def test_model_validation_uses_the_same_checks():
    image = Image(file=upload(b"not an image"), alt_text="Nothing")
    with pytest.raises(ValidationError) as excinfo:
        image.full_clean()
    assert "file" in excinfo.value.message_dict


@pytest.mark.django_db
def test_a_saved_image_records_its_dimensions():
    image = Image(file=upload(image_bytes(size=(640, 427))), alt_text="A pier at dawn")
    image.full_clean()
    image.save()
    assert (image.width, image.height) == (640, 427)


@pytest.mark.django_db
def test_a_loaded_image_with_its_size_makes_no_file_object_until_read():
    saved = Image(file=upload(image_bytes(size=(640, 427))), alt_text="A pier at dawn")
    saved.save()
    loaded = Image.objects.get(pk=saved.pk)
    # Django's post_init handler would have made the file object to find the size stored.
    assert type(loaded.__dict__["file"]) is str
    assert (loaded.width, loaded.height, loaded.file.name) == (640, 427, saved.file.name)


@pytest.mark.django_db
def test_a_loaded_image_without_its_size_reads_it_from_the_file_as_django_does():
    saved = Image(file=upload(image_bytes(size=(640, 427))), alt_text="A pier at dawn")
    saved.save()
    Image.objects.filter(pk=saved.pk).update(width=0, height=0)
    loaded = Image.objects.get(pk=saved.pk)
    assert (loaded.width, loaded.height) == (640, 427)


def test_an_image_past_pillows_own_bomb_limit_gets_the_same_clear_error():
    out = io.BytesIO()
    PILImage.new("1", (20_000, 10_000)).save(out, "PNG")  # 200 MP: Pillow refuses to open it
    with pytest.raises(ValidationError, match="too many pixels"):
        inspect_image(upload(out.getvalue(), "bomb.png"))
