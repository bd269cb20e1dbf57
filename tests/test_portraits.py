"""Portrait renditions: a person's photo as squares at fixed widths (``newsroom.portraits``),
kept in step with the photo, their sizes known without opening a file."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image as PILImage

from newsroom import portraits
from people.models import Person

from .factories import PersonFactory, image_bytes

pytestmark = pytest.mark.django_db


def photo(size=(300, 400), fmt="JPEG", name="portrait.jpg", color=(200, 40, 40)):
    return ContentFile(image_bytes(fmt, size=size, color=color), name=name)


def opened(rendition):
    name = rendition.url.removeprefix("/media/")
    with default_storage.open(name, "rb") as fh:
        return PILImage.open(io.BytesIO(fh.read()))


def test_a_photo_gets_squares_at_fixed_widths_in_webp_and_its_own_format():
    person = PersonFactory(photo=photo(size=(300, 400)))
    assert (person.photo_width, person.photo_height) == (300, 400)
    squares = person.portrait_renditions()
    assert list(squares) == ["webp", "jpg"]
    for ext, formats in (("webp", "WEBP"), ("jpg", "JPEG")):
        assert [(r.width, r.height) for r in squares[ext]] == [
            (64, 64), (128, 128), (160, 160), (300, 300)]
        for rendition in squares[ext]:
            with opened(rendition) as img:
                assert img.size == (rendition.width, rendition.width)
                assert img.format == formats


def test_a_png_portrait_falls_back_to_png_and_a_webp_one_has_one_format():
    png = PersonFactory(photo=photo(fmt="PNG", name="p.png"))
    assert list(png.portrait_renditions()) == ["webp", "png"]
    webp = PersonFactory(photo=photo(fmt="WEBP", name="p.webp"))
    assert list(webp.portrait_renditions()) == ["webp"]


def test_a_small_photo_is_never_upscaled_and_no_photo_has_no_squares():
    small = PersonFactory(photo=photo(size=(100, 90)))
    assert [r.width for r in small.portrait_renditions()["jpg"]] == [64, 90]
    assert PersonFactory().portrait_renditions() == {}


def test_sizes_are_read_from_the_database_not_the_files():
    person = PersonFactory(photo=photo())
    loaded = Person.objects.get(pk=person.pk)
    default_storage.delete(person.photo.name)  # no file to open, and none is opened
    assert [r.width for r in loaded.portrait_renditions()["webp"]] == [64, 128, 160, 300]


def test_the_square_is_cut_from_the_top_of_a_tall_photo():
    # A tall photo: red above, blue below. The square sits high, where a face is.
    out = io.BytesIO()
    img = PILImage.new("RGB", (100, 300), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 100, 100))
    img.save(out, "PNG")
    person = PersonFactory(photo=ContentFile(out.getvalue(), name="tall.png"))
    [square] = [r for r in person.portrait_renditions()["png"] if r.width == 100]
    # 40% down a 300-pixel photo is 120: the square spans 70 to 170, red down to 100.
    with opened(square) as shown:
        shown = shown.convert("RGB")
        assert shown.getpixel((50, 5))[0] > 200 and shown.getpixel((50, 20))[0] > 200
        assert shown.getpixel((50, 60))[2] > 200 and shown.getpixel((50, 95))[2] > 200


def test_a_new_photo_gets_new_names_and_the_old_squares_go():
    person = PersonFactory(photo=photo(color=(10, 10, 10)))
    old = [r.url for r in person.portrait_renditions()["jpg"]]
    person.photo = photo(color=(250, 250, 250), name="new.jpg")
    person.save()
    new = [r.url for r in person.portrait_renditions()["jpg"]]
    assert set(old).isdisjoint(new)
    assert all(default_storage.exists(u.removeprefix("/media/")) for u in new)
    assert not any(default_storage.exists(u.removeprefix("/media/")) for u in old)


def test_removing_the_photo_or_the_person_removes_the_squares():
    person = PersonFactory(photo=photo())
    names = [r.url.removeprefix("/media/") for r in person.portrait_renditions()["jpg"]]
    person.photo = ""
    person.save()
    assert person.portrait_renditions() == {}
    assert not any(default_storage.exists(n) for n in names)
    other = PersonFactory(photo=photo())
    names = [r.url.removeprefix("/media/") for r in other.portrait_renditions()["webp"]]
    other.delete()
    assert not any(default_storage.exists(n) for n in names)


def test_a_photo_whose_file_is_gone_does_not_stop_an_edit(caplog):
    person = PersonFactory(photo=photo())
    portraits.remove(person.pk)
    default_storage.delete(person.photo.name)
    person.short_bio = "Covers the courts."
    person.save()
    assert Person.objects.get(pk=person.pk).short_bio == "Covers the courts."
    assert "could not be read" in caplog.text


def test_make_renditions_writes_missing_squares_and_stores_unknown_sizes():
    person = PersonFactory(photo=photo(size=(200, 260)))
    portraits.remove(person.pk)
    Person.objects.filter(pk=person.pk).update(photo_width=None, photo_height=None)
    broken = PersonFactory(photo=photo())
    default_storage.delete(broken.photo.name)
    Person.objects.filter(pk=broken.pk).update(photo_width=None, photo_height=None)
    out, err = io.StringIO(), io.StringIO()
    call_command("make_renditions", "--no-progress", stdout=out, stderr=err)
    person.refresh_from_db()
    assert (person.photo_width, person.photo_height) == (200, 260)
    squares = person.portrait_renditions()
    assert all(default_storage.exists(r.url.removeprefix("/media/"))
               for listed in squares.values() for r in listed)
    assert "8 portrait rendition files written" in out.getvalue()  # 64, 128, 160, 200 × 2
    assert f"portrait of person {broken.pk}" in err.getvalue()


# --- Shown to readers -------------------------------------------------------------------


def portrait_html(person, width, **options):
    from articles.templatetags.pictures import portrait

    return str(portrait(person, width, **options))


def test_readers_get_the_squares_not_the_uploaded_photo():
    person = PersonFactory(photo=photo(size=(300, 400)))
    html = portrait_html(person, 64)
    squares = person.portrait_renditions()
    assert person.photo.url not in html
    # WebP first for the browsers that take it, the photo's own format for the rest; the
    # browser picks the width its screen needs, the 64-pixel square by default.
    assert html.startswith('<picture><source type="image/webp" srcset="'
                           + ", ".join(f"{r.url} {r.width}w" for r in squares["webp"]))
    assert f'src="{squares["jpg"][0].url}"' in html
    assert ", ".join(f"{r.url} {r.width}w" for r in squares["jpg"]) in html
    assert 'sizes="64px"' in html and 'width="64" height="64"' in html
    assert 'loading="lazy"' in html and 'alt=""' in html


def test_a_larger_box_starts_from_a_square_at_least_as_large():
    person = PersonFactory(photo=photo(size=(300, 400)))
    html = portrait_html(person, 160, alt="Portrait of Ada", lazy=False, css_class="author-photo")
    square_160 = [r for r in person.portrait_renditions()["jpg"] if r.width == 160][0]
    assert f'<img src="{square_160.url}"' in html
    assert 'alt="Portrait of Ada"' in html and 'loading="eager"' in html
    assert 'class="author-photo"' in html
    # Every value is escaped, as in any attribute.
    html = portrait_html(person, 64, alt='Ada "Ace" <Okafor> & co')
    assert 'alt="Ada &quot;Ace&quot; &lt;Okafor&gt; &amp; co"' in html


def test_a_webp_portrait_has_one_format_and_a_photo_without_squares_is_shown_as_it_is():
    webp = PersonFactory(photo=photo(fmt="WEBP", name="p.webp"))
    html = portrait_html(webp, 64)
    assert "<source" not in html and html.startswith("<picture><img ")
    unsized = PersonFactory(photo=photo())
    unsized.photo_width = unsized.photo_height = None  # as before make_renditions stored them
    assert portrait_html(unsized, 64) == (
        f'<img src="{unsized.photo.url}" width="64" height="64" alt="" loading="lazy" '
        'decoding="async">')
    assert portrait_html(PersonFactory(), 64) == ""


def test_story_and_author_pages_show_the_squares(client, publication):
    from .factories import ArticleFactory, BylineFactory

    person = PersonFactory(full_name="Ada Okafor", short_bio="Ada covers the harbor.",
                           photo=photo(size=(300, 400)))
    story = ArticleFactory(publication=publication, published=True)
    BylineFactory(article=story, person=person)
    square = person.portrait_renditions()["jpg"]
    for path in (story.get_absolute_url(), person.get_absolute_url()):
        html = client.get(path).content.decode()
        assert square[0].url in html and f'src="{person.photo.url}"' not in html, path


def test_squares_are_remembered_per_process_and_follow_the_photo_its_size_and_the_media_address(
        settings, monkeypatch):
    """A byline's squares are worked out once per process (no storage asked again), keyed by
    all they are computed from: a new photo, a new size or a new media address is never
    served from an old entry."""
    person = PersonFactory(photo=photo(size=(300, 400)))
    first = portraits.renditions(person, "jpg")
    asked = []
    real_url = default_storage.url
    monkeypatch.setattr(default_storage, "url", lambda name: asked.append(name) or real_url(name))
    assert portraits.renditions(person, "jpg") == first
    assert asked == []
    person.photo_width = person.photo_height = 100
    assert [r.width for r in portraits.renditions(person, "jpg")] == [64, 100]
    person.photo_width, person.photo_height = 300, 400
    person.photo.name = "people/another.jpg"
    assert {r.url for r in portraits.renditions(person, "jpg")}.isdisjoint(
        r.url for r in first)
    monkeypatch.undo()
    settings.MEDIA_URL = "https://pictures.example/"
    assert portraits.renditions(person, "jpg")[0].url.startswith("https://pictures.example/")
