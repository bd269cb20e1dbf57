"""Every admin page for every model opens, and the article form behaves for editors."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from taggit.models import Tag

from articles.models import (
    ApiKey,
    Article,
    Correction,
    Publication,
    WebhookDelivery,
    WebhookEndpoint,
)
from people.models import SocialLink

from .factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ImageFactory,
    PersonFactory,
    RelatedItemFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = UserFactory(username="chief", is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def one_of_everything(publication):
    section = SectionFactory(publication=publication)
    article = ArticleFactory(publication=publication, section=section, published=True,
                             lead_image=ImageFactory())
    article.tags.set(["harbor", "ferries"])
    person = PersonFactory()
    SocialLink.objects.create(person=person, network="website", url="https://a.example")
    BylineFactory(article=article, person=person)
    RelatedItemFactory(article=article, url="https://example.org/x", title="Elsewhere")
    CorrectionFactory(article=article)
    Group.objects.get_or_create(name="Reporter")
    # Login records (django-axes): a lockout, a failure and a login.
    login = {"user_agent": "Firefox", "ip_address": "203.0.113.7", "username": "ruth",
             "http_accept": "text/html", "path_info": "/admin/login/"}
    AccessAttempt.objects.create(**login, get_data="", post_data="", failures_since_start=5)
    AccessFailureLog.objects.create(**login, locked_out=True)
    AccessLog.objects.create(**login)
    endpoint = WebhookEndpoint.objects.create(url="https://radio.example/hook",
                                              events=["published"])
    WebhookDelivery.objects.create(endpoint=endpoint, event="published", article=article,
                                   body="{}")
    api_key = ApiKey(name="Valley Ledger app")
    api_key.issue()
    api_key.save()
    return article


# Made by the newsroom itself, never typed into the admin.
SYSTEM_MADE = {"webhookdelivery"}


def registered_models():
    return sorted(
        (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
    )


def test_every_model_the_newsroom_edits_is_registered():
    assert {
        ("articles", "article"), ("articles", "image"), ("articles", "publication"),
        ("articles", "section"), ("people", "person"), ("taggit", "tag"),
    } <= set(registered_models())


@pytest.mark.parametrize(("app_label", "model_name"), registered_models())
def test_changelist_add_and_change_pages_open(superuser_client, one_of_everything, app_label,
                                              model_name):
    model = next(
        m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name)
        == (app_label, model_name)
    )
    base = f"admin:{app_label}_{model_name}"
    assert superuser_client.get(reverse(f"{base}_changelist")).status_code == 200
    add = superuser_client.get(reverse(f"{base}_add")).status_code
    # Records only the system makes (webhook deliveries, login records) have no add page.
    assert add == (403 if app_label == "axes" or model_name in SYSTEM_MADE else 200)
    obj = model._default_manager.first()
    assert obj is not None, f"the fixture made no {model_name}"
    assert superuser_client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200


def test_article_changelist_filters_search_and_date_hierarchy(superuser_client,
                                                              one_of_everything):
    url = reverse("admin:articles_article_changelist")
    article = one_of_everything
    for query in [
        {"status__exact": "published"},
        {"publication__id__exact": article.publication_id},
        {"section__id__exact": article.section_id},
        {"q": article.headline.split()[0]},
        {"q": article.bylines.first().person.full_name},
        {"publish_at__year": article.publish_at.year},
    ]:
        response = superuser_client.get(url, query)
        assert response.status_code == 200
        assert article.headline in response.text, query


def article_form_data(publication, section, **overrides):
    data = {
        "publication": publication.pk, "section": section.pk, "headline": "", "slug": "",
        "kicker": "", "dek": "", "dateline": "", "summary": "", "body": "", "tags": "",
        "status": "draft", "priority": 0,
        "bylines-TOTAL_FORMS": 0, "bylines-INITIAL_FORMS": 0,
        "related_items-TOTAL_FORMS": 0, "related_items-INITIAL_FORMS": 0,
        "corrections-TOTAL_FORMS": 0, "corrections-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_empty_headline_is_an_error_and_keeps_what_the_editor_typed(superuser_client,
                                                                    publication):
    section = SectionFactory(publication=publication)
    body = "<p>Four paragraphs of careful reporting about the tide gauges.</p>"
    response = superuser_client.post(
        reverse("admin:articles_article_add"),
        article_form_data(publication, section, body=body, dek="A dek the editor wrote"),
    )
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert "careful reporting about the tide gauges" in response.text
    assert "A dek the editor wrote" in response.text
    assert not Article.objects.exists()


def test_two_stories_with_the_same_headline_get_distinct_slugs_in_the_admin(superuser_client,
                                                                           publication):
    section = SectionFactory(publication=publication)
    url = reverse("admin:articles_article_add")
    for _ in range(2):
        # The admin's JavaScript fills the slug from the headline before posting.
        response = superuser_client.post(url, article_form_data(
            publication, section, headline="Ferry strike ends", slug="ferry-strike-ends"))
        assert response.status_code == 302
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "ferry-strike-ends", "ferry-strike-ends-2"]


def test_a_hand_typed_slug_that_is_taken_is_a_clear_error(superuser_client, publication):
    section = SectionFactory(publication=publication)
    ArticleFactory(publication=publication, headline="Old story", slug="budget-vote")
    response = superuser_client.post(reverse("admin:articles_article_add"), article_form_data(
        publication, section, headline="New story", slug="budget-vote"))
    assert response.status_code == 200
    assert "already uses this address" in response.text
    assert 'value="New story"' in response.text


def test_saving_an_article_with_inlines_and_tags(superuser_client, publication):
    section = SectionFactory(publication=publication)
    person = PersonFactory()
    response = superuser_client.post(reverse("admin:articles_article_add"), article_form_data(
        publication, section, headline="Pier repairs finish early",
        body='<p onclick="x()">Crews finished <script>bad()</script>today.</p>',
        tags="harbor, public works",
        **{"bylines-TOTAL_FORMS": 1, "bylines-0-person": person.pk,
           "bylines-0-role": "author", "bylines-0-order": 0,
           "corrections-TOTAL_FORMS": 1, "corrections-0-kind": "update",
           "corrections-0-text": "Adds the contractor's name.",
           "corrections-0-created_at_0": "2026-11-20", "corrections-0-created_at_1": "10:00"},
    ))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.body == "<p>Crews finished today.</p>"
    assert sorted(article.tags.names()) == ["harbor", "public works"]
    assert [b.person for b in article.bylines.all()] == [person]
    assert Correction.objects.get().kind == "update"
    assert article.created_by.username == "chief"


def test_section_of_another_publication_is_refused(superuser_client, publication,
                                                   other_publication):
    section = SectionFactory(publication=other_publication)
    response = superuser_client.post(reverse("admin:articles_article_add"), article_form_data(
        publication, section, headline="Wrong section"))
    assert response.status_code == 200
    assert "Choose a section of this story" in response.text


def test_tag_suggestions_autocomplete(superuser_client):
    for name in ["harbor", "harbor police", "budget"]:
        Tag.objects.create(name=name)
    url = reverse("admin:articles_article_tag_suggestions")
    assert superuser_client.get(url, {"q": "harb"}).json() == {
        "results": ["harbor", "harbor police"]}
    assert superuser_client.get(url, {"q": ""}).json() == {"results": []}


def test_tag_suggestions_need_a_staff_login(client):
    response = client.get(reverse("admin:articles_article_tag_suggestions"), {"q": "a"})
    assert response.status_code == 302


def test_autocomplete_for_people_in_bylines(superuser_client):
    PersonFactory(full_name="Dana Reyes")
    response = superuser_client.get(reverse("admin:autocomplete"), {
        "app_label": "articles", "model_name": "byline", "field_name": "person", "term": "Rey"})
    assert [r["text"] for r in response.json()["results"]] == ["Dana Reyes"]


def byline_autocomplete(client, term):
    """The names the byline's person field suggests for a typed term."""
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "articles", "model_name": "byline", "field_name": "person", "term": term})
    assert response.status_code == 200
    return [r["text"] for r in response.json()["results"]]


def test_byline_autocomplete_offers_only_active_people(superuser_client):
    PersonFactory(full_name="Dana Reyes")
    PersonFactory(full_name="Marco Reyes", is_active=False)
    assert byline_autocomplete(superuser_client, "Reyes") == ["Dana Reyes"]
    assert byline_autocomplete(superuser_client, "") == ["Dana Reyes"]


def test_a_byline_of_a_person_no_longer_active_still_shows_and_saves(superuser_client,
                                                                     publication):
    section = SectionFactory(publication=publication)
    article = ArticleFactory(publication=publication, section=section)
    former = PersonFactory(full_name="Marco Reyes", is_active=False)
    byline = BylineFactory(article=article, person=former)
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = superuser_client.get(url)
    assert f'<option value="{former.pk}" selected>Marco Reyes</option>' in response.text

    response = superuser_client.post(url, article_form_data(
        publication, section, headline=article.headline, slug=article.slug,
        body=article.body, loaded_version=article.version,
        **{"bylines-TOTAL_FORMS": 1, "bylines-INITIAL_FORMS": 1,
           "bylines-0-id": byline.pk, "bylines-0-article": article.pk,
           "bylines-0-person": former.pk, "bylines-0-role": "author", "bylines-0-order": 0},
    ))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [b.person for b in article.bylines.all()] == [former]


def test_the_people_list_still_shows_inactive_people(superuser_client):
    PersonFactory(full_name="Dana Reyes")
    PersonFactory(full_name="Marco Reyes", is_active=False)
    url = reverse("admin:people_person_changelist")
    for query in [{}, {"q": "Reyes"}]:
        response = superuser_client.get(url, query)
        assert "Dana Reyes" in response.text, query
        assert "Marco Reyes" in response.text, query


def test_publication_admin_lists_the_default(superuser_client, publication):
    response = superuser_client.get(reverse("admin:articles_publication_changelist"))
    assert publication.name in response.text
    assert Publication.objects.count() == 1
