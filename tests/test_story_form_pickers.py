"""The story form's pickers offer only what fits the story (articles/admin/pickers.py): the
sections of its publication, stories readers can see on its masthead for "In Other News",
and times typed in the newsroom's zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.editorial.roles import EDITOR, REPORTER
from articles.models import Article

from .factories import ArticleFactory, PublicationFactory, SectionFactory
from .test_admin import article_form_data
from .workflow_helpers import ready_article, user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def valley(db):
    return PublicationFactory(name="The Valley Ledger", slug="valley", domain="valley.example")


@pytest.fixture
def editor_client(client, publication, valley):
    client.force_login(user_in(EDITOR, "ruth"))
    return client


def other_news(client, **params):
    response = client.get(reverse("admin:articles_article_other_news"), params)
    assert response.status_code == 200
    return response.json()


def test_each_section_option_names_its_publication_and_only_its_own_name(
        editor_client, publication, valley):
    SectionFactory(publication=publication, name="Harbor")
    SectionFactory(publication=valley, name="Farm & Field")
    page = editor_client.get(reverse("admin:articles_article_add")).text
    assert 'data-section-picker="id_publication"' in page
    assert f'data-publication="{publication.pk}">Harbor</option>' in page
    assert f'data-publication="{valley.pk}">Farm &amp; Field</option>' in page
    assert "section_picker.js" in page


def test_a_section_of_another_masthead_is_refused_and_nothing_is_lost(
        editor_client, publication, valley):
    response = editor_client.post(reverse("admin:articles_article_add"), article_form_data(
        publication, SectionFactory(publication=valley), headline="Ferry fares rise",
        body="<p>Fares rise by a dollar.</p>"))
    assert response.status_code == 200
    assert "Choose a section of this story" in response.text
    assert "Fares rise by a dollar." in response.text
    assert not Article.objects.exists()


def test_in_other_news_offers_only_stories_readers_see_on_the_masthead(
        editor_client, publication, valley):
    live = ready_article(publication, headline="Ferry fares rise", published=True)
    ready_article(publication, headline="Ferry draft")
    ready_article(publication, headline="Ferry scheduled", scheduled=True)
    ready_article(publication, headline="Ferry embargoed", published=True,
                  embargo_until=timezone.now() + timedelta(hours=4))
    ready_article(valley, headline="Ferry in the valley", published=True)
    found = other_news(editor_client, masthead=publication.pk, term="ferry")
    day = timezone.localtime(live.publish_at).strftime("%-d %b %Y")
    assert found["results"] == [{"id": str(live.pk),
                                 "text": f"Ferry fares rise · Published · {day}"}]
    valley_found = other_news(editor_client, masthead=valley.pk, term="ferry")
    assert [r["text"].split(" · ")[0] for r in valley_found["results"]] == ["Ferry in the valley"]


def test_the_in_other_news_picker_asks_for_the_storys_own_masthead(editor_client, publication):
    article = ready_article(publication)
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).text
    assert f'{reverse("admin:articles_article_other_news")}?masthead={publication.pk}' in page


def test_the_chosen_story_is_named_with_its_status_and_date(editor_client, publication, valley):
    target = ready_article(publication, headline="Pier repairs begin", published=True)
    article = ready_article(publication)
    article.related_items.create(target=target)
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).text
    assert "Pier repairs begin · Published ·" in page


def test_in_other_news_pages_through_many_stories(editor_client, publication, valley):
    section = SectionFactory(publication=publication)
    for n in range(25):
        ArticleFactory(publication=publication, section=section, published=True,
                       headline=f"Tide table {n}")
    first = other_news(editor_client, masthead=publication.pk, term="tide")
    second = other_news(editor_client, masthead=publication.pk, term="tide", page=2)
    assert (len(first["results"]), first["pagination"]["more"]) == (20, True)
    assert (len(second["results"]), second["pagination"]["more"]) == (5, False)
    assert other_news(editor_client, masthead="x", page="y")["results"]  # nonsense: page 1


def test_only_people_who_may_read_stories_get_the_picker(client, publication):
    url = reverse("admin:articles_article_other_news")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(user_in(None, "temp"))
    assert client.get(url).status_code == 403


def test_a_reporter_sees_stories_of_their_desks_for_a_story_not_saved_yet(client, publication,
                                                                         valley):
    ready_article(publication, headline="Harbor live", published=True)
    ready_article(valley, headline="Valley live", published=True)
    client.force_login(user_in(REPORTER, "dana", desks=[publication]))
    assert [r["text"].split(" · ")[0] for r in other_news(client)["results"]] == ["Harbor live"]


def test_updated_is_typed_in_the_newsrooms_zone_without_the_server_time_note(
        editor_client, publication, settings):
    article = ready_article(publication)
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = editor_client.get(url).text
    assert f"Newsroom time ({settings.TIME_ZONE})" in page
    # The note's class tells Django's calendar script not to add its own.
    assert 'class="help timezonewarning newsroom-zone"' in page
    data = article_form_data(publication, article.section, headline=article.headline,
                             slug=article.slug, summary=article.summary, body=article.body,
                             loaded_version=article.version, updated_at_0="2026-03-14",
                             updated_at_1="09:30")
    assert editor_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.updated_at == datetime(2026, 3, 14, 9, 30, tzinfo=ZoneInfo(settings.TIME_ZONE))
