"""A story's whole life in real Chromium: a reporter writes it, an editor returns it, the
reporter fixes it, the editor schedules it, it goes live when its time comes, the editor
corrects it, and two editors saving at once lose nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.editorial.roles import EDITOR, REPORTER
from articles.models import Article, PendingChanges

from .browser import finish, log_in_to_admin, new_context
from .factories import ImageFactory, PersonFactory, SectionFactory
from .workflow_helpers import user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADLINE = "Gull Point ferry adds a dawn sailing for hospital staff"


@pytest.fixture
def contexts(browser):
    """Browser windows for several people at once, all closed cleanly after the test."""
    opened = []

    def open_context():
        context = new_context(browser)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        finish(context)


def log_in(contexts, live_server, username):
    return log_in_to_admin(contexts().new_page(), live_server, username)


def pick(page, select_id, term, choice):
    """Choose in a select2 autocomplete the way an editor does: open, type, click."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=choice).first.click()


def workflow_step(page, label, confirm, **fields):
    """Press a "Save and …" button of the Workflow panel, then confirm the step."""
    page.get_by_role("button", name=f"Save and {label}").click()
    page.wait_for_url("**/workflow/**")
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    page.get_by_role("button", name=confirm).click()
    page.wait_for_url("**/change/")


def test_a_story_from_first_draft_to_correction(contexts, live_server, publication,
                                                 screenshot, monkeypatch):
    SectionFactory(publication=publication, name="Metro", slug="metro")
    reporter = user_in(REPORTER, "dana", email="dana@herald.example")
    user_in(EDITOR, "ruth", email="ruth@herald.example", first_name="Ruth",
            last_name="Abernathy")
    user_in(EDITOR, "omar", email="omar@herald.example", first_name="Omar",
            last_name="Haddad")
    PersonFactory(full_name="Dana Reyes", user=reporter,
                  short_bio="Dana Reyes is the senior reporter for The Herald.")
    PersonFactory(full_name="Sam Okafor", short_bio="Sam Okafor covers transportation.")
    ImageFactory(alt_text="The ferry Kittiwake at the Gull Point dock before sunrise.")

    # The reporter writes the story.
    reporter_page = log_in(contexts, live_server, "dana")
    reporter_page.goto(f"{live_server.url}/admin/articles/article/add/")
    reporter_page.select_option("#id_publication", label=publication.name)
    # The section picker offers the chosen masthead's sections.
    reporter_page.select_option("#id_section", label="Metro")
    reporter_page.fill("#id_headline", HEADLINE)
    reporter_page.fill("#id_dek", "The 5:10 a.m. run starts Monday.")
    reporter_page.fill("#id_dateline", "Gull Point")
    body = reporter_page.locator(".prose-editor > .ProseMirror")
    body.click()
    reporter_page.keyboard.type("The county ferry will add a 5:10 a.m. sailing on Monday.")
    reporter_page.keyboard.press("Enter")
    reporter_page.keyboard.type("“Night nurses asked for it for years,” said Ana Ruiz.")
    reporter_page.fill("#id_tags", "ferries, hospital")
    reporter_page.get_by_role("button", name="Choose from the library").click()
    reporter_page.locator("dialog.picture-picker input[type=search]").fill("Kittiwake")
    reporter_page.locator(".picture-choice", has_text="Kittiwake").click()
    add_byline = reporter_page.locator("#bylines-group .add-row a")
    add_byline.click()
    add_byline.click()
    pick(reporter_page, "id_bylines-0-person", "Dana", "Dana Reyes")
    pick(reporter_page, "id_bylines-1-person", "Sam", "Sam Okafor")
    reporter_page.click("input[name=_continue]")
    reporter_page.wait_for_url("**/change/")
    story = Article.objects.get(headline=HEADLINE)
    assert [b.person.full_name for b in story.bylines.all()] == ["Dana Reyes", "Sam Okafor"]
    assert story.lead_image is not None
    workflow_step(reporter_page, "submit for review", "Submit for review")
    screenshot(reporter_page, "workflow-1-submitted", full_page=True)
    assert Article.objects.get(pk=story.pk).status == Article.Status.IN_REVIEW

    # The editor sends it back: it needs a summary.
    editor_page = log_in(contexts, live_server, "ruth")
    change_url = f"{live_server.url}/admin/articles/article/{story.pk}/change/"
    editor_page.goto(change_url)
    workflow_step(editor_page, "return to reporter", "Return to reporter",
                  note="Please add a summary for the front page.")
    assert Article.objects.get(pk=story.pk).status == Article.Status.RETURNED

    # The reporter reads the note, fixes the story and sends it again.
    reporter_page.goto(change_url)
    assert "Please add a summary for the front page." in reporter_page.content()
    reporter_page.fill("#id_summary", "A dawn ferry for hospital night shifts starts Monday.")
    workflow_step(reporter_page, "submit for review", "Submit for review")
    assert Article.objects.get(pk=story.pk).status == Article.Status.IN_REVIEW

    # The editor schedules it for two minutes from now, newsroom time.
    go_live = timezone.localtime() + timedelta(minutes=2)
    editor_page.goto(change_url)
    workflow_step(editor_page, "schedule", "Schedule",
                  publish_at=go_live.strftime("%Y-%m-%dT%H:%M"))
    screenshot(editor_page, "workflow-2-scheduled", full_page=True)
    story.refresh_from_db()
    assert story.status_string == "Scheduled"

    # Not public until its time; then public with no one doing anything.
    reader = contexts().new_page()
    public_url = live_server.url + story.get_absolute_url()
    assert reader.goto(public_url).status == 404
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(minutes=3))
    assert reader.goto(public_url).status == 200
    assert reader.locator("h1").inner_text() == HEADLINE
    assert reader.locator(".byline").inner_text() == "By Dana Reyes and Sam Okafor"
    call_command("run_publication_events")  # the go-live side effects, once
    assert story.publication_events.get().outcome == "done"

    # The editor appends a correction; readers see it with its time.
    editor_page.goto(change_url)
    workflow_step(editor_page, "add correction or update", "Add to the story",
                  text="An earlier version gave the wrong departure time. It is 5:10 a.m.")
    reader.goto(public_url)
    assert "An earlier version gave the wrong departure time" in reader.content()
    screenshot(reader, "workflow-3-public-with-correction", full_page=True)

    # Two editors open the story; the second to save is told and keeps their text.
    second_page = log_in(contexts, live_server, "omar")
    second_page.goto(change_url)
    editor_page.goto(change_url)
    assert "also editing this story" in editor_page.content()
    editor_page.fill("#id_dek", "The 5:10 a.m. run starts Monday, the county says.")
    editor_page.click("input[name=_continue]")
    editor_page.wait_for_url("**/change/")
    second_page.fill("#id_kicker", "Transit")
    second_page.fill("#id_dek", "Omar's own dek for the dawn ferry.")
    second_page.click("input[name=_continue]")
    conflict = second_page.locator(".edit-conflict")
    conflict.wait_for()
    assert "Ruth Abernathy saved this story" in conflict.inner_text()
    assert "the county says" in conflict.inner_text()
    assert second_page.input_value("#id_dek") == "Omar's own dek for the dawn ferry."
    assert second_page.input_value("#id_kicker") == "Transit"
    screenshot(second_page, "workflow-4-edit-conflict", full_page=True)
    # The story is live: both edits wait as its pending changes, readers keep the live dek.
    assert PendingChanges.objects.get(article=story).data["dek"].endswith("the county says.")
    second_page.click("input[name=_continue]")  # having seen the changes, keep mine
    second_page.wait_for_url("**/change/")
    saved = PendingChanges.objects.get(article=story).data
    assert (saved["kicker"], saved["dek"]) == ("Transit", "Omar's own dek for the dawn ferry.")
    reader.goto(public_url)
    assert "Omar's own dek" not in reader.content()
