"""The article admin's "Paste wire copy" page."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from articles.models import Article
from people.models import Person

from .factories import PersonFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

WIRE = Path(__file__).parent / "data" / "wire"
URL = reverse("admin:articles_article_paste_wire")


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(username="desk", is_superuser=True))
    return client


def form_data(publication, name="washington.txt", **extra):
    return {"text": (WIRE / name).read_text(), "publication": publication.pk, **extra}


def test_the_article_list_links_to_the_paste_page(editor_client):
    response = editor_client.get(reverse("admin:articles_article_changelist"))
    assert f'href="{URL}"' in response.content.decode()


def test_preview_shows_what_was_recognised_and_saves_nothing(editor_client, publication):
    PersonFactory(full_name="Noor Haddad")
    response = editor_client.post(URL, form_data(publication, "port-alder.txt", preview="1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cannery to hire 200 for the salmon season" in html
    assert "<strong>Port Alder, Ore.</strong>" in html
    assert "<strong>Noor Haddad</strong> (in the newsroom)" in html
    assert 'name="create"' in html
    assert not Article.objects.exists()


def test_preview_offers_an_unknown_author_as_a_new_person(editor_client, publication):
    html = editor_client.post(URL, form_data(publication, preview="1")).content.decode()
    assert "<strong>Priya Ramanathan</strong> (not in the newsroom yet" in html
    assert "Dropped as page furniture (4 lines)" in html


def test_create_makes_a_draft_and_opens_it(editor_client, publication):
    response = editor_client.post(URL, form_data(publication, create="1", create_people="on"))
    article = Article.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:articles_article_change", args=[article.pk])
    assert article.status == Article.Status.DRAFT
    assert article.created_by.username == "desk"
    assert article.dateline == "Washington"
    assert article.authors() == [Person.objects.get(full_name="Priya Ramanathan")]
    assert article.revisions.get().user.username == "desk"


def test_empty_text_is_an_error_that_keeps_the_form(editor_client, publication):
    response = editor_client.post(URL, {"text": "Just a headline", "publication": publication.pk,
                                        "create": "1"})
    assert response.status_code == 200
    assert "There is a headline but no story under it." in response.content.decode()
    assert "Just a headline" in response.content.decode()
    assert not Article.objects.exists()


def test_section_must_belong_to_the_publication(editor_client, publication, other_publication):
    elsewhere = SectionFactory(publication=other_publication)
    response = editor_client.post(URL, form_data(publication, create="1", section=elsewhere.pk))
    assert "Choose a section of the chosen publication." in response.content.decode()
    assert not Article.objects.exists()


def test_people_who_cannot_add_articles_are_refused(client):
    user = UserFactory(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_preview_of_the_issue_paste_finds_byline_dateline_and_proposes_a_summary(
        editor_client, publication):
    PersonFactory(full_name="Shawn Snow", short_bio="")
    html = editor_client.post(URL, form_data(publication, "snow-lines.txt", preview="1")
                              ).content.decode()
    assert "<strong>Shawn Snow</strong> (in the newsroom; the closing line becomes their bio " \
           "line: “Shawn Snow is the senior reporter" in html
    assert "Dateline: <strong>Washington</strong>" in html
    assert ("Proposed summary: <em>The Marine Corps plans to turn two of its reserve tank "
            "companies") in html
    assert "By Shawn Snow" not in html.split('class="wire-body"')[1]
    body = html.split('class="wire-body"')[1].split("</div>")[0]
    assert "senior reporter" not in body
    assert "taken out of the body as Shawn Snow’s bio line" in html


def test_preview_flags_copy_without_a_headline(editor_client, publication):
    html = editor_client.post(URL, form_data(publication, "no-headline-dateline-lead.txt",
                                             preview="1")).content.decode()
    assert 'class="errornote wire-no-headline">No headline was found' in html
    assert 'class="wire-headline"' not in html
    editor_client.post(URL, form_data(publication, "no-headline-dateline-lead.txt", create="1"))
    article = Article.objects.get()
    assert article.headline == ""
    assert article.body.startswith("<p>The Marine Corps plans")


def test_the_same_copy_again_is_already_imported_and_links_to_the_first(editor_client,
                                                                        publication):
    editor_client.post(URL, form_data(publication, "snow-lines.txt", create="1"))
    first = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[first.pk])
    preview = editor_client.post(URL, form_data(publication, "snow-wrapped-68.txt",
                                                preview="1")).content.decode()
    assert "already imported into this publication" in preview
    assert f'href="{change}"' in preview
    assert 'name="create"' not in preview
    response = editor_client.post(URL, form_data(publication, "snow-crlf-trailing-spaces.txt",
                                                 create="1"), follow=True)
    assert response.redirect_chain[-1][0] == change
    assert "already imported" in response.content.decode()
    assert Article.objects.count() == 1
