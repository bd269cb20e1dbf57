"""Admin searches are kept within bounds (newsroom/admin_site.py): a pasted page of words,
control characters or a NUL never make a search answer 500, in any admin list or
autocomplete, ours or a third-party app's."""

import pytest
from django.contrib import admin
from django.urls import reverse

from .factories import ArticleFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

# 1,500 words of a fictional council report, as an editor might paste by mistake.
PASTED_PAGE = " ".join(f"harbor{n % 37} council ferry timetable" for n in range(375))
HOSTILE = [PASTED_PAGE, "tide\x00gauge", '"' * 3000, "%" * 5000, "\u202e\ufeff" * 900,
           "a " * 2000 + "ferry"]


@pytest.fixture
def chief(client):
    client.force_login(UserFactory(username="chief", is_superuser=True))
    return client


def searchable_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if model_admin.search_fields]


def test_every_searchable_admin_is_covered():
    names = {model._meta.label for model, _admin in searchable_admins()}
    assert {"articles.Article", "people.Person", "auth.User", "taggit.Tag"} <= names


@pytest.mark.parametrize("query", HOSTILE, ids=["1500-words", "nul", "quotes", "percent",
                                                  "bidi", "long-then-word"])
def test_no_admin_list_answers_500_to_any_search(chief, query):
    ArticleFactory(headline="Harbor council sets ferry timetable")
    PersonFactory(full_name="Ferry Timetable")
    for model, _admin in searchable_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = chief.get(url, {"q": query})
        assert response.status_code == 200, (model, response.status_code)


def test_a_long_search_reads_its_first_ten_words_and_says_so(chief):
    ArticleFactory(headline="Harbor council sets ferry timetable")
    query = "harbor council " + PASTED_PAGE
    response = chief.get(reverse("admin:articles_article_changelist"), {"q": query})
    assert "Harbor council sets ferry timetable" not in response.text  # harbor0…: no match
    assert "Searches read at most 10 words and 200 characters" in response.text
    response = chief.get(reverse("admin:articles_article_changelist"),
                         {"q": "harbor council " + "ferry " * 1000})
    assert "Harbor council sets ferry timetable" in response.text


def test_an_autocomplete_with_a_pasted_page_answers(chief):
    PersonFactory(full_name="Ferry Timetable")
    response = chief.get(reverse("admin:autocomplete"), {
        "term": PASTED_PAGE + "\x00", "app_label": "articles", "model_name": "byline",
        "field_name": "person"})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_short_search_is_left_alone(chief):
    ArticleFactory(headline="Harbor council sets ferry timetable")
    response = chief.get(reverse("admin:articles_article_changelist"),
                         {"q": '"ferry timetable" council'})
    assert "Harbor council sets ferry timetable" in response.text
    assert "Searches read at most" not in response.text
