"""The demo newsroom: a full fictional network, loaded idempotently."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from articles.models import Article, Correction, Image, Publication, RelatedItem, Section
from people.models import Person

# Each test builds the whole demo network (portraits, pictures, 60 stories): some 20 s.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Publication, Section, Person, Article, Image, RelatedItem, Correction)
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

    for username in ["admin", "editor", "reporter"]:
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
