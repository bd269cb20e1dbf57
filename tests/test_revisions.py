"""Every save records a revision of the story's editorial content."""

import pytest
from django.urls import reverse

from articles.editorial.diffs import compare
from articles.editorial.revisions import display_value, record_revision, snapshot
from articles.models import Article, Revision

from .factories import ArticleFactory, BylineFactory, RelatedItemFactory, UserFactory
from .test_admin import article_form_data

pytestmark = pytest.mark.django_db


def test_a_snapshot_holds_fields_bylines_tags_and_related_items():
    article = ArticleFactory(headline="Gull Point lighthouse relit", kicker="Landmarks")
    article.tags.set(["lighthouses", "history"])
    BylineFactory(article=article, person__full_name="Dana Reyes")
    RelatedItemFactory(article=article, url="https://example.org/lamp", title="The old lamp")
    data = snapshot(article)
    assert data["headline"] == "Gull Point lighthouse relit"
    assert data["kicker"] == "Landmarks"
    assert data["section"]["name"] == article.section.name
    assert data["tags"] == ["history", "lighthouses"]
    assert [b["name"] for b in data["bylines"]] == ["Dana Reyes"]
    assert data["related"] == [
        {"target": None, "url": "https://example.org/lamp", "title": "The old lamp", "order": 0,
         "label": "The old lamp"}
    ]


def test_revisions_are_numbered_in_order_per_article():
    user = UserFactory()
    article = ArticleFactory()
    first = record_revision(article, user=user, comment="Created")
    article.headline = "A new headline"
    article.save()
    second = record_revision(article, user=user)
    assert (first.number, second.number) == (1, 2)
    assert second.article_version == article.version
    assert [diff.name for diff in compare(first.data, second.data)] == ["headline"]
    assert record_revision(ArticleFactory()).number == 1


def test_display_values_read_like_the_admin():
    assert display_value("status", "in_review") == "In review"
    assert display_value("featured", True) == "Yes"
    assert display_value("tags", ["a", "b"]) == "a, b"
    assert display_value("body", "") == ""


def test_saving_in_the_admin_records_a_revision_with_inlines(client, publication):
    from .factories import PersonFactory, SectionFactory

    client.force_login(UserFactory(username="chief", is_superuser=True))
    section = SectionFactory(publication=publication)
    person = PersonFactory(full_name="Sam Okafor")
    response = client.post(reverse("admin:articles_article_add"), article_form_data(
        publication, section, headline="Tide pools reopen", tags="beaches",
        **{"bylines-TOTAL_FORMS": 1, "bylines-0-person": person.pk, "bylines-0-role": "author",
           "bylines-0-order": 0}))
    assert response.status_code == 302
    revision = Revision.objects.get()
    assert revision.user.username == "chief"
    assert revision.data["headline"] == "Tide pools reopen"
    assert revision.data["tags"] == ["beaches"]
    assert revision.data["bylines"][0]["name"] == "Sam Okafor"


def test_times_are_kept_to_the_second_in_utc_and_shown_in_the_newsroom_zone(settings):
    from datetime import UTC, datetime

    settings.TIME_ZONE = "America/New_York"
    article = ArticleFactory(publish_at=datetime(2026, 7, 4, 16, 30, 5, 123456, tzinfo=UTC))
    data = snapshot(article)
    assert data["publish_at"] == "2026-07-04T16:30:05+00:00"
    assert display_value("publish_at", data["publish_at"]) == "July 4, 2026, 12:30 p.m."


def test_a_simple_flow_records_one_revision_per_meaningful_change(client, publication,
                                                                  reporter, editor):
    """Write → submit → publish → correct, through the admin's "Save and …" buttons: the
    saves before each step change nothing and add no "Edited" revision."""
    from .factories import PersonFactory, SectionFactory
    from .test_pending_changes import change_form_data

    section = SectionFactory(publication=publication)
    person = PersonFactory()
    client.force_login(reporter)
    client.post(reverse("admin:articles_article_add"), article_form_data(
        publication, section, headline="Harbour dredging starts", slug="harbour-dredging-starts",
        summary="Work begins Monday.", body="<p>The dredger arrives on Monday.</p>",
        **{"bylines-TOTAL_FORMS": 1, "bylines-0-person": person.pk,
           "bylines-0-role": "author", "bylines-0-order": 0}))
    article = Article.objects.get()

    def step(user, action, **fields):
        client.force_login(user)
        article.refresh_from_db()
        change = reverse("admin:articles_article_change", args=[article.pk])
        saved = client.post(change, change_form_data(article, _workflow=action))
        assert saved.status_code == 302, saved.context and saved.context["errors"]
        done = client.post(reverse("admin:articles_article_workflow",
                                   args=[article.pk, action]), fields)
        assert done.status_code == 302

    step(reporter, "submit")
    step(editor, "publish")
    step(editor, "correct", kind="correction", text="The dredger arrives on Tuesday.")
    comments = list(article.revisions.order_by("number").values_list("comment", flat=True))
    assert comments == ["Created", "Submitted for review", "Published", "Correction added"]


def test_an_admin_save_that_changes_something_is_still_a_revision(client, publication, editor):
    from .test_pending_changes import change_form_data

    article = ArticleFactory(publication=publication, headline="Tide tables printed")
    record_revision(article, comment="Created")
    client.force_login(editor)
    client.post(reverse("admin:articles_article_change", args=[article.pk]),
                change_form_data(article, headline="Tide tables reprinted"))
    assert list(article.revisions.order_by("number").values_list("comment", flat=True)) == [
        "Created", "Edited"]
