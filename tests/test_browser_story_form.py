"""The story form laid out for writing, in real Chromium: fields grouped by task, the
Workflow panel beside them, what is missing one click from its field, the pickers that
offer only what fits, the search and social preview, and a story list that reads at
1,400 px."""

import functools

import pytest

from articles.editorial.roles import EDITOR
from articles.models import Article, Section

from .workflow_helpers import ready_article, user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

@pytest.fixture
def open_page(open_page):
    """The form is tried at 1,400 px, where it has room for the Workflow panel beside it."""
    return functools.partial(open_page, width=1400)


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_the_form_is_grouped_by_task_with_the_workflow_panel_beside_it(live_server, open_page,
                                                                      publication, screenshot):
    user_in(EDITOR, "ruth")
    article = ready_article(publication, headline="Ferry timetable changes", summary="")
    page = open_page(live_server, "ruth")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    # The groups, top to bottom, with each inline inside its own group.
    headings = page.locator(".story-main > fieldset > h2, .story-main > fieldset summary h2,"
                            " .story-main > .inline-group h2").all_inner_texts()
    assert [h.strip().lower() for h in headings] == [
        "write", "media", "bylines", "tags and section", "“in other news” (curated)",
        "search & social", "publishing", "history", "corrections"]

    # Wide screen: the panel is a column to the right of the fields, and stays in sight.
    panel, fields = box(page, "#workflow"), box(page, ".story-main")
    assert panel["x"] >= fields["x"] + fields["width"]
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(200)
    panel = box(page, "#workflow")
    assert 0 <= panel["y"] < 900
    screenshot(page, "story-form-sticky-panel")

    # What is missing is a link that puts the cursor in the field, and Publish waits.
    missing = page.locator("#workflow .workflow-missing")
    assert "a summary" in missing.inner_text()
    assert page.locator("#workflow button[value=publish]").count() == 0
    missing.get_by_role("link", name="a summary").click()
    assert page.evaluate("document.activeElement.id") == "id_summary"
    page.keyboard.type("Two crossings a day move to the evening.")
    page.locator("input[name=_continue]").click()
    page.locator(".messagelist").wait_for()
    assert page.locator("#workflow .workflow-missing").count() == 0
    assert page.locator("#workflow button[value=publish]").is_visible()


def test_a_missing_section_or_body_link_reaches_the_widget_that_fills_it(live_server, open_page,
                                                                        publication):
    user_in(EDITOR, "ruth")
    article = ready_article(publication, headline="Ferry timetable changes", body="")
    Article.objects.filter(pk=article.pk).update(section=None)
    page = open_page(live_server, "ruth")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    missing = page.locator("#workflow .workflow-missing")
    missing.get_by_role("link", name="a body").click()
    assert page.evaluate("document.activeElement.isContentEditable")
    missing.get_by_role("link", name="a section").click()
    assert page.evaluate(
        "document.activeElement.closest('.form-row').classList.contains('field-section')")


def test_on_a_narrow_screen_the_panel_comes_first(live_server, open_page, publication):
    user_in(EDITOR, "ruth")
    article = ready_article(publication, headline="Ferry timetable changes")
    page = open_page(live_server, "ruth", width=900)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    panel, write = box(page, "#workflow"), box(page, ".story-main fieldset")
    assert panel["y"] + panel["height"] <= write["y"]


def test_the_story_list_reads_at_1400_pixels(live_server, open_page, publication, screenshot):
    user_in(EDITOR, "ruth")
    for n in range(3):
        ready_article(publication, headline=f"Port Alder council passes ${n}12 million budget "
                                             "after late-night fight over bus cuts")
    page = open_page(live_server, "ruth")
    page.goto(f"{live_server.url}/admin/articles/article/")
    results = page.locator(".results")
    # Every column in view: nothing hides past the list's right edge.
    assert page.evaluate("(e) => e.scrollWidth - e.clientWidth", results.element_handle()) <= 8
    for cell in page.locator("#result_list .field-headline").all():
        assert cell.bounding_box()["width"] >= 200  # never one word per line
    screenshot(page, "story-list-1400")


def test_the_pickers_offer_only_what_fits_the_story(live_server, open_page, publication,
                                                   screenshot):
    from .factories import PublicationFactory, SectionFactory

    valley = PublicationFactory(name="The Valley Ledger", slug="valley", domain="valley.example")
    SectionFactory(publication=valley, name="Farm & Field")
    user_in(EDITOR, "ruth")
    article = ready_article(publication, headline="Ferry timetable changes")
    ready_article(publication, headline="Ferry fares rise", published=True)
    ready_article(publication, headline="Ferry strike looms")  # a draft: readers cannot see it
    ready_article(valley, headline="Ferry to the valley", published=True)
    page = open_page(live_server, "ruth")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    # Sections: only the chosen publication's, following the publication picker.
    def offered():
        return page.eval_on_selector_all("#id_section option:not([disabled])",
                                         "options => options.map(o => o.textContent.trim())")
    harbor = {section.name for section in Section.objects.filter(publication=publication)}
    assert offered()[0] == "---------" and set(offered()[1:]) == harbor
    page.select_option("#id_publication", str(valley.pk))
    in_valley = {section.name for section in Section.objects.filter(publication=valley)}
    assert "Farm & Field" in in_valley and set(offered()[1:]) == in_valley
    assert page.input_value("#id_section") == ""  # the old masthead's section is let go
    page.select_option("#id_publication", str(publication.pk))

    # "Updated" in the newsroom's zone, without Django's server-time note.
    updated = page.locator(".field-updated_at")
    assert "Newsroom time (America/New_York)" in updated.inner_text()
    assert "server time" not in page.locator("#article_form").inner_text()

    # In Other News: stories readers see on this masthead, with status and date.
    page.locator("#related_items-group .add-row a").click()
    page.locator("#related_items-group .select2-selection").first.click()
    page.keyboard.type("Ferry")
    choices = page.locator(".select2-results__option")
    choices.filter(has_text="Ferry fares rise").wait_for()
    texts = choices.all_inner_texts()
    assert len(texts) == 1 and texts[0].startswith("Ferry fares rise · Published · ")
    screenshot(page, "other-news-picker")
    choices.first.click()
    page.locator("input[name=_continue]").click()
    page.locator(".messagelist").wait_for()
    assert [item.target.headline for item in article.related_items.all()] == ["Ferry fares rise"]


def test_the_search_and_social_preview_follows_what_the_editor_types(live_server, open_page,
                                                                     publication, screenshot):
    from .factories import ImageFactory

    user_in(EDITOR, "ruth")
    image = ImageFactory(alt_text="The ferry at the Pier 3 slip", focal_x=0.25, focal_y=0.75)
    article = ready_article(publication, headline="Ferry fares rise", lead_image=image,
                            summary="Riders will pay two dollars more from March.")
    page = open_page(live_server, "ruth")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    preview = page.locator("#share-preview")
    preview.scroll_into_view_if_needed()
    serp_title = preview.locator(".serp-title")
    card_title = preview.locator(".social-card-title")
    assert serp_title.inner_text() == card_title.inner_text() == "Ferry fares rise"
    crop = preview.locator(".social-card-image img")
    assert crop.evaluate("img => getComputedStyle(img).objectPosition") == "25% 75%"

    page.fill("#id_seo_title", "Ferry fares: what changes in March")
    page.wait_for_function(
        "document.querySelector('.serp-title').textContent.includes('what changes')")
    assert card_title.inner_text() == "Ferry fares: what changes in March"

    # No summary and no SEO description: the body's opening words, as the page would say.
    page.fill("#id_summary", "")
    page.wait_for_function("document.querySelector('.serp-description').textContent"
                           " === 'The harbor council heard the proposal on Tuesday. A vote is"
                           " due next week.'")
    screenshot(page, "share-preview")
    article.refresh_from_db()
    assert article.seo_title == ""  # a preview saves nothing


def test_a_reporters_edit_to_their_live_story_goes_to_review_and_an_editor_publishes_it(
        live_server, open_page, publication, screenshot):
    from articles.editorial import workflow
    from articles.editorial.roles import REPORTER

    editor_user = user_in(EDITOR, "ruth")
    reporter = user_in(REPORTER, "dana")
    article = workflow.article_publish(
        article=ready_article(publication, created_by=reporter, headline="Pier 3 reopens"),
        user=editor_user)
    public = live_server.url + article.get_absolute_url()
    change = f"{live_server.url}/admin/articles/article/{article.pk}/change/"

    page = open_page(live_server, "dana")
    page.goto(change)
    assert page.locator("#workflow button[value=publish_changes]").count() == 0
    page.fill("#id_headline", "Pier 3 reopens after two years")
    page.get_by_role("button", name="Save and submit changes for review").click()
    page.wait_for_url("**/workflow/submit_changes/")
    page.locator("input[type=submit][value='Submit changes for review']").click()
    page.locator(".messagelist").wait_for()
    reader = page.context.new_page()
    reader.goto(public)
    assert "Pier 3 reopens after two years" not in reader.content()
    assert Article.objects.get(pk=article.pk).headline == "Pier 3 reopens"

    desk = open_page(live_server, "ruth")
    desk.goto(change)
    assert "submitted for review" in desk.locator("#live-changes").inner_text()
    assert desk.input_value("#id_headline") == "Pier 3 reopens after two years"
    desk.get_by_role("button", name="Save and publish changes").click()
    desk.wait_for_url("**/workflow/publish_changes/")
    desk.locator("input[type=submit][value='Publish changes']").click()
    desk.locator(".messagelist").wait_for()
    reader.goto(public)
    assert "Pier 3 reopens after two years" in reader.content()
