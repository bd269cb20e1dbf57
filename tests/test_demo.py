"""The demo newsroom: a full fictional network, loaded idempotently."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from articles.models import (
    Article,
    Correction,
    Image,
    MastheadBio,
    Membership,
    Publication,
    RelatedItem,
    Run,
    Section,
)
from people.models import Person

# Each test builds the whole demo network (portraits, pictures, 60 stories): some 20 s.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Publication, Section, Person, Article, Image, RelatedItem, Correction,
                      Run, Membership, MastheadBio)
    }


@pytest.fixture
def demo(settings):
    settings.NEWSROOM_DEMO_PASSWORD = "harbor-lights-42"
    call_command("load_demo", "--no-progress", stdout=io.StringIO())


def test_demo_builds_a_whole_network_with_complete_stories_in_every_state(demo, client):
    c = counts()
    assert c["Publication"] >= 2
    assert c["Section"] >= 8
    assert c["Person"] >= 12
    assert c["Article"] >= 60
    assert c["RelatedItem"] > 0 and c["Correction"] > 0
    assert Person.objects.exclude(photo="").count() == Person.objects.count()
    assert Publication.objects.filter(is_default=True).count() == 1
    assert Article.objects.published().count() >= 30
    assert Article.objects.scheduled().exists()
    assert Article.objects.filter(status=Article.Status.DRAFT).exists()
    assert Article.objects.filter(status=Article.Status.IN_REVIEW).exists()

    for article in Article.objects.published().prefetch_related("bylines", "tags"):
        assert article.section.publication_id == article.publication_id
        assert article.bylines.exists(), article.headline
        assert article.tags.exists(), article.headline
        assert article.body.startswith("<p>") or article.body.startswith("<blockquote")
    article = Article.objects.published().filter(publication__is_default=True).first()
    assert client.get("/").status_code == 200
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(article.section.get_absolute_url()).status_code == 200
    assert client.get(article.bylines.first().person.get_absolute_url()).status_code == 200


def test_running_it_twice_creates_nothing_twice_and_logins_use_the_password(demo):
    before = counts()
    call_command("load_demo", "--no-progress", stdout=io.StringIO())
    assert counts() == before

    def login(username):
        # A login always comes with its request: login throttling (axes) needs the address.
        request = RequestFactory().post("/admin/login/")
        return authenticate(request, username=username, password="harbor-lights-42")

    for username in ["admin", "editor", "reporter", "valley-editor", "valley-reporter"]:
        user = login(username)
        assert user is not None and user.is_staff, username
    assert login("admin").is_superuser
    assert not login("reporter").is_superuser
    assert login("editor").groups.filter(name="Editor").exists()



def test_story_pages_show_topics_by_name_and_an_older_demo_gets_its_names(client):
    # A newsroom loaded before the demo's tags had names holds them as slugs.
    from taggit.models import Tag

    Tag.objects.create(name="city-council", slug="city-council")
    call_command("load_demo", "--no-progress", stdout=io.StringIO())
    tag = Tag.objects.get(slug="city-council")
    assert tag.name == "City council"
    assert not Tag.objects.filter(slug__startswith="city-council_").exists()
    article = Article.objects.published().filter(
        tags=tag, publication__is_default=True).first()
    html = client.get(article.get_absolute_url()).text
    assert 'rel="tag">City council</a>' in html
    assert ">city-council<" not in html


def test_three_stories_run_on_both_mastheads_and_each_desk_has_its_editor(demo, client):
    herald, valley = Publication.objects.get(slug="harbor-herald"), Publication.objects.get(
        slug="valley-ledger")
    sister_runs = Run.objects.sisters().select_related("article", "publication", "section")
    assert sister_runs.count() >= 3
    for run in sister_runs:
        story = run.article
        assert story.is_public and run.section.publication == run.publication
        other = herald if run.publication == valley else valley
        assert story.publication == other
        sister_page = client.get(run.get_absolute_url(), HTTP_HOST=run.publication.domain)
        assert sister_page.status_code == 200
        assert f'rel="canonical" href="http://{other.domain}{story.get_absolute_url()}"' in (
            sister_page.text)
        shown = run.headline or story.headline
        assert shown in client.get(run.section.get_absolute_url(),
                                   HTTP_HOST=run.publication.domain).text
    desks = {(m.user.username, m.publication.slug, m.role)
             for m in Membership.objects.select_related("user", "publication")}
    assert {("editor", "harbor-herald", "editor"), ("reporter", "harbor-herald", "reporter"),
            ("valley-editor", "valley-ledger", "editor"),
            ("valley-reporter", "valley-ledger", "reporter")} <= desks
    # Unpublished stories are the work of their own desk's reporter.
    for story in Article.objects.exclude(status=Article.Status.PUBLISHED):
        assert Membership.objects.filter(user=story.created_by,
                                         publication=story.publication).exists()
