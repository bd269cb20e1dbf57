"""The change form's autosave: kept per person and story, offered back, deleted by a save,
and guarded by the same permission as the form (raw POSTs included)."""

import json

import pytest
from django.urls import reverse

from articles.editorial import workflow
from articles.models import Autosave

from .test_pending_changes import change_form_data
from .workflow_helpers import ready_article

pytestmark = pytest.mark.django_db

PAIRS = [["headline", "Tide gauges fail twice"], ["body", "<p>Typed, not saved.</p>"]]


def autosave(client, article=None, **post):
    name = "autosave" if article else "autosave_new"
    args = [article.pk] if article else []
    return client.post(reverse(f"admin:articles_article_{name}", args=args),
                       post or {"data": json.dumps(PAIRS)})


def test_what_a_reporter_types_is_kept_and_offered_back(client, publication, reporter):
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    assert autosave(client, article).status_code == 200
    kept = Autosave.objects.get(user=reporter, article=article)
    assert kept.data == PAIRS
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).text
    assert "Restore unsaved changes from" in page
    assert "Typed, not saved." in page  # the autosave's data, for the page's script


def test_a_new_story_has_one_autosave_per_person(client, reporter):
    client.force_login(reporter)
    autosave(client)
    autosave(client, data=json.dumps([["headline", "Second try"]]))
    assert list(Autosave.objects.values_list("data", flat=True)) == [[["headline", "Second try"]]]
    page = client.get(reverse("admin:articles_article_add")).text
    assert "Restore unsaved changes from" in page and "Second try" in page


def test_a_successful_save_deletes_the_autosave(client, publication, reporter):
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    autosave(client, article)
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]),
                           change_form_data(article, headline="Tide gauges fail twice"))
    assert response.status_code == 302
    assert not Autosave.objects.exists()


def test_saving_a_live_story_into_pending_changes_deletes_the_autosave(client, publication,
                                                                        editor):
    article = workflow.article_publish(article=ready_article(publication), user=editor)
    client.force_login(editor)
    autosave(client, article)
    client.post(reverse("admin:articles_article_change", args=[article.pk]),
                change_form_data(article, headline="Tide gauges fail twice"))
    assert not Autosave.objects.exists()


def test_an_autosave_older_than_the_last_save_is_not_offered(client, publication, reporter):
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    autosave(client, article)
    article.save()  # someone saved the story since
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).text
    assert "Restore unsaved changes" not in page


def test_discarding_forgets_the_autosave(client, publication, reporter):
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    autosave(client, article)
    assert autosave(client, article, discard="1").status_code == 200
    assert not Autosave.objects.exists()


def test_only_those_who_may_edit_the_story_may_autosave_it(client, publication, reporter,
                                                          other_reporter, editor):
    article = ready_article(publication, created_by=reporter)
    client.force_login(other_reporter)
    assert autosave(client, article).status_code == 404  # another's draft: not even shown
    live = workflow.article_publish(article=ready_article(publication, created_by=reporter),
                                    user=editor)
    assert autosave(client, live).status_code == 403  # shown, not theirs to change
    workflow.article_submit_for_review(article=article, user=reporter)
    client.force_login(reporter)  # in review: no longer the reporter's to change
    assert autosave(client, article).status_code == 403
    client.force_login(editor)
    assert autosave(client, article).status_code == 200
    client.logout()
    assert autosave(client, article).status_code == 302  # to the login page
    assert list(Autosave.objects.values_list("user__username", flat=True)) == ["ruth"]


def test_an_autosave_never_reaches_readers_or_the_history(client, publication, editor):
    article = workflow.article_publish(article=ready_article(publication), user=editor)
    revisions = article.revisions.count()
    client.force_login(editor)
    autosave(client, article)
    client.logout()
    assert "Tide gauges fail twice" not in client.get(article.get_absolute_url()).text
    assert article.revisions.count() == revisions


def test_bad_autosave_data_is_a_clear_400(client, reporter):
    client.force_login(reporter)
    for data in ["not json", json.dumps({"headline": "x"}), json.dumps([["a", 1]]), ""]:
        response = autosave(client, data=data)
        assert response.status_code == 400
        assert "pairs" in response.json()["error"]
    assert client.get(reverse("admin:articles_article_autosave_new")).status_code == 405


def test_the_autosave_endpoint_checks_the_csrf_token(publication, reporter):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter)
    assert autosave(client).status_code == 403
    assert not Autosave.objects.exists()
