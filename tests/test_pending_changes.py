"""Edits to a live story wait as pending changes until an editor publishes them
("Live + changes"); readers keep the live version meanwhile."""

import pytest
from django.urls import reverse

from articles.editorial import workflow
from articles.models import Article, Correction, PendingChanges
from articles.reading.preview import create_preview_link, preview_url

from .factories import PersonFactory
from .workflow_helpers import ready_article

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"admin:articles_article_{name}", args=args)


def change_form_data(article, **changes):
    """What the change form posts for ``article`` as it is stored, with ``changes``."""
    bylines = list(article.bylines.order_by("order", "pk"))
    data = {
        "publication": article.publication_id, "section": article.section_id,
        "headline": article.headline, "slug": article.slug, "kicker": article.kicker,
        "dek": article.dek, "dateline": article.dateline, "summary": article.summary,
        "body": article.body, "tags": ", ".join(sorted(article.tags.names())),
        "priority": article.priority, "loaded_version": article.version,
        "bylines-TOTAL_FORMS": len(bylines), "bylines-INITIAL_FORMS": len(bylines),
        "related_items-TOTAL_FORMS": 0, "related_items-INITIAL_FORMS": 0,
        "corrections-TOTAL_FORMS": 0, "corrections-INITIAL_FORMS": 0,
    }
    for i, byline in enumerate(bylines):
        data.update({f"bylines-{i}-id": byline.pk, f"bylines-{i}-article": article.pk,
                     f"bylines-{i}-person": byline.person_id, f"bylines-{i}-role": byline.role,
                     f"bylines-{i}-order": byline.order})
    data.update(changes)
    return data


@pytest.fixture
def live(publication, editor):
    article = ready_article(publication, headline="Ferry fares rise in spring",
                            body="<p>Fares rise by 25 cents on March 1.</p>")
    return workflow.article_publish(article=article, user=editor)


def public_text(client, article):
    response = client.get(Article.objects.get(pk=article.pk).get_absolute_url())
    assert response.status_code == 200
    return response.text


def test_an_editors_save_on_a_live_story_waits_and_readers_keep_the_live_text(
        client, live, editor):
    client.force_login(editor)
    response = client.post(url("change", live.pk), change_form_data(
        live, body="<p>Fares rise by 40 cents on April 1.</p>", _continue="1"))
    assert response.status_code == 302
    client.logout()
    page = public_text(client, live)
    assert "25 cents" in page and "40 cents" not in page
    stored = Article.objects.get(pk=live.pk)
    assert stored.body == "<p>Fares rise by 25 cents on March 1.</p>"
    # Only the edit counter moves, so another editor's older form is an edit conflict.
    assert stored.version == live.version + 1
    assert not stored.revisions.filter(comment="Edited").exists()
    pending = PendingChanges.objects.get(article=live)
    assert pending.data["body"] == "<p>Fares rise by 40 cents on April 1.</p>"
    assert pending.saved_by == editor

    client.force_login(editor)
    form = client.get(url("change", live.pk)).text
    assert "Live + changes" in form
    assert "40 cents" in form  # the form shows the pending version
    assert url("compare", live.pk) + "?a=live&amp;b=pending" in form
    assert 'name="_workflow" value="publish_changes"' in form
    assert 'name="_workflow" value="discard_changes"' in form


def test_publish_changes_puts_them_live_with_one_revision(client, live, editor, commit):
    client.force_login(editor)
    assert "Ferry fares rise in spring" in public_text(client, live)
    with commit():
        response = client.post(url("change", live.pk), change_form_data(
            live, headline="Ferry fares rise in April", _workflow="publish_changes"))
    assert response["Location"] == url("workflow", live.pk, "publish_changes")
    assert "Ferry fares rise in April" not in public_text(client, live)
    revisions_before = live.revisions.count()
    with commit():
        response = client.post(url("workflow", live.pk, "publish_changes"))
    assert response.status_code == 302
    assert "Ferry fares rise in April" in public_text(client, live)
    assert not PendingChanges.objects.filter(article=live).exists()
    assert list(live.revisions.values_list("comment", flat=True)[:1]) == ["Published changes"]
    assert live.revisions.count() == revisions_before + 1


def test_discard_leaves_the_live_story_as_it_was(client, live, editor):
    client.force_login(editor)
    client.post(url("change", live.pk), change_form_data(live, headline="A headline to drop"))
    assert PendingChanges.objects.filter(article=live).exists()
    assert client.post(url("workflow", live.pk, "discard_changes")).status_code == 302
    assert not PendingChanges.objects.filter(article=live).exists()
    assert Article.objects.get(pk=live.pk).headline == "Ferry fares rise in spring"
    assert 'value="A headline to drop"' not in client.get(url("change", live.pk)).text


def test_a_save_that_changes_nothing_keeps_no_pending_changes(client, live, editor):
    client.force_login(editor)
    client.post(url("change", live.pk), change_form_data(live))
    assert not PendingChanges.objects.filter(article=live).exists()


def test_publishing_changes_that_lack_what_publishing_needs_is_refused(live, editor):
    workflow.article_keep_changes(article=live, user=editor,
                                  data={**workflow.snapshot(live), "summary": ""})
    with pytest.raises(workflow.WorkflowError, match="a summary"):
        workflow.article_publish_changes(article=live, user=editor)
    live.refresh_from_db()
    assert live.summary and PendingChanges.objects.filter(article=live).exists()


def test_the_preview_and_a_share_link_show_the_pending_version_only(client, live, editor):
    client.force_login(editor)
    client.post(url("change", live.pk), change_form_data(live, headline="Ferry fares rise in April"))
    assert "Ferry fares rise in April" in client.get(url("preview", live.pk)).text
    link = create_preview_link(article=live, user=editor)
    client.logout()
    assert "Ferry fares rise in April" in client.get(preview_url(link)).text
    page = public_text(client, live)
    assert "Ferry fares rise in spring" in page and "in April" not in page
    assert Article.objects.get(pk=live.pk).headline == "Ferry fares rise in spring"


def test_a_pending_byline_the_live_story_lacks_survives_the_form(client, live, editor):
    extra = PersonFactory(full_name="Imogen Vale")
    data = workflow.snapshot(live)
    data["bylines"] = [*data["bylines"], {"person": extra.pk, "name": extra.full_name,
                                          "role": "author", "order": 5}]
    workflow.article_keep_changes(article=live, user=editor, data=data)
    client.force_login(editor)
    form = client.get(url("change", live.pk))
    assert form.context["inline_admin_formsets"][0].formset.forms[-1].initial["person"] == extra.pk
    # Posting the form as shown (the extra row as a new one) keeps the pending byline.
    post = change_form_data(live, headline="Ferry fares rise, two reporters write")
    post.update({"bylines-TOTAL_FORMS": 2, "bylines-1-person": extra.pk,
                 "bylines-1-role": "author", "bylines-1-order": 5})
    response = client.post(url("change", live.pk), post)
    assert response.status_code == 302, response.context["errors"]
    pending = PendingChanges.objects.get(article=live)
    assert [b["name"] for b in pending.data["bylines"]][-1] == "Imogen Vale"
    assert live.bylines.count() == 1


def test_a_correction_on_a_live_story_is_public_on_save(client, live, editor):
    client.force_login(editor)
    data = change_form_data(live, headline="Changed, but pending", **{
        "corrections-TOTAL_FORMS": 1, "corrections-0-kind": "correction",
        "corrections-0-text": "An earlier version gave the wrong date.",
        "corrections-0-created_at_0": "2030-01-02", "corrections-0-created_at_1": "10:00"})
    assert client.post(url("change", live.pk), data).status_code == 302
    assert Correction.objects.filter(article=live).count() == 1
    assert "An earlier version gave the wrong date." in public_text(client, live)
    assert "Changed, but pending" not in public_text(client, live)
    assert PendingChanges.objects.get(article=live).data["headline"] == "Changed, but pending"


def test_restoring_a_revision_on_a_live_story_asks_then_makes_it_pending(client, live, editor):
    client.force_login(editor)
    old = live.revisions.order_by("number").first()
    Article.objects.filter(pk=live.pk)  # the live text now differs from revision 1's
    workflow.article_keep_changes(article=live, user=editor,
                                  data={**workflow.snapshot(live), "headline": "Newer words"})
    workflow.article_publish_changes(article=live, user=editor)
    history = client.get(url("revisions", live.pk)).text
    assert "Restore into pending changes…" in history
    confirm = client.post(url("restore", live.pk, old.number))
    assert confirm.status_code == 200
    assert "Restore into pending changes" in confirm.text
    assert not PendingChanges.objects.filter(article=live).exists()
    response = client.post(url("restore", live.pk, old.number), {"confirm": "1"})
    assert response.status_code == 302
    assert Article.objects.get(pk=live.pk).headline == "Newer words"
    assert PendingChanges.objects.get(article=live).data["headline"] == old.data["headline"]


def test_a_reporters_changes_to_their_live_story_wait_for_an_editor(
        client, publication, reporter, other_reporter, editor, mailoutbox, commit):
    article = ready_article(publication, created_by=reporter, headline="Pier reopens")
    workflow.article_publish(article=article, user=editor)
    workflow.article_keep_changes(article=article, user=editor,
                                  data={**workflow.snapshot(article), "headline": "Editor's"})
    client.force_login(reporter)
    # An editor's pending changes are not the reporter's to publish or drop.
    for action in ["publish_changes", "discard_changes"]:
        client.post(url("workflow", article.pk, action))
    assert PendingChanges.objects.get(article=article).data["headline"] == "Editor's"
    # The reporter's edit joins the pending changes; readers keep the live story.
    article.refresh_from_db()
    assert client.post(url("change", article.pk),
                       change_form_data(article, headline="Mine")).status_code == 302
    assert PendingChanges.objects.get(article=article).data["headline"] == "Mine"
    client.post(url("workflow", article.pk, "publish_changes"))
    with commit():
        client.post(url("workflow", article.pk, "submit_changes"))
    assert PendingChanges.objects.get(article=article).submitted_at is not None
    assert "Pier reopens" in public_text(client, article)
    assert Article.objects.get(pk=article.pk).headline == "Pier reopens"
    assert editor.email in {address for mail in mailoutbox for address in mail.to}
    with pytest.raises(workflow.PermissionDenied):
        workflow.article_publish_changes(article=article, user=reporter)
    # Someone else's live story stays out of reach.
    with pytest.raises(workflow.PermissionDenied):
        workflow.article_keep_changes(article=article, user=other_reporter, data={})


def test_someone_who_may_edit_but_not_publish_submits_changes_for_review(
        client, live, editor, mailoutbox, commit):
    from django.contrib.auth.models import Permission

    from articles.models import Membership

    from .workflow_helpers import user_in

    # An editor's desk on the story's masthead, but without the right to publish.
    desk = user_in(None, "kim", is_staff=True)
    desk.user_permissions.set(Permission.objects.filter(
        codename__in=["view_article", "add_article", "change_article", "edit_any_article"]))
    Membership.objects.create(user=desk, publication=live.publication,
                              role=Membership.Role.EDITOR)
    client.force_login(desk)
    client.post(url("change", live.pk), change_form_data(live, headline="Kim's headline",
                                                         _workflow="submit_changes"))
    form = client.get(url("change", live.pk)).text
    assert 'value="publish_changes"' not in form
    with commit():
        assert client.post(url("workflow", live.pk, "submit_changes")).status_code == 302
    assert PendingChanges.objects.get(article=live).submitted_at is not None
    assert [m.to for m in mailoutbox] == [[editor.email]]
    with pytest.raises(workflow.PermissionDenied):
        workflow.article_publish_changes(article=live, user=desk)
    assert Article.objects.get(pk=live.pk).headline == "Ferry fares rise in spring"


def test_a_second_editor_cannot_silently_replace_pending_changes(client, live, editor):
    from .workflow_helpers import EDITOR, user_in

    opened = change_form_data(live, dek="Omar's dek")  # Omar's form, opened first
    client.force_login(editor)
    client.post(url("change", live.pk), change_form_data(live, dek="The county's dek"))
    client.force_login(user_in(EDITOR, "omar"))
    response = client.post(url("change", live.pk), opened)
    assert response.status_code == 200
    assert "saved this story after you opened it" in response.text
    assert PendingChanges.objects.get(article=live).data["dek"] == "The county's dek"
