"""The picture library in the admin (articles/admin/media_library.py): the grid with its
search and filters, and its JSON endpoints for pickers, uploads and in-place edits, each
behind the login, CSRF and the permission matrix."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from articles import body_images
from articles.editorial.workflow import publication_problems
from articles.models import Image
from newsroom import renditions

from .factories import ArticleFactory, ImageFactory, PublicationFactory, image_bytes
from .workflow_helpers import user_in

pytestmark = pytest.mark.django_db

GRID = reverse("admin:articles_image_changelist")
PICTURES = reverse("admin:articles_image_library_pictures")
UPLOAD = reverse("admin:articles_image_library_upload")


def edit_url(image):
    return reverse("admin:articles_image_library_edit", args=[image.pk])


def client_for(role):
    """A logged-in client for a role of the permission matrix (None: anonymous), checking
    CSRF as a browser's requests are checked."""
    client = Client(enforce_csrf_checks=True)
    user = {
        "anonymous": lambda: None,
        "staff": lambda: user_in(None, "temp"),
        "viewer": lambda: _viewer(),
        "reporter": lambda: user_in("Reporter", "dana"),
        "editor": lambda: user_in("Editor", "ruth"),
    }[role]()
    if user:
        client.force_login(user)
    return client


def _viewer():
    """Staff who may look at the library but not change it."""
    user = user_in(None, "vic")
    user.user_permissions.add(Permission.objects.get(codename="view_image"))
    return user


def csrf_token(client):
    """The token a page of the admin hands the browser (the login page, to someone not
    logged in), as the grid's script reads it."""
    client.get(reverse("admin:index"), follow=True)
    return client.cookies["csrftoken"].value


def grid_ids(response):
    return [tile["id"] for tile in response.context["cl"].tiles]


# --- The grid -------------------------------------------------------------------------


def test_the_library_is_a_grid_of_thumbnails_from_the_renditions():
    picture = ImageFactory(file=ContentFile(image_bytes(size=(1000, 600)), name="wide.jpg"))
    client = client_for("reporter")
    response = client.get(GRID)
    assert response.status_code == 200
    smallest = renditions.renditions(picture)[0]
    html = response.content.decode()
    assert 'class="library-grid"' in html
    assert f'src="{smallest.url}"' in html and f"{smallest.url} {smallest.width}w" in html
    assert "Drop pictures here" in html  # a reporter may add pictures


@pytest.mark.parametrize("term, expected", [
    ("kittiwake", {"alt"}), ("dawn sailing", {"caption"}), ("Lena Park", {"credit"}),
    ("seabirds", {"tagged"}),
])
def test_the_grid_is_searched_by_alt_text_caption_credit_and_tags(term, expected):
    pictures = {
        "alt": ImageFactory(alt_text="The ferry Kittiwake at the dock", caption="", credit=""),
        "caption": ImageFactory(alt_text="A ferry", caption="The first dawn sailing", credit=""),
        "credit": ImageFactory(alt_text="A gull", caption="", credit="Lena Park for The Herald"),
        "tagged": ImageFactory(alt_text="Gulls", caption="", credit=""),
    }
    pictures["tagged"].tags.add("seabirds", "harbor")
    response = client_for("editor").get(GRID, {"q": term})
    names = {name for name, picture in pictures.items() if picture.pk in grid_ids(response)}
    assert names == expected


def test_the_missing_alt_text_filter_lists_only_pictures_without_it():
    described = ImageFactory(alt_text="Gulls over the breakwater")
    blank = ImageFactory(alt_text="")
    spaces = ImageFactory(alt_text="   ")
    response = client_for("editor").get(GRID, {"alt": "missing"})
    assert set(grid_ids(response)) == {blank.pk, spaces.pk}
    assert described.pk not in grid_ids(response)
    assert 'class="library-tile missing-alt"' in response.content.decode()


def test_the_publication_filter_lists_the_pictures_leading_its_stories(publication):
    valley = PublicationFactory(name="The Valley Ledger", domain="valley.example")
    ours, theirs, unused = ImageFactory(), ImageFactory(), ImageFactory()
    ArticleFactory(publication=publication, lead_image=ours)
    ArticleFactory(publication=publication, lead_image=ours)
    ArticleFactory(publication=valley, lead_image=theirs)
    client = client_for("editor")
    assert grid_ids(client.get(GRID, {"used_on": publication.pk})) == [ours.pk]
    assert grid_ids(client.get(GRID, {"used_on": valley.pk})) == [theirs.pk]
    assert unused.pk in grid_ids(client.get(GRID))


def test_the_grid_filters_by_date():
    old = ImageFactory()
    Image.objects.filter(pk=old.pk).update(created_at="2024-03-05T10:00:00Z")
    new = ImageFactory()
    response = client_for("editor").get(GRID, {"created_at__year": "2024"})
    assert grid_ids(response) == [old.pk]
    assert new.pk not in grid_ids(response)


def test_someone_who_may_only_look_gets_the_grid_without_upload_or_editors():
    ImageFactory()
    html = client_for("viewer").get(GRID).content.decode()
    assert "Drop pictures here" not in html
    assert "data-field=" not in html.split('id="library-tile-template"')[0]


# --- The pickers' list ----------------------------------------------------------------


def test_the_picker_list_is_searched_and_paged_as_json():
    for n in range(30):
        ImageFactory(alt_text=f"Harbor picture {n}")
    ImageFactory(alt_text="A kittiwake on a piling")
    client = client_for("reporter")
    first = client.get(PICTURES).json()
    assert first["count"] == 31 and first["pages"] == 2 and len(first["results"]) == 24
    found = client.get(PICTURES, {"q": "kittiwake"}).json()
    assert [entry["alt_text"] for entry in found["results"]] == ["A kittiwake on a piling"]
    entry = found["results"][0]
    assert entry["srcset"] and entry["src"].startswith("/media/images/")
    assert entry["edit_url"]  # a reporter may change pictures


def test_the_picker_list_is_refused_to_those_who_may_not_see_pictures():
    ImageFactory()
    assert client_for("anonymous").get(PICTURES).status_code == 302  # to the login page
    response = client_for("staff").get(PICTURES)
    assert response.status_code == 403 and "results" not in response.json()


# --- Uploads --------------------------------------------------------------------------


def upload(client, content, name="harbor.jpg", content_type="image/jpeg"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, content_type)},
                       HTTP_X_CSRFTOKEN=csrf_token(client))


@pytest.mark.parametrize("role", ["reporter", "editor"])
def test_a_dropped_picture_is_stored_re_encoded_with_its_renditions(role):
    client = client_for(role)
    response = upload(client, image_bytes(size=(800, 600)))
    assert response.status_code == 201
    entry = response.json()["image"]
    image = Image.objects.get(pk=entry["id"])
    assert (image.width, image.height) == (800, 600)
    assert entry["missing_alt_text"] is True and entry["edit_url"]
    assert entry["thumbnail"] == renditions.renditions(image)[0].url
    assert LogEntry.objects.filter(object_id=str(image.pk)).exists()


def test_a_file_that_is_not_a_picture_is_refused_with_its_reason():
    client = client_for("reporter")
    response = upload(client, b"%PDF-1.4 not a picture", name="minutes.pdf",
                      content_type="application/pdf")
    assert response.status_code == 400
    assert "not an image we can read" in response.json()["errors"]["file"][0]
    assert not Image.objects.exists()


def test_a_picture_over_the_byte_limit_is_refused_with_the_limit(settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
    response = upload(client_for("reporter"), image_bytes(size=(600, 400)) + b"\0" * 2000)
    assert response.status_code == 400
    assert "images may be at most 1000" in response.json()["errors"]["file"][0]
    assert not Image.objects.exists()


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("staff", 403), ("viewer", 403)])
def test_uploads_are_refused_to_those_the_matrix_does_not_allow(role, status):
    client = client_for(role)
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("a.jpg", image_bytes())},
                           HTTP_X_CSRFTOKEN=csrf_token(client))
    assert response.status_code == status
    assert not Image.objects.exists()


def test_an_upload_without_the_csrf_token_is_refused():
    client = client_for("editor")
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("a.jpg", image_bytes())})
    assert response.status_code == 403
    assert not Image.objects.exists()


# --- In-place edits -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reporter", "editor"])
def test_alt_text_caption_and_credit_are_changed_in_place(role):
    picture = ImageFactory(alt_text="", caption="Old caption", credit="Old credit")
    client = client_for(role)
    response = client.post(edit_url(picture), {"alt_text": "Gulls on the breakwater at dusk"},
                           HTTP_X_CSRFTOKEN=csrf_token(client))
    assert response.status_code == 200
    picture.refresh_from_db()
    assert picture.alt_text == "Gulls on the breakwater at dusk"
    assert (picture.caption, picture.credit) == ("Old caption", "Old credit")  # untouched
    assert response.json()["image"]["missing_alt_text"] is False
    client.post(edit_url(picture), {"caption": "Dusk at the breakwater.", "credit": "Lena Park"},
                HTTP_X_CSRFTOKEN=csrf_token(client))
    picture.refresh_from_db()
    assert (picture.caption, picture.credit) == ("Dusk at the breakwater.", "Lena Park")


def test_a_new_focal_point_gets_new_renditions():
    picture = ImageFactory(file=ContentFile(image_bytes(size=(1000, 600)), name="wide.jpg"))
    before = renditions.renditions(picture, "crop")[0].url
    client = client_for("reporter")
    response = client.post(edit_url(picture), {"focal_x": "0.2", "focal_y": "0.75"},
                           HTTP_X_CSRFTOKEN=csrf_token(client))
    assert response.status_code == 200
    picture.refresh_from_db()
    assert (picture.focal_x, picture.focal_y) == (0.2, 0.75)
    after = renditions.renditions(picture, "crop")[0]
    assert after.url != before
    assert default_storage.exists(after.url.removeprefix("/media/"))


@pytest.mark.parametrize("data, field", [({"focal_x": "1.5"}, "focal_x"),
                                         ({"focal_y": "up"}, "focal_y"),
                                         ({"credit": "x" * 201}, "credit")])
def test_an_invalid_value_is_refused_and_nothing_changes(data, field):
    picture = ImageFactory(credit="Lena Park")
    client = client_for("editor")
    response = client.post(edit_url(picture), data, HTTP_X_CSRFTOKEN=csrf_token(client))
    assert response.status_code == 400 and field in response.json()["errors"]
    fresh = Image.objects.get(pk=picture.pk)
    assert (fresh.focal_x, fresh.focal_y, fresh.credit) == (0.5, 0.5, "Lena Park")


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("staff", 403), ("viewer", 403)])
def test_in_place_edits_are_refused_to_those_the_matrix_does_not_allow(role, status):
    picture = ImageFactory(alt_text="Gulls")
    client = client_for(role)
    response = client.post(edit_url(picture), {"alt_text": "Vandalised", "focal_x": "0"},
                           HTTP_X_CSRFTOKEN=csrf_token(client))
    assert response.status_code == status
    fresh = Image.objects.get(pk=picture.pk)
    assert (fresh.alt_text, fresh.focal_x) == ("Gulls", 0.5)


def test_an_in_place_edit_without_the_csrf_token_is_refused():
    picture = ImageFactory(alt_text="Gulls")
    response = client_for("editor").post(edit_url(picture), {"alt_text": "Changed"})
    assert response.status_code == 403
    assert Image.objects.get(pk=picture.pk).alt_text == "Gulls"


def test_the_endpoints_answer_only_their_method():
    picture = ImageFactory()
    client = client_for("editor")
    assert client.get(UPLOAD).status_code == 405
    assert client.get(edit_url(picture)).status_code == 405
    assert json.loads(client.get(PICTURES).content)["count"] == 1


# --- Alt text before publishing -------------------------------------------------------


def test_a_story_cannot_be_published_while_a_body_picture_lacks_alt_text(publication):
    undescribed = ImageFactory(alt_text="")
    described = ImageFactory(alt_text="Gulls")
    body = ("<p>Text.</p>"
            f'<figure><img data-image-id="{undescribed.pk}" src="/a.jpg" alt=""></figure>'
            f'<figure><img data-image-id="{described.pk}" src="/b.jpg" alt=""></figure>')
    story = ArticleFactory(publication=publication, body=body)
    assert body_images.missing_alt_text(story.body) == [undescribed]
    assert "alt text on the picture in the body" in publication_problems(story)
    Image.objects.filter(pk=undescribed.pk).update(alt_text="A ferry at dawn")
    assert "alt text on the picture in the body" not in publication_problems(story)


def test_a_body_picture_without_words_of_its_own_shows_the_library_alt_text():
    picture = ImageFactory(alt_text="A ferry at dawn")
    html = body_images.render(f'<img data-image-id="{picture.pk}" src="/a.jpg" alt="">')
    assert 'alt="A ferry at dawn"' in html and "<picture>" in html


def test_the_sanitizer_keeps_a_library_figure_as_the_body_editor_inserts_it():
    from articles.sanitize import sanitize_html

    figure = ('<figure class="inline-image"><img src="/media/images/2026/11/gulls.jpg" '
              'alt="Gulls" width="900" height="600" data-image-id="7"><figcaption>Gulls at '
              'dusk. <small class="credit">Lena Park</small></figcaption></figure>')
    assert sanitize_html(figure) == figure
    assert sanitize_html('<small class="credit x" onclick="y">Lena</small>') == \
        '<small class="credit">Lena</small>'


def test_the_dashboard_counts_the_pictures_missing_alt_text_and_links_to_them():
    ImageFactory(alt_text="")
    ImageFactory(alt_text="")
    ImageFactory(alt_text="Gulls")
    client = client_for("reporter")
    dashboard = client.get(reverse("admin:index")).content.decode()
    assert "2 pictures in the library have no alt text yet" in dashboard
    assert f'href="{GRID}?alt=missing"' in dashboard
    Image.objects.update(alt_text="Gulls over the harbor")
    dashboard = client.get(reverse("admin:index")).content.decode()
    assert "My drafts" in dashboard and "no alt text yet" not in dashboard
