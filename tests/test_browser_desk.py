"""The editor's desk in real Chromium: what is typed survives leaving the page, and a live
story changes for readers only when an editor publishes the changes."""

import pytest

from articles.editorial import workflow
from articles.editorial.roles import EDITOR, REPORTER
from articles.models import Article, Autosave

from .workflow_helpers import ready_article, user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def body_editor(page):
    editor = page.locator(".prose-editor > .ProseMirror")
    editor.wait_for()
    return editor


def test_typed_text_survives_leaving_and_comes_back_on_restore(live_server, open_page,
                                                               publication, screenshot):
    reporter = user_in(REPORTER, "dana")
    article = ready_article(publication, created_by=reporter, headline="Tide gauges fail",
                            body="<p>The gauges stopped at noon.</p>")
    page = open_page(live_server, "dana")
    change = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    page.goto(change)
    editor = body_editor(page)
    assert page.locator("#id_body-word-count").inner_text() == "5 words · 1 min read"
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Engineers blamed the salt.")
    assert page.locator("#id_body-word-count").inner_text() == "9 words · 1 min read"
    # Click another admin link at once: leaving asks first, and what was typed is sent.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.get_by_role("link", name="Home").first.click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert dialogs == ["beforeunload"]
    page.wait_for_timeout(500)  # the goodbye beacon
    assert "Engineers blamed the salt." in str(Autosave.objects.get(article=article).data)

    page.goto(change)
    offer = page.locator(".autosave-offer")
    assert offer.inner_text().startswith("Restore unsaved changes from")
    screenshot(page, "autosave-offer")
    offer.get_by_role("button", name="Restore").click()
    assert "Engineers blamed the salt." in body_editor(page).inner_text()
    page.keyboard.press("Control+s")  # saves and stays on the story
    page.wait_for_url(f"{change}")
    page.locator(".messagelist").wait_for()
    assert "Engineers blamed the salt." in Article.objects.get(pk=article.pk).body
    assert not Autosave.objects.exists()


def test_a_live_story_changes_for_readers_only_when_the_editor_publishes(
        live_server, open_page, publication, screenshot):
    editor_user = user_in(EDITOR, "ruth")
    article = workflow.article_publish(
        article=ready_article(publication, headline="Harbour dredging starts",
                              body="<p>The dredger arrives on Monday.</p>"),
        user=editor_user)
    public = live_server.url + article.get_absolute_url()
    page = open_page(live_server, "ruth")
    reader = page.context.new_page()
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    editor = body_editor(page)
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("The dredger arrives on Tuesday.")
    page.click("input[name=_continue]")
    page.locator(".live-changes", has_text="Live + changes").wait_for()
    assert "Tuesday" in body_editor(page).inner_text()
    reader.goto(public)
    assert "arrives on Monday" in reader.content() and "Tuesday" not in reader.content()

    page.get_by_role("link", name="Compare with live").click()
    assert "Tuesday" in page.locator(".revision-diff").inner_text()
    page.go_back()
    page.get_by_role("button", name="Save and publish changes").click()
    page.wait_for_url("**/workflow/publish_changes/")
    page.get_by_role("button", name="Publish changes").click()
    page.locator(".messagelist").wait_for()
    screenshot(page, "published-changes")
    reader.goto(public)
    assert "arrives on Tuesday" in reader.content()


def test_restoring_a_revision_on_a_live_story_asks_and_leaves_readers_alone(
        live_server, open_page, publication):
    editor_user = user_in(EDITOR, "ruth")
    article = workflow.article_publish(
        article=ready_article(publication, headline="Ferry fares rise in spring"),
        user=editor_user)
    first = article.revisions.order_by("number").first().number
    workflow.article_keep_changes(article=article, user=editor_user,
                                  data={**workflow.snapshot(article), "headline": "Ferry fares hold"})
    workflow.article_publish_changes(article=article, user=editor_user)
    public = live_server.url + article.get_absolute_url()
    page = open_page(live_server, "ruth")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/revisions/")
    page.locator(f"button[form=restore-{first}]").click()
    page.wait_for_url(f"**/revisions/{first}/restore/")
    assert "does not change what readers see" in page.content()
    page.get_by_role("button", name="Restore into pending changes").click()
    page.locator(".live-changes", has_text="Live + changes").wait_for()
    assert page.input_value("#id_headline") == "Ferry fares rise in spring"
    reader = page.context.new_page()
    reader.goto(public)
    assert "Ferry fares hold" in reader.content()
    assert Article.objects.get(pk=article.pk).headline == "Ferry fares hold"


def test_a_sister_editor_runs_two_stories_from_the_article_list(
        live_server, open_page, publication, other_publication, screenshot):
    from articles.models import Run

    from .factories import SectionFactory

    schools = SectionFactory(publication=other_publication, name="Schools", slug="schools")
    user_in(EDITOR, "omar", desks=[other_publication])
    home_editor = user_in(EDITOR, "ruth", desks=[publication])
    stories = [workflow.article_publish(article=ready_article(publication, headline=headline),
                                        user=home_editor)
               for headline in ("Ferry fares rise", "Pier repairs finish early")]
    page = open_page(live_server, "omar")
    page.goto(f"{live_server.url}/admin/articles/article/")
    for story in stories:
        page.locator(f"input.action-select[value='{story.pk}']").check()
    page.select_option("select[name=action]", "run_on_masthead")
    page.get_by_role("button", name="Go", exact=True).click()
    page.get_by_label("Run them in").select_option(label="The Valley Ledger — Schools")
    screenshot(page, "run-on-masthead")
    page.get_by_role("button", name="Run them").click()
    message = page.locator(".messagelist .success")
    assert message.inner_text().startswith("Now running on The Valley Ledger in Schools 2:")
    assert set(Run.objects.filter(publication=other_publication, section=schools)
               .values_list("article__headline", flat=True)) == {
        "Ferry fares rise", "Pier repairs finish early"}
