"""An editor pastes wire copy in the admin, previews it and creates a draft; the draft's
Publish step names what is missing, links to it, and offers Publish only once it is filled."""

from pathlib import Path

import pytest

from articles.models import Article, Publication

from .browser import finish, log_in_to_admin, new_context
from .factories import PersonFactory, PublicationFactory, SectionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIRE = Path(__file__).parent / "data" / "wire"


@pytest.fixture
def default_publication(transactional_db):
    # Not the shared ``publication`` fixture: after an earlier browser test has flushed the
    # database, the serialized rollback does not always bring the migrations' data back.
    return (Publication.objects.filter(is_default=True).first()
            or PublicationFactory(name="The Harbor Herald", slug="herald", domain="",
                                  is_default=True))


def test_an_editor_turns_pasted_wire_copy_into_a_draft(live_server, page, screenshot,
                                                       default_publication):
    UserFactory(username="desk", is_superuser=True)
    PersonFactory(full_name="Noor Haddad")
    log_in_to_admin(page, live_server, "desk", "/admin/articles/article/")
    page.get_by_role("link", name="Paste wire copy").click()
    page.fill("#id_text", (WIRE / "port-alder.txt").read_text())
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".wire-preview")
    assert preview.locator(".wire-headline").inner_text() == "Cannery to hire 200 for the salmon season"
    assert "PORT ALDER, ORE. —" in preview.inner_text()
    assert "Noor Haddad (in the newsroom)" in preview.inner_text()
    screenshot(page, "admin-paste-wire-preview", full_page=True)
    assert not Article.objects.exists()
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url("**/change/")
    assert page.locator("#id_headline").input_value() == "Cannery to hire 200 for the salmon season"
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert [p.full_name for p in article.authors()] == ["Noor Haddad"]


def test_pasted_copy_from_the_issue_becomes_a_draft_that_names_what_it_lacks(
        browser, live_server, screenshot, default_publication):
    """The issue's paste: headline, blank line, "By Shawn Snow", a dateline paragraph and
    paragraphs one to a line. The byline and dateline are found, a summary proposed; the
    draft lacks a section, which the Publish step links to, and offers no Publish button
    until the section is chosen."""
    UserFactory(username="desk", is_superuser=True)
    PersonFactory(full_name="Shawn Snow", short_bio="Shawn Snow covers the Corps.")
    SectionFactory(publication=default_publication, name="Military", slug="military")
    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in_to_admin(page, live_server, "desk", "/admin/articles/article/")
        page.get_by_role("link", name="Paste wire copy").click()
        page.fill("#id_text", (WIRE / "snow-lines.txt").read_text())
        page.get_by_role("button", name="Preview").click()
        preview = page.locator(".wire-preview")
        assert "Byline: Shawn Snow (in the newsroom)" in " ".join(
            preview.locator(".wire-byline").inner_text().split())
        assert preview.locator(".wire-dateline").inner_text() == "Dateline: Washington"
        summary = preview.locator(".wire-summary").inner_text()
        assert summary.startswith("Proposed summary: The Marine Corps plans to turn two")
        body = preview.locator(".wire-body p")
        assert body.count() == 4  # not one paragraph holding everything
        assert body.first.inner_text().startswith("WASHINGTON — The Marine Corps plans")
        assert "By Shawn Snow" not in preview.locator(".wire-body").inner_text()
        screenshot(page, "admin-paste-wire-issue-preview", full_page=True)

        page.get_by_role("button", name="Create draft").click()
        page.wait_for_url("**/change/")
        panel = page.locator("#workflow")
        missing = panel.locator(".workflow-missing li a")
        assert missing.all_inner_texts() == ["a section"]
        assert page.get_by_role("button", name="Save and publish now").count() == 0
        assert page.get_by_role("button", name="Save and schedule").count() == 0
        assert page.locator("#id_summary").input_value().startswith(
            "The Marine Corps plans to turn two")
        screenshot(page, "admin-wire-draft-missing-section", full_page=True)

        # The link puts the cursor in the field: the picker of this masthead's sections.
        missing.first.click()
        assert page.url.endswith("#id_section")
        assert page.evaluate("document.activeElement.id") == "id_section"
        page.select_option("#id_section", label="Military")
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        assert page.locator("#workflow .workflow-missing").count() == 0
        assert page.get_by_role("button", name="Save and publish now").count() == 1
        article = Article.objects.get()
        assert article.section.slug == "military"
        assert article.status == Article.Status.DRAFT
    finally:
        finish(context)
