"""An editor pastes wire copy in the admin, previews it and creates a draft."""

from pathlib import Path

import pytest

from articles.models import Article, Publication

from .factories import PersonFactory, PublicationFactory, UserFactory

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
    page.goto(live_server.url + "/admin/login/?next=/admin/articles/article/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
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
