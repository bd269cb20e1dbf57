"""Image renditions: a fixed set of widths in WebP and the original format, focal-point
crops, no metadata, and markup that reserves the picture's space."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image as PILImage

from articles.models import Image
from newsroom import renditions

from .factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(1000, 600), orientation=None):
    img = PILImage.new("RGB", size, (200, 120, 40))
    exif = PILImage.Exif()
    exif[0x010F] = "Harborcam"  # camera make
    exif[0x8825] = {1: "N", 2: (47.0, 36.0, 12.5), 3: "W", 4: (122.0, 20.0, 5.0)}  # GPS
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def files_of(image, media):
    folder = Path(media) / "renditions" / str(image.pk) / renditions.key(image)
    return sorted(p.name for p in folder.iterdir())


def test_a_saved_image_gets_every_fixed_width_up_to_its_own_in_two_formats(settings):
    image = ImageFactory(file=ContentFile(jpeg_with_gps((1000, 600)), name="pier.jpg"))
    names = files_of(image, settings.MEDIA_ROOT)
    assert names == sorted(
        [f"full-{w}.{ext}" for w in (320, 640, 960, 1000) for ext in ("jpg", "webp")]
        + [f"crop-{w}.{ext}" for w in (320, 640, 900) for ext in ("jpg", "webp")]
    )
    with PILImage.open(Path(settings.MEDIA_ROOT) / renditions._name(image, "full", 640, "webp")) as r:
        assert (r.format, r.size) == ("WEBP", (640, 384))
    with PILImage.open(Path(settings.MEDIA_ROOT) / renditions._name(image, "crop", 320, "jpg")) as r:
        assert (r.format, r.size) == ("JPEG", (320, 213))


def test_widths_are_a_fixed_set_and_never_upscaled():
    assert renditions.widths_for(5000) == [320, 640, 960, 1280, 1600]
    assert renditions.widths_for(700) == [320, 640, 700]
    assert renditions.widths_for(200) == [200]
    assert renditions.widths_for(0) == []


def test_gps_and_camera_data_are_stripped_from_the_original_and_every_rendition(settings):
    image = ImageFactory(file=ContentFile(jpeg_with_gps(), name="secret-spot.jpg"))
    paths = [Path(image.file.path)] + list(
        (Path(settings.MEDIA_ROOT) / "renditions" / str(image.pk)).rglob("*.*")
    )
    assert len(paths) > 5
    for path in paths:
        data = path.read_bytes()
        assert b"Harborcam" not in data, path
        with PILImage.open(path) as img:
            assert not img.getexif(), path


def test_the_camera_orientation_is_applied_before_the_exif_goes(settings):
    # Orientation 6: the camera was turned; a 600 x 400 sensor picture is really portrait.
    image = ImageFactory(file=ContentFile(jpeg_with_gps((600, 400), orientation=6),
                                          name="turned.jpg"))
    assert (image.width, image.height) == (400, 600)
    with PILImage.open(Path(settings.MEDIA_ROOT) / renditions._name(image, "full", 400, "jpg")) as r:
        assert r.size == (400, 600)


@pytest.mark.parametrize(
    "focal, expected_box",
    [((0.5, 0.5), (0, 100, 600, 500)), ((0.5, 0.0), (0, 0, 600, 400)),
     ((0.5, 1.0), (0, 200, 600, 600)), ((0.5, 0.3), (0, 0, 600, 400))],
)
def test_crops_keep_the_focal_point_in_view(focal, expected_box):
    assert renditions.crop_box(600, 600, *focal) == expected_box


def test_a_crop_follows_the_focal_point_in_the_pixels(settings):
    # Left half red, right half blue; a 3:2 crop of a wide picture must pick a side.
    img = PILImage.new("RGB", (1200, 400), (220, 0, 0))
    img.paste((0, 0, 220), (600, 0, 1200, 400))
    out = io.BytesIO()
    img.save(out, "PNG")
    image = Image(file=ContentFile(out.getvalue(), name="halves.png"), alt_text="Halves",
                  focal_x=0.95, focal_y=0.5)
    image.save()
    with PILImage.open(Path(settings.MEDIA_ROOT) / renditions._name(image, "crop", 320, "png")) as r:
        assert r.format == "PNG"
        assert r.convert("RGB").getpixel((160, 100))[2] > 150  # blue: the right side


def test_moving_the_focal_point_makes_new_rendition_names(settings):
    image = ImageFactory()
    before = renditions.key(image)
    image.focal_x = 0.1
    image.save()
    assert renditions.key(image) != before
    assert files_of(image, settings.MEDIA_ROOT)


def test_the_picture_markup_has_srcset_sizes_dimensions_and_lazy_loading(client, publication):
    picture = ImageFactory(file=ContentFile(jpeg_with_gps((1800, 1200)), name="wide.jpg"))
    article = ArticleFactory(publication=publication, published=True, lead_image=picture)
    html = client.get(article.get_absolute_url()).text
    figure = html[html.index('<figure class="lead-image">'):html.index("</figure>")]
    assert '<source type="image/webp" srcset="' in figure
    for width in (320, 640, 960, 1280, 1600):
        assert f"full-{width}.webp {width}w" in figure
        assert f"full-{width}.jpg {width}w" in figure
    assert 'sizes="(min-width: 44rem) 42rem, 100vw"' in figure
    assert 'width="1600" height="1067"' in figure
    assert 'loading="eager"' in figure  # the lead picture is above the fold
    assert picture.file.url not in html  # readers never get the original
    home = client.get("/").text
    assert 'loading="eager"' in home


def test_only_the_fixed_sizes_exist_and_no_view_makes_others(settings):
    from django.core.files.storage import default_storage
    from django.urls import resolve
    from django.views.static import serve

    image = ImageFactory(file=ContentFile(jpeg_with_gps((1000, 600)), name="pier.jpg"))
    for entry in renditions.renditions(image, "full") + renditions.renditions(image, "crop"):
        name = entry.url.removeprefix(settings.MEDIA_URL)
        assert default_storage.exists(name)
        assert not default_storage.exists(name.replace(f"-{entry.width}.", "-777."))
    # Rendition addresses are plain files: nothing that could be asked for a size.
    assert resolve(renditions.renditions(image)[0].url).func is serve


def test_the_command_makes_missing_renditions_for_older_images(settings):
    image = ImageFactory()
    folder = Path(settings.MEDIA_ROOT) / "renditions" / str(image.pk)
    for path in folder.rglob("*.*"):
        path.unlink()
    call_command("make_renditions", verbosity=0)
    assert files_of(image, settings.MEDIA_ROOT)


def test_a_portrait_loses_its_gps_data_when_saved():
    from .factories import PersonFactory

    person = PersonFactory(photo=ContentFile(jpeg_with_gps((300, 300)), name="me.jpg"))
    data = Path(person.photo.path).read_bytes()
    assert b"Harborcam" not in data
    with PILImage.open(person.photo.path) as img:
        assert not img.getexif()


@pytest.mark.django_db
def test_make_renditions_reports_a_missing_file_and_goes_on(capsys):
    import io

    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from .factories import ImageFactory

    lost, kept = ImageFactory(), ImageFactory()
    default_storage.delete(lost.file.name)
    err = io.StringIO()
    call_command("make_renditions", "--force", "--no-progress", stdout=io.StringIO(),
                 stderr=err)
    assert f"Skipped image {lost.pk}" in err.getvalue()
    assert f"image {kept.pk}" not in err.getvalue()


def test_deleting_an_image_removes_its_renditions_and_refreshes_its_stories(
        settings, page_cache_on, commit, client, publication):
    image = ImageFactory(file=ContentFile(jpeg_with_gps((1000, 600)), name="pier.jpg"))
    keep = ImageFactory(file=ContentFile(jpeg_with_gps((800, 500)), name="gulls.jpg"))
    story = ArticleFactory(publication=publication, published=True, lead_image=image)
    folder = Path(settings.MEDIA_ROOT) / "renditions" / str(image.pk)
    assert any(folder.rglob("*.webp"))
    assert f"renditions/{image.pk}/" in client.get(story.get_absolute_url()).text
    with commit():
        image.delete()
    assert not folder.exists()
    assert (Path(settings.MEDIA_ROOT) / image.file.name).exists()  # a story's text may show it
    assert any((Path(settings.MEDIA_ROOT) / "renditions" / str(keep.pk)).rglob("*.webp"))
    # The story has no lead image now, and its cached page no longer shows the old one.
    again = client.get(story.get_absolute_url())
    assert again["X-Newsroom-Cache"] == "miss"
    assert f"renditions/{image.pk}/" not in again.text


def test_a_deletion_that_rolls_back_keeps_the_renditions(settings,
                                                         django_capture_on_commit_callbacks):
    image = ImageFactory(file=ContentFile(jpeg_with_gps((640, 480)), name="dock.jpg"))
    folder = Path(settings.MEDIA_ROOT) / "renditions" / str(image.pk)
    with django_capture_on_commit_callbacks(execute=False):
        image.delete()  # the transaction never commits
    assert any(folder.rglob("*.jpg"))


def plain_png(size):
    out = io.BytesIO()
    PILImage.new("RGB", size, (90, 140, 60)).save(out, "PNG")
    return out.getvalue()


def test_a_large_portrait_is_scaled_down_when_uploaded_and_a_small_one_kept():
    from people.models import PORTRAIT_MAX_SIDE

    from .factories import PersonFactory

    large = PersonFactory(photo=ContentFile(plain_png((2400, 3000)), name="tall.png"))
    with PILImage.open(large.photo.path) as img:
        assert (img.format, img.size) == ("PNG", (PORTRAIT_MAX_SIDE * 4 // 5, PORTRAIT_MAX_SIDE))
    small_bytes = plain_png((200, 240))
    small = PersonFactory(photo=ContentFile(small_bytes, name="small.png"))
    assert Path(small.photo.path).read_bytes() == small_bytes  # nothing to do: untouched


def test_make_renditions_scales_down_portraits_stored_before(capsys):
    from django.core.files.storage import default_storage

    from people.models import PORTRAIT_MAX_SIDE

    from .factories import PersonFactory

    person = PersonFactory()
    # Stored the way older versions did: as uploaded, however large.
    person.photo.name = default_storage.save("people/2025/old.png",
                                             ContentFile(plain_png((1600, 1600))))
    person.save()
    out = io.StringIO()
    call_command("make_renditions", "--no-progress", stdout=out, stderr=io.StringIO())
    person.refresh_from_db()
    with PILImage.open(person.photo.path) as img:
        assert img.size == (PORTRAIT_MAX_SIDE, PORTRAIT_MAX_SIDE)
    assert "Portraits scaled down to 800 pixels: 1." in out.getvalue()
    out = io.StringIO()
    call_command("make_renditions", "--no-progress", stdout=out, stderr=io.StringIO())
    assert "Portraits scaled down to 800 pixels: 0." in out.getvalue()


def test_the_picture_markup_escapes_each_value_once_as_django_would(settings):
    # The tag writes its markup without format_html; its escaping is the same: text and
    # numbers escaped, values marked safe (a template's literal) and lazy text as Django does.
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from articles.templatetags.pictures import picture

    image = ImageFactory(file=ContentFile(jpeg_with_gps((1000, 600)), name="pier.jpg"),
                         alt_text='The "Pier" & <gulls> at Tom\'s')
    for options in ({}, {"crop": True, "lazy": False, "css_class": 'a"b'},
                    {"alt": gettext_lazy("Gulls & pier"), "sizes": mark_safe("(a) 1px, <b>")},
                    {"alt": "", "sizes": "<50vw>"}):
        kind = "crop" if options.get("crop") else "full"
        fallback = renditions.renditions(image, kind)
        webp = renditions.renditions(image, kind, ext="webp")
        sizes = options.get("sizes", "100vw")
        alt = options.get("alt", image.alt_text)
        css_class = options.get("css_class", "")
        attrs = format_html_join(" ", '{}="{}"', [
            ("src", fallback[1].url),
            ("srcset", ", ".join(f"{r.url} {r.width}w" for r in fallback)),
            ("sizes", sizes), ("width", fallback[-1].width), ("height", fallback[-1].height),
            ("alt", alt), ("loading", "eager" if options.get("lazy") is False else "lazy"),
            ("decoding", "async"), *([("class", css_class)] if css_class else []),
        ])
        expected = format_html(
            '<picture><source type="image/webp" srcset="{}" sizes="{}"><img {}></picture>',
            ", ".join(f"{r.url} {r.width}w" for r in webp), sizes, attrs)
        shown = picture(image, **options)
        assert shown == expected
        assert hasattr(shown, "__html__")  # marked safe: the template does not escape it again
