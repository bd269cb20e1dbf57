"""History, diffs, restore, edit conflicts and presence on the article admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, EditingSession, Revision

from .factories import ArticleFactory, SectionFactory, UserFactory
from .test_admin import article_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(client):
    user = UserFactory(username="chief", first_name="Ruth", last_name="Abernathy",
                       is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def story(publication):
    section = SectionFactory(publication=publication)
    return ArticleFactory(publication=publication, section=section,
                          headline="Ferry fares rise in spring",
                          body="<p>Fares will rise by 25 cents on March 1.</p>")


def save_in_admin(client, article, *, loaded_version, **changes):
    data = article_form_data(
        article.publication, article.section,
        headline=article.headline, body=article.body, slug=article.slug, dek=article.dek,
        dateline=article.dateline, summary=article.summary, status=article.status,
        loaded_version=loaded_version,
    )
    data.update(changes)
    return client.post(reverse("admin:articles_article_change", args=[article.pk]), data)


def test_each_admin_save_adds_a_revision_to_the_history_page(client, chief, story):
    save_in_admin(client, story, loaded_version=story.version,
                  headline="Ferry fares rise in April")
    story.refresh_from_db()
    save_in_admin(client, story, loaded_version=story.version,
                  body="<p>Fares will rise by 30 cents on April 1.</p>")
    response = client.get(reverse("admin:articles_article_revisions", args=[story.pk]))
    assert response.status_code == 200
    revisions = response.context["revisions"]
    assert [r.number for r in revisions] == [2, 1]
    assert revisions[0].changes == ["Body"]
    assert "Ruth Abernathy" in response.text


def test_compare_shows_removed_and_added_words_side_by_side(client, chief, story):
    save_in_admin(client, story, loaded_version=story.version)
    story.refresh_from_db()
    save_in_admin(client, story, loaded_version=story.version,
                  body="<p>Fares will rise by 40 cents on March 1.</p>")
    url = reverse("admin:articles_article_compare", args=[story.pk])
    response = client.get(url, {"a": 1, "b": 2})
    assert response.status_code == 200
    assert "<del>25</del>" in response.text
    assert "<ins>40</ins>" in response.text
    assert [d.label for d in response.context["diffs"]] == ["Body"]


def test_compare_with_the_live_story(client, chief, story):
    save_in_admin(client, story, loaded_version=story.version)
    Article.objects.filter(pk=story.pk).update(headline="Changed outside the admin")
    response = client.get(reverse("admin:articles_article_compare", args=[story.pk]),
                          {"a": 1, "b": "live"})
    assert [d.label for d in response.context["diffs"]] == ["Headline"]
    assert "<ins>outside</ins>" in response.text or "outside" in response.text


@pytest.mark.parametrize("query", [{}, {"a": "x", "b": "1"}, {"a": "1", "b": "99"},
                                   {"a": "-1", "b": "live"}])
def test_compare_with_nonsense_revisions_is_404(client, chief, story, query):
    save_in_admin(client, story, loaded_version=story.version)
    url = reverse("admin:articles_article_compare", args=[story.pk])
    assert client.get(url, query).status_code == 404


def test_restore_puts_old_wording_back_without_publishing(client, chief, story):
    save_in_admin(client, story, loaded_version=story.version)
    story.refresh_from_db()
    save_in_admin(client, story, loaded_version=story.version, headline="A worse headline")
    url = reverse("admin:articles_article_restore", args=[story.pk, 1])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "Ferry fares rise in spring"
    assert story.status == Article.Status.DRAFT
    latest = story.revisions.first()
    assert (latest.number, latest.comment) == (3, "Restored revision 1")


def test_copy_as_new_draft_leaves_the_story_alone(client, chief, story):
    story.status, story.publish_at = Article.Status.PUBLISHED, timezone.now()
    story.save()
    # Opening the live story records its baseline (revision 1); a save keeps pending changes.
    client.get(reverse("admin:articles_article_change", args=[story.pk]))
    save_in_admin(client, story, loaded_version=story.version, status="published",
                  publish_at_0="2026-11-01", publish_at_1="10:00")
    response = client.post(reverse("admin:articles_article_restore", args=[story.pk, 1]),
                           {"as": "copy"})
    assert response.status_code == 302
    copy = Article.objects.exclude(pk=story.pk).get()
    assert copy.status == Article.Status.DRAFT
    assert copy.headline == story.headline and copy.slug != story.slug
    assert copy.revisions.get().comment == f"Copied from revision 1 of story #{story.pk}"
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED


def test_history_needs_permission_on_articles(client, story):
    record = Revision.objects.create(article=story, number=1, article_version=1, data={})
    nobody = UserFactory(username="intern")
    client.force_login(nobody)
    urls = [
        reverse("admin:articles_article_revisions", args=[story.pk]),
        reverse("admin:articles_article_compare", args=[story.pk]) + "?a=1&b=live",
    ]
    # Refused, or not even shown to exist.
    for url in urls:
        assert client.get(url).status_code in (403, 404)
    assert client.post(reverse("admin:articles_article_restore",
                               args=[story.pk, record.number])).status_code in (403, 404)
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page


def test_viewing_history_does_not_allow_restoring(client, story):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    story.created_by = viewer  # people without "edit any" see their own stories
    story.save()
    client.force_login(viewer)
    Revision.objects.create(article=story, number=1, article_version=1,
                            data={"headline": "Old"})
    assert client.get(reverse("admin:articles_article_revisions",
                              args=[story.pk])).status_code == 200
    response = client.post(reverse("admin:articles_article_restore", args=[story.pk, 1]))
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.headline == "Ferry fares rise in spring"


def test_markup_in_headlines_is_escaped_in_history_and_diffs(client, chief, story):
    save_in_admin(client, story, loaded_version=story.version)
    story.refresh_from_db()
    save_in_admin(client, story, loaded_version=story.version,
                  headline='"><svg onload=alert(1)>')
    for url in [reverse("admin:articles_article_revisions", args=[story.pk]),
                reverse("admin:articles_article_compare", args=[story.pk]) + "?a=1&b=2"]:
        html = client.get(url).text
        assert "<svg onload" not in html
        assert "&lt;svg" in html


class TestEditConflicts:
    def test_the_second_save_is_stopped_and_keeps_what_was_typed(self, client, chief, story,
                                                               django_user_model):
        other = UserFactory(username="sam", first_name="Sam", last_name="Okafor",
                            is_superuser=True)
        from django.test import Client

        other_client = Client()
        other_client.force_login(other)
        change_url = reverse("admin:articles_article_change", args=[story.pk])
        for c in (client, other_client):  # both editors open the story
            assert c.get(change_url).status_code == 200
        opened = story.version
        first = save_in_admin(other_client, story, loaded_version=opened,
                              headline="Ferry fares rise by a quarter")
        assert first.status_code == 302

        mine = "<p>My careful rewrite of the whole story, three paragraphs long.</p>"
        response = save_in_admin(client, story, loaded_version=opened,
                                 headline="My better headline", body=mine)
        assert response.status_code == 200
        assert "Sam Okafor saved this story after you opened it" in response.text
        assert "My careful rewrite of the whole story" in response.text
        assert 'value="My better headline"' in response.text
        conflict = response.context["adminform"].form.conflict
        assert [d.label for d in conflict["changes"]] == ["Headline"]
        story.refresh_from_db()
        assert story.headline == "Ferry fares rise by a quarter"  # nothing overwritten

        # Having seen the changes, saving again keeps this editor's version.
        new_version = int(response.context["adminform"].form["loaded_version"].value())
        assert new_version == story.version
        again = save_in_admin(client, story, loaded_version=new_version,
                              headline="My better headline", body=mine)
        assert again.status_code == 302
        story.refresh_from_db()
        assert story.headline == "My better headline"
        assert story.body == mine

    def test_a_save_from_an_up_to_date_form_goes_through(self, client, chief, story):
        response = save_in_admin(client, story, loaded_version=story.version,
                                 headline="Fresh")
        assert response.status_code == 302

    def test_the_change_form_carries_the_version_it_showed(self, client, chief, story):
        response = client.get(reverse("admin:articles_article_change", args=[story.pk]))
        assert f'name="loaded_version" value="{story.version}"' in response.text


class TestPresence:
    def test_an_editor_sees_who_else_has_the_story_open(self, client, chief, story):
        other = UserFactory(username="sam", first_name="Sam", last_name="Okafor",
                            is_superuser=True)
        EditingSession.objects.create(article=story, user=other)
        response = client.get(reverse("admin:articles_article_change", args=[story.pk]))
        assert response.context["also_editing"] == ["Sam Okafor"]
        assert "also editing this story" in response.text
        assert 'class="also-editing-names">Sam Okafor</span>' in response.text

    def test_nobody_else_means_no_notice(self, client, chief, story):
        response = client.get(reverse("admin:articles_article_change", args=[story.pk]))
        assert response.context["also_editing"] == []
        assert EditingSession.objects.filter(article=story, user=chief).exists()

    def test_opening_a_story_with_no_history_records_a_baseline(self, client, chief, story):
        url = reverse("admin:articles_article_change", args=[story.pk])
        client.get(url)
        client.get(url)
        assert [r.comment for r in story.revisions.all()] == [
            "Baseline: the story before its first edit"]

    def test_the_heartbeat_reports_others_and_forgets_stale_and_departed_editors(
            self, client, chief, story):
        url = reverse("admin:articles_article_presence", args=[story.pk])
        sam = UserFactory(username="sam", first_name="Sam", last_name="Okafor")
        gone = UserFactory(username="gone")
        EditingSession.objects.create(article=story, user=sam)
        EditingSession.objects.create(article=story, user=gone,
                                      last_seen=timezone.now() - timedelta(minutes=5))
        data = client.post(url).json()
        assert data["others"] == ["Sam Okafor"]
        assert data["version"] == story.version
        client.post(url, {"leaving": "1"})
        assert not EditingSession.objects.filter(article=story, user=chief).exists()
        assert client.get(url).status_code == 405


class TestSavesThatDoNotSayWhichVersion:
    def test_are_refused_as_a_conflict_and_keep_what_was_typed(self, client, chief, story):
        from django.test import Client

        other = UserFactory(username="sam", first_name="Sam", last_name="Okafor",
                            is_superuser=True)
        other_client = Client()
        other_client.force_login(other)
        first = save_in_admin(other_client, story, loaded_version=story.version,
                              headline="Ferry fares rise by a quarter")
        assert first.status_code == 302

        mine = "<p>A rewrite posted by a page that never said what it edits.</p>"
        response = save_in_admin(client, story, loaded_version="", headline="Stale headline",
                                 body=mine)
        assert response.status_code == 200
        assert "Sam Okafor saved this story after you opened it" in response.text
        assert 'value="Stale headline"' in response.text
        assert "A rewrite posted by a page that never said" in response.text
        story.refresh_from_db()
        assert story.headline == "Ferry fares rise by a quarter"  # A's edit stands

        # The refused form now carries the current version: saving it again is deliberate.
        new_version = int(response.context["adminform"].form["loaded_version"].value())
        assert new_version == story.version
        again = save_in_admin(client, story, loaded_version=new_version,
                              headline="Stale headline", body=mine)
        assert again.status_code == 302

    def test_the_field_left_out_altogether_is_refused_too(self, client, chief, story):
        data = article_form_data(story.publication, story.section, headline="Raw POST",
                                 body=story.body, slug=story.slug, summary=story.summary)
        assert "loaded_version" not in data
        response = client.post(reverse("admin:articles_article_change", args=[story.pk]), data)
        assert response.status_code == 200
        story.refresh_from_db()
        assert story.headline == "Ferry fares rise in spring"
