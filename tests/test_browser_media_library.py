"""The picture library in real Chromium, as an editor uses it: drop pictures onto the
library and watch them arrive, fix an alt text and a focal point in place, then give a
story its lead picture from the grid, put the other picture in its body, publish, and
read the figure on the public page."""

import base64
import re

import pytest

from articles.editorial.roles import EDITOR
from articles.models import Article, Image

from .browser import log_in_to_admin
from .factories import image_bytes
from .workflow_helpers import ready_article, user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


DROP = """([zoneSelector, files]) => {
    const data = new DataTransfer();
    for (const file of files) {
        const bytes = Uint8Array.from(atob(file.data), c => c.charCodeAt(0));
        data.items.add(new File([bytes], file.name, {type: file.type}));
    }
    const zone = document.querySelector(zoneSelector);
    for (const type of ["dragenter", "dragover", "drop"]) {
        zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
    }
}"""


def dropped(name, content, kind="image/jpeg"):
    return {"name": name, "type": kind, "data": base64.b64encode(content).decode()}


def test_an_editor_uploads_two_pictures_fixes_them_and_puts_them_in_a_story(
        live_server, page, publication, screenshot):
    user_in(EDITOR, "ruth")
    log_in_to_admin(page, live_server, "ruth")

    # Two pictures and a stray PDF dropped onto the library at once.
    page.goto(f"{live_server.url}/admin/articles/image/")
    page.evaluate(DROP, [".library-dropzone", [
        dropped("kittiwake.jpg", image_bytes(size=(1200, 800), color=(20, 80, 140))),
        dropped("minutes.pdf", b"%PDF-1.4 the harbor board's minutes", "application/pdf"),
        dropped("breakwater.png", image_bytes("PNG", size=(900, 600), color=(200, 120, 40)),
                "image/png"),
    ]])
    uploads = page.locator(".library-uploads li")
    assert uploads.count() == 3
    assert page.locator(".library-uploads progress").count() == 3  # one bar each
    page.locator(".library-uploads li.done").nth(1).wait_for()
    failed = page.locator(".library-uploads li.failed")
    failed.wait_for()
    assert "minutes.pdf: This file is not an image we can read" in failed.inner_text()
    assert [p.get_attribute("value") for p in page.locator("li.done progress").all()] == \
        ["100", "100"]
    tiles = page.locator("#library-grid .library-tile")
    assert tiles.count() == 2
    assert Image.objects.count() == 2
    assert page.locator("#library-grid .library-tile.missing-alt").count() == 2

    # Fix an alt text in place: typed, then left.
    kittiwake = Image.objects.get(file__contains="kittiwake")
    breakwater = Image.objects.get(file__contains="breakwater")
    tile = page.locator(f'.library-tile[data-image-id="{kittiwake.pk}"]')
    tile.locator("[data-field=alt_text]").fill("The ferry Kittiwake at the Gull Point dock.")
    tile.locator("[data-field=credit]").fill("Lena Park for The Herald")
    tile.locator("[data-field=caption]").click()
    tile.locator(".library-status", has_text="Saved.").wait_for()
    tile.locator("[data-field=caption]").fill("The dawn sailing leaves at 5:10.")
    page.locator("#searchbar").click()  # leaving the field saves it
    page.wait_for_function(
        "id => document.querySelector(`.library-tile[data-image-id='${id}']`)"
        ".classList.contains('missing-alt') === false", arg=kittiwake.pk)
    page.wait_for_timeout(300)
    kittiwake.refresh_from_db()
    assert kittiwake.alt_text == "The ferry Kittiwake at the Gull Point dock."
    assert kittiwake.credit == "Lena Park for The Herald"
    assert kittiwake.caption == "The dawn sailing leaves at 5:10."

    # The focal point: a click on the picture, a quarter across and three quarters down.
    picture = tile.locator(".library-picture img")
    box = picture.bounding_box()
    old_crop = tile.locator(".library-picture img").get_attribute("src")
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    tile.locator(".library-status", has_text="Saved.").wait_for()
    kittiwake.refresh_from_db()
    assert kittiwake.focal_x == pytest.approx(0.25, abs=0.02)
    assert kittiwake.focal_y == pytest.approx(0.75, abs=0.02)
    kittiwake_crop = tile.locator(".library-picture img").get_attribute("src")
    assert kittiwake_crop != old_crop  # renditions made anew around the new point
    left, top = map(float, re.findall(r"[\d.]+(?=%)",
                                      tile.locator(".library-focal").get_attribute("style")))
    assert (left, top) == (pytest.approx(25, abs=2), pytest.approx(75, abs=2))

    # …and from the keyboard: two steps right, saved once the keys rest.
    tile.locator(".library-picture").focus()
    with page.expect_response(lambda r: r.url.endswith(f"/{kittiwake.pk}/library/")):
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
    tile.locator(".library-status", has_text="Saved.").wait_for()
    kittiwake.refresh_from_db()
    assert kittiwake.focal_x == pytest.approx(0.35, abs=0.02)

    # The second picture gets its words too, so the story may be published.
    other = page.locator(f'.library-tile[data-image-id="{breakwater.pk}"]')
    other.locator("[data-field=alt_text]").fill("Waves over the harbor breakwater.")
    other.locator("[data-field=credit]").fill("Tomas Reed")
    page.locator("#searchbar").click()
    other.locator(".library-status", has_text="Saved.").wait_for()
    screenshot(page, "media-library")

    # The library is searched by what was just written.
    page.fill("#searchbar", "Kittiwake")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=Kittiwake**")
    assert page.locator("#library-grid .library-tile").count() == 1

    # A story: the lead picture from the grid, the other picture into the body.
    story = ready_article(publication, headline="Dawn ferry starts Monday",
                          body="<p>The county ferry adds a 5:10 a.m. sailing.</p>")
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    page.get_by_role("button", name="Choose from the library").click()
    dialog = page.locator("dialog.picture-picker")
    dialog.locator("input[type=search]").fill("Kittiwake")
    dialog.locator(".picture-picker-count", has_text="1 picture").wait_for()
    dialog.locator(".picture-choice").click()
    assert page.locator("input[name=lead_image]").input_value() == str(kittiwake.pk)
    assert "The ferry Kittiwake" in page.locator(".lead-picture-words").inner_text()

    editor = page.locator(".prose-editor > .ProseMirror")
    editor.click()
    page.keyboard.press("Control+End")
    page.get_by_role("button", name="Insert a picture from the library").click()
    dialog.locator("input[type=search]").fill("breakwater")
    dialog.locator(".picture-picker-count", has_text="1 picture").wait_for()
    dialog.locator(".picture-choice").click()
    editor.locator(f'figure img[data-image-id="{breakwater.pk}"]').wait_for()
    assert "Tomas Reed" in editor.locator("figcaption").inner_text()
    screenshot(page, "media-story-form")

    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url("**/workflow/publish/")
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url("**/change/")
    story = Article.objects.get(pk=story.pk)
    assert story.status == Article.Status.PUBLISHED
    assert story.lead_image_id == kittiwake.pk
    saved = re.search(r'<figure class="inline-image">(<img [^>]*>)<figcaption><small '
                      r'class="credit">Tomas Reed</small></figcaption></figure>', story.body)
    assert saved, story.body
    assert f'data-image-id="{breakwater.pk}"' in saved.group(1)
    assert 'alt="Waves over the harbor breakwater."' in saved.group(1)

    # Opened again, the editor still knows the body's picture by its id.
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    page.locator(f'.ProseMirror figure img[data-image-id="{breakwater.pk}"]').wait_for()

    # The public page: the figure served through the renditions, with its credit.
    page.goto(live_server.url + story.get_absolute_url())
    figure = page.locator("article figure:has(figcaption .credit:text('Tomas Reed'))")
    figure.wait_for()
    srcset = figure.locator("img").get_attribute("srcset")
    assert re.search(rf"/media/renditions/{breakwater.pk}/\w+/full-320\.png 320w", srcset)
    assert figure.locator("img").get_attribute("alt") == "Waves over the harbor breakwater."
    lead = page.locator("article figure").first
    assert "The dawn sailing leaves at 5:10." in lead.text_content()
    assert "Lena Park for The Herald" in lead.text_content()
    screenshot(page, "media-public-story", full_page=True)
