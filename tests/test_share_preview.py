"""The search and social preview in the story form (articles/admin/share_preview.py) shows
what the story's page gives search engines and social networks: the same rules, run on the
form's values as typed, nothing saved."""

import html
import re

import pytest
from django.urls import reverse

from articles.editorial.roles import EDITOR, REPORTER
from articles.models import Article

from .factories import ImageFactory
from .workflow_helpers import ready_article, user_in

pytestmark = pytest.mark.django_db


def meta(page, prop):
    found = re.search(rf'<meta property="{prop}" content="([^"]*)">', page)
    return html.unescape(found.group(1)) if found else None


def preview(client, article=None, **typed):
    url = reverse("admin:articles_article_share_preview", args=[article.pk] if article else [])
    return client.post(url, typed)


@pytest.fixture
def editor_client(client, publication):
    client.force_login(user_in(EDITOR, "ruth"))
    return client


def form_values(article):
    return {"headline": article.headline, "seo_title": article.seo_title,
            "seo_description": article.seo_description, "summary": article.summary,
            "slug": article.slug, "canonical_url": article.canonical_url, "body": article.body,
            "publication": str(article.publication_id),
            "lead_image": str(article.lead_image_id or "")}


@pytest.mark.parametrize("story", [
    {"seo_title": "Ferry fares: what changes", "seo_description": "Two dollars more."},
    {"seo_title": "", "seo_description": "", "summary": "Fares rise in March."},
    {"seo_title": "", "seo_description": "", "summary": ""},  # the body's opening words
    {"canonical_url": "https://wire.example/ferry-fares"},
])
def test_the_preview_says_what_the_page_tells_search_engines_and_social_networks(
        editor_client, publication, story):
    image = ImageFactory(alt_text="The ferry at the Pier 3 slip", focal_x=0.2, focal_y=0.7)
    article = ready_article(publication, published=True, headline="Ferry fares rise",
                            body="<p>Riders will pay <b>two dollars</b> more &amp; wait less.</p>",
                            lead_image=image, **story)
    page = editor_client.get(article.get_absolute_url()).text
    card = preview(editor_client, article, **form_values(article)).json()
    assert card["title"] == meta(page, "og:title")
    assert card["description"] == meta(page, "og:description")
    assert card["url"] == meta(page, "og:url")
    assert card["image"]["url"] == meta(page, "og:image")
    assert card["image"]["alt"] == meta(page, "og:image:alt")
    assert (card["image"]["focal_x"], card["image"]["focal_y"]) == (0.2, 0.7)
    assert card["site_name"] == meta(page, "og:site_name")


def test_the_preview_follows_what_is_typed_and_saves_nothing(editor_client, publication):
    article = ready_article(publication, headline="Ferry fares rise", summary="Old summary.")
    typed = {**form_values(article), "headline": "Ferry fares rise by two dollars",
             "summary": "", "body": "<p>Riders will pay more from March.</p>", "lead_image": ""}
    card = preview(editor_client, article, **typed).json()
    assert card["title"] == "Ferry fares rise by two dollars"
    assert card["description"] == "Riders will pay more from March."
    assert card["image"] is None
    article.refresh_from_db()
    assert (article.headline, article.summary) == ("Ferry fares rise", "Old summary.")


def test_a_story_not_saved_yet_gets_a_preview_too(editor_client, publication):
    card = preview(editor_client, headline="Pier 3 reopens", summary="After two years.",
                   publication=str(publication.pk)).json()
    assert (card["title"], card["description"]) == ("Pier 3 reopens", "After two years.")
    assert "/pier-3-reopens/" in card["url"]
    assert not Article.objects.exists()


def test_nonsense_is_ignored_and_never_a_server_error(editor_client, publication):
    article = ready_article(publication, headline="Ferry fares rise")
    response = preview(editor_client, article, publication="harbor", lead_image="9999999",
                       headline="x" * 5000)
    assert response.status_code == 200
    assert response.json()["title"] == "x" * 200
    assert editor_client.get(reverse("admin:articles_article_share_preview",
                                     args=[article.pk])).status_code == 405


def test_only_those_who_may_see_the_story_get_its_preview(client, publication):
    article = ready_article(publication, created_by=user_in(REPORTER, "sam"))
    assert preview(client, article).status_code == 302  # to the login page
    client.force_login(user_in(REPORTER, "dana"))
    # Another reporter's draft is not theirs to see: as if it did not exist.
    assert preview(client, article).status_code == 404


def test_the_bodys_opening_words_keep_a_space_between_paragraphs(editor_client, publication):
    article = ready_article(publication, summary="", headline="Ferry fares rise",
                            body="<p>Fares rise in <b>March</b>.</p><h2>Why</h2><p>Fuel.</p>")
    card = preview(editor_client, article, **form_values(article)).json()
    assert card["description"] == "Fares rise in March. Why Fuel."
