"""The body's rich-text editor works in a real browser: formatting from the toolbar, and
a paste from a word processor arrives as clean HTML."""

import pytest

from articles.models import Article

from .browser import log_in_to_admin
from .workflow_helpers import user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WORD_CLIPBOARD = (
    "<html><head><style>p.MsoNormal{font-family:Calibri}</style></head><body>"
    "<p class=MsoNormal style='margin:0'><span style='font-size:14pt'>Ferry fares rise"
    "<o:p></o:p></span></p><p class=MsoNormal><b><span style='color:red'>Bold words"
    "</span></b> and plain words.<o:p></o:p></p></body></html>"
)


def test_a_reporter_writes_with_the_rich_text_editor_and_pastes_from_word(
        live_server, page, screenshot, publication):
    reporter = user_in("Reporter", "dana")
    log_in_to_admin(page, live_server, reporter.username, "/admin/articles/article/add/")
    editor = page.locator(".prose-editor > .ProseMirror")
    editor.wait_for()
    page.select_option("#id_publication", label=publication.name)
    page.fill("#id_headline", "Ferry fares rise in spring")
    assert page.locator("#id_headline-counter").inner_text() == "26 / 200 characters"

    editor.click()
    page.evaluate(
        """html => {
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', 'Ferry fares rise');
            document.querySelector('.prose-editor > .ProseMirror').dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        WORD_CLIPBOARD,
    )
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+b")
    page.keyboard.type("Typed in bold")
    page.keyboard.press("Control+b")
    # A pull quote: a block quote with the "pull-quote" style from the Block style menu.
    page.keyboard.press("Enter")
    page.keyboard.type("The tide waits for no council.")
    page.locator(".prose-menubar__button[title*='lockquote' i]").first.click()
    page.locator(".prose-menubar__selected", has_text="Block style").click()
    page.locator("[data-name='nodeClass:blockquote:pull-quote']").click()
    screenshot(page, "editor-rich-text")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")

    article = Article.objects.get(headline="Ferry fares rise in spring")
    body = article.body
    assert "Bold words" in body and "plain words" in body
    assert "<strong>Typed in bold</strong>" in body
    assert '<blockquote class="pull-quote"><p>The tide waits for no council.</p></blockquote>' in body
    for residue in ["Mso", "mso", "o:p", "style", "<span", "Calibri"]:
        assert residue not in body, (residue, body)

    # The workflow panel: save and submit for review, then confirm.
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.get_by_role("button", name="Save and submit for review").click()
    page.wait_for_url(f"**/{article.pk}/workflow/submit/")
    screenshot(page, "workflow-confirm-submit")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(f"**/{article.pk}/change/")
    screenshot(page, "workflow-submitted", full_page=True)
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
