"""The Publish step names each missing field with a link to it, and offers no Publish (or
Schedule) button while anything is missing."""

import pytest
from django.urls import reverse

from articles.editorial import workflow
from articles.models import Article, ImportedItem

from .factories import ArticleFactory, ImageFactory
from .workflow_helpers import ready_article

pytestmark = pytest.mark.django_db
Status = Article.Status


def url(name, *args):
    return reverse(f"admin:articles_article_{name}", args=args)


def test_the_panel_links_each_missing_field_and_offers_no_publish_button(client, publication,
                                                                         editor):
    article = ArticleFactory(publication=publication, headline="", summary="", section=None)
    client.force_login(editor)
    page = client.get(url("change", article.pk)).text
    for text, anchor in [("a headline", "#id_headline"), ("a section", "#id_section"),
                         ("at least one byline", "#bylines-group"), ("a summary", "#id_summary")]:
        assert f'<a href="{anchor}">{text}</a>' in page
    # Each anchor is a real element of the form.
    for element_id in ["id_headline", "id_section", "bylines-group", "id_summary"]:
        assert f'id="{element_id}"' in page
    assert 'value="publish"' not in page and 'value="schedule"' not in page
    assert "Publish and Schedule are offered once nothing is missing" in page


def test_publish_is_offered_once_nothing_is_missing(client, publication, editor):
    article = ready_article(publication)
    client.force_login(editor)
    page = client.get(url("change", article.pk)).text
    assert "Before it can be published" not in page
    assert 'value="publish"' in page and 'value="schedule"' in page


def test_the_publish_step_links_to_the_fields_and_has_no_publish_button(client, publication,
                                                                        editor):
    article = ArticleFactory(publication=publication, summary="")
    client.force_login(editor)
    page = client.get(url("workflow", article.pk, "publish")).text
    change = url("change", article.pk)
    assert f'<a href="{change}#id_summary">a summary</a>' in page
    assert f'<a href="{change}#bylines-group">at least one byline</a>' in page
    assert 'type="submit"' not in page.split('id="content-main"')[1]
    assert "Publish now" not in page.split('id="content-main"')[1].split("</form>")[0]
    # A raw POST is still refused by the workflow, whatever the page offered.
    client.post(url("workflow", article.pk, "publish"))
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_missing_alt_text_links_to_the_lead_images_own_form(client, publication, editor):
    image = ImageFactory(alt_text="")
    article = ready_article(publication, lead_image=image)
    client.force_login(editor)
    page = client.get(url("change", article.pk)).text
    link = reverse("admin:articles_image_change", args=[image.pk]) + "#id_alt_text"
    assert f'<a href="{link}">alt text on the lead image</a>' in page


def test_a_story_the_agency_withheld_says_so_without_a_link(client, publication, editor):
    article = ready_article(publication)
    ImportedItem.objects.create(source="ninjs", kind="withheld", key="urn:x", article=article)
    [problem] = workflow.publication_problems(article)
    assert "withheld" in problem and problem.field == ""
    client.force_login(editor)
    page = client.get(url("change", article.pk)).text
    assert f"<li>{problem}</li>" in page
    assert 'value="publish"' not in page


def test_problems_still_read_as_plain_words():
    """Problem is a str: messages and WorkflowError join them as before."""
    problem = workflow.Problem("a summary", "summary")
    assert problem == "a summary" and problem.field == "summary"
    assert "; ".join([problem, workflow.Problem("a section", "section")]) == "a summary; a section"
