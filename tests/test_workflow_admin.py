"""The workflow in the admin: buttons, confirmation pages, bulk actions, filters, the
dashboard, notifications, the body editor, and escaping of hostile names everywhere."""

from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from articles.editorial import workflow
from articles.models import Article, Correction

from .factories import ArticleFactory, PersonFactory, SectionFactory
from .test_admin import article_form_data
from .workflow_helpers import ready_article

pytestmark = pytest.mark.django_db
Status = Article.Status
XSS = '"><svg onload=alert(1)>'


def url(name, *args):
    return reverse(f"admin:articles_article_{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_change_form_offers_the_steps_the_user_may_take(client, publication, reporter,
                                                           editor):
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    page = client.get(url("change", article.pk)).text
    assert 'name="_workflow" value="submit"' in page
    assert 'value="publish"' not in page
    assert url("preview", article.pk) in page
    client.force_login(editor)
    page = client.get(url("change", article.pk)).text
    assert 'value="publish"' in page and 'value="schedule"' in page


def test_save_and_submit_keeps_the_edit_then_confirms(client, publication, reporter):
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    data = article_form_data(publication, article.section, headline="Pier reopens Friday",
                             slug=article.slug, summary="Short.", body="<p>Text.</p>",
                             loaded_version=article.version, _workflow="submit")
    response = client.post(url("change", article.pk), data)
    assert response["Location"] == url("workflow", article.pk, "submit")
    assert Article.objects.get(pk=article.pk).headline == "Pier reopens Friday"
    response = client.post(url("workflow", article.pk, "submit"), follow=True)
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW
    assert "“Pier reopens Friday” submitted for review. Status: In review." in messages_of(
        response)
    # In review, the reporter can read the story but no longer change it.
    page = client.get(url("change", article.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text


def test_publishing_an_incomplete_story_is_a_clear_message_not_a_crash(client, publication,
                                                                      editor):
    article = ArticleFactory(publication=publication, summary="", status=Status.IN_REVIEW)
    client.force_login(editor)
    page = client.get(url("workflow", article.pk, "publish"))
    assert "at least one byline" in page.text and "a summary" in page.text
    response = client.post(url("workflow", article.pk, "publish"))
    assert response.status_code == 200
    [message] = messages_of(response)
    assert "cannot be published yet" in message
    assert "at least one byline; a summary" in message
    assert Article.objects.get(pk=article.pk).status == Status.IN_REVIEW


def test_return_needs_a_note_and_keeps_it_on_the_story(client, publication, reporter, editor):
    article = ready_article(publication, created_by=reporter, status=Status.IN_REVIEW)
    client.force_login(editor)
    response = client.post(url("workflow", article.pk, "return"), {"note": ""})
    assert response.status_code == 200 and "This field is required" in response.text
    client.post(url("workflow", article.pk, "return"), {"note": "Check the tide tables."})
    client.force_login(reporter)
    page = client.get(url("change", article.pk)).text
    assert "Check the tide tables." in page
    assert 'value="submit"' in page


def test_bulk_publish_checks_and_reports_each_story(client, publication, editor):
    ready = ready_article(publication, status=Status.IN_REVIEW, headline="Ready story")
    incomplete = ArticleFactory(publication=publication, headline="No byline story")
    client.force_login(editor)
    response = client.post(url("changelist"), {
        "action": "publish_selected", "_selected_action": [ready.pk, incomplete.pk]},
        follow=True)
    text = "\n".join(messages_of(response))
    assert "Published 1: “Ready story”" in text
    assert "Not published: “No byline story”" in text and "at least one byline" in text
    assert Article.objects.get(pk=ready.pk).is_public
    assert Article.objects.get(pk=incomplete.pk).status == Status.DRAFT


def test_bulk_actions_are_refused_to_reporters_even_by_raw_post(client, publication,
                                                                reporter):
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    page = client.get(url("changelist")).text
    assert "publish_selected" not in page
    client.post(url("changelist"), {"action": "publish_selected",
                                    "_selected_action": [article.pk]})
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_move_to_section_asks_for_the_section_then_moves_each_story(client, publication,
                                                                    other_publication, editor):
    target = SectionFactory(publication=publication, name="Waterfront")
    here = ready_article(publication, headline="Here")
    elsewhere = ready_article(other_publication, headline="Elsewhere")
    client.force_login(editor)
    data = {"action": "move_to_section", "_selected_action": [here.pk, elsewhere.pk]}
    page = client.post(url("changelist"), data)
    assert "Move stories to a section" in page.text
    response = client.post(url("changelist"), {**data, "apply": "1", "section": target.pk},
                           follow=True)
    text = "\n".join(messages_of(response))
    assert "Moved 1: “Here”" in text
    assert "another publication" in text
    assert Article.objects.get(pk=here.pk).section == target
    assert Article.objects.get(pk=elsewhere.pk).section != target


def test_status_filter_knows_scheduled_embargoed_and_live(client, publication, editor):
    now = timezone.now()
    ready_article(publication, headline="Live one", published=True)
    ready_article(publication, headline="Later one", scheduled=True)
    ready_article(publication, headline="Secret one", published=True,
                  embargo_until=now + timedelta(hours=3))
    ready_article(publication, headline="Later secret one", scheduled=True,
                  embargo_until=now + timedelta(days=1))
    ready_article(publication, headline="Draft one")
    client.force_login(editor)
    # A story scheduled under an embargo is both (Article.is_scheduled, is_embargoed).
    expected = {"scheduled": {"Later one", "Later secret one"},
                "embargoed": {"Secret one", "Later secret one"},
                "live": {"Live one"}, "draft": {"Draft one"}}
    everyone = set().union(*expected.values())
    for state, headlines in expected.items():
        page = client.get(url("changelist"), {"state": state}).text
        listed = {headline for headline in everyone if f">{headline}<" in page}
        assert listed == headlines, state


def test_the_dashboard_lists_drafts_reviews_schedule_and_recent(client, publication,
                                                               reporter, editor):
    ready_article(publication, created_by=editor, headline="My own draft")
    ready_article(publication, created_by=reporter, headline="Waiting one",
                  status=Status.IN_REVIEW)
    ready_article(publication, headline="Due soon", status=Status.PUBLISHED,
                  publish_at=timezone.now() + timedelta(hours=3))
    ready_article(publication, headline="Due next week", status=Status.PUBLISHED,
                  publish_at=timezone.now() + timedelta(days=7))
    ready_article(publication, headline="Out this morning", published=True)
    ready_article(publication, headline="Embargo ends tonight", published=True,
                  embargo_until=timezone.now() + timedelta(hours=6))
    client.force_login(editor)
    page = client.get(reverse("admin:index")).text
    for headline in ["My own draft", "Waiting one", "Due soon", "Out this morning",
                     "Embargo ends tonight"]:
        assert headline in page
    assert "Due next week" not in page


def test_editors_are_emailed_on_submit_and_the_reporter_on_return(
        publication, reporter, editor, admin_user, django_capture_on_commit_callbacks):
    article = ready_article(publication, created_by=reporter)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.article_submit_for_review(article=article, user=reporter)
    [submitted] = mail.outbox
    assert sorted(submitted.to) == ["chief@herald.example", "ruth@herald.example"]
    assert submitted.subject == f"For review: {article.headline}"
    with django_capture_on_commit_callbacks(execute=True):
        workflow.article_return_to_reporter(article=article, user=editor, note="Add a map.")
    returned = mail.outbox[1]
    assert returned.to == ["dana@herald.example"]
    assert "Add a map." in returned.body


def test_hostile_names_are_escaped_in_lists_messages_dashboard_and_email(
        client, publication, reporter, editor, django_capture_on_commit_callbacks):
    article = ready_article(publication, created_by=reporter, headline=XSS,
                            status=Status.IN_REVIEW)
    article.tags.set([XSS])
    byline = article.bylines.first()
    byline.person.full_name = XSS
    byline.person.save()
    client.force_login(editor)
    pages = [
        client.get(url("changelist")).text,
        client.get(reverse("admin:index")).text,
        client.get(url("change", article.pk)).text,
        client.get(url("workflow", article.pk, "return")).text,
        client.post(url("workflow", article.pk, "publish"), follow=True).text,
        client.post(url("changelist"), {"action": "unpublish_selected",
                                        "_selected_action": [article.pk]}, follow=True).text,
    ]
    for page in pages:
        assert "<svg onload" not in page
        assert "&lt;svg onload=alert(1)&gt;" in page
    assert Article.objects.get(pk=article.pk).status == Status.UNPUBLISHED
    Article.objects.filter(pk=article.pk).update(status=Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.article_return_to_reporter(article=article, user=editor, note=XSS)
    html = mail.outbox[-1].alternatives[0][0]
    assert "<svg" not in html and "&lt;svg onload=alert(1)&gt;" in html
    # The subject is plain text (no HTML to inject into): one line, the headline as typed.
    assert mail.outbox[-1].subject == f"Returned to you: {XSS}"


def test_the_body_uses_the_bundled_rich_text_editor(client, publication, editor):
    client.force_login(editor)
    page = client.get(url("add")).text
    assert "data-django-prose-editor-configurable" in page
    assert "django_prose_editor/editor.js" in page
    assert "articles/admin/counters.js" in page
    assert finders.find("django_prose_editor/editor.js")
    assert finders.find("articles/admin/counters.js")
    assert "https://" not in page.split("<body")[0].replace("https://docs.djangoproject", "")


WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><title>Doc1</title>
<!--[if gte mso 9]><xml><w:WordDocument><w:Zoom>0</w:Zoom></w:WordDocument></xml><![endif]-->
<style>p.MsoNormal {font-family:"Calibri"}</style></head><body lang=EN-US>
<div class=WordSection1>
<p class=MsoNormal style='margin-bottom:0in'><b><span style='font-size:14.0pt'>Harbor board
delays vote<o:p></o:p></span></b></p>
<p class=MsoNormal><span style='mso-fareast-font-family:"Times New Roman"'>The board met on
<i>Tuesday</i>.<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoListParagraphCxSpFirst style='mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='font-family:Symbol'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;</span></span><![endif]>First
point<o:p></o:p></p></div></body></html>"""


def test_pasting_from_word_is_saved_as_clean_html(client, publication, editor):
    section = SectionFactory(publication=publication)
    client.force_login(editor)
    response = client.post(url("add"), article_form_data(
        publication, section, headline="From Word", body=WORD_HTML))
    assert response.status_code == 302
    body = Article.objects.get(headline="From Word").body
    for residue in ["mso", "Mso", "o:p", "<span", "style", "class=", "Doc1", "Zoom",
                    "Calibri", "·", "<p>&nbsp;</p>", "<p></p>"]:
        assert residue not in body, residue
    assert "<b>Harbor board\ndelays vote</b>" in body
    assert "<i>Tuesday</i>" in body
    assert "First\npoint" in body


def test_a_correction_added_in_the_inline_goes_through_the_workflow(client, publication,
                                                                   editor):
    article = ready_article(publication, published=True)
    client.force_login(editor)
    data = article_form_data(publication, article.section, headline=article.headline,
                             slug=article.slug, summary=article.summary, body=article.body,
                             loaded_version=article.version,
                             **{"corrections-TOTAL_FORMS": 1, "corrections-0-kind": "update",
                                "corrections-0-text": "Adds the mayor's response.",
                                "corrections-0-created_at_0": "2030-01-02",
                                "corrections-0-created_at_1": "10:00"})
    assert client.post(url("change", article.pk), data).status_code == 302
    correction = Correction.objects.get()
    article.refresh_from_db()
    assert article.updated_at == correction.created_at
    assert article.revisions.filter(comment="Update added").exists()


def test_byline_names_with_markup_in_the_list_are_text(client, publication, editor):
    article = ready_article(publication)
    article.bylines.all().delete()
    from .factories import BylineFactory

    BylineFactory(article=article, person=PersonFactory(full_name="<b>Bold</b> Name"))
    client.force_login(editor)
    page = client.get(url("changelist")).text
    assert "&lt;b&gt;Bold&lt;/b&gt; Name" in page


def test_featuring_from_the_story_page_says_what_happened(client, publication, editor):
    article = ready_article(publication, published=True, headline="Regatta returns")
    client.force_login(editor)
    response = client.post(url("workflow", article.pk, "feature"), follow=True)
    assert "“Regatta returns” featured. Status: Published." in messages_of(response)
    response = client.post(url("workflow", article.pk, "feature"), follow=True)
    assert "“Regatta returns” unfeatured. Status: Published." in messages_of(response)
    assert not Article.objects.get(pk=article.pk).featured


def test_a_reporters_dashboard_shows_only_their_own_unpublished_work(client, publication,
                                                                     reporter, other_reporter):
    ready_article(publication, created_by=reporter, headline="Mine in review",
                  status=Status.IN_REVIEW)
    ready_article(publication, created_by=other_reporter, headline="Theirs in review",
                  status=Status.IN_REVIEW)
    client.force_login(reporter)
    page = client.get(reverse("admin:index")).text
    assert "Mine in review" in page
    assert "Theirs in review" not in page


def test_staff_without_a_role_see_no_dashboard(client, staff_without_role, publication):
    ready_article(publication, headline="Anything at all", published=True)
    client.force_login(staff_without_role)
    page = client.get(reverse("admin:index")).text
    assert "newsroom-dashboard" not in page
    assert "Anything at all" not in page
