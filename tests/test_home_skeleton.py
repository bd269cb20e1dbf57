"""The front page's skeleton (``articles.caching.skeletons``): its template's output with
slots where the stories go, kept per shape under the layout's keys. A publish that keeps
the shape reuses it; a change of shape or layout builds another; a template that reads a
story outside its card cannot freeze it into the skeleton."""

from datetime import timedelta

import pytest
from django.template import Context, Template, engines
from django.utils import timezone

from articles.caching import skeletons
from articles.models import Article

from .factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbor(publication):
    return SectionFactory(publication=publication, name="Harbor", slug="harbor")


@pytest.fixture
def stories(publication, harbor):
    """More than a page of stories: the pagination's state stays the same after a publish."""
    now = timezone.now()
    return [ArticleFactory(publication=publication, section=harbor, published=True,
                           headline=f"Dock report number {n}",
                           publish_at=now - timedelta(hours=n + 1)) for n in range(24)]


@pytest.fixture
def skeletons_built(monkeypatch):
    made = []
    build = skeletons.Skeleton.build

    def counting(self, response):
        made.append(self.name)
        return build(self, response)

    monkeypatch.setattr(skeletons.Skeleton, "build", counting)
    return made


@pytest.fixture
def whole(client, monkeypatch):
    """The front page rendered whole, without its skeleton: what a skeleton must give."""
    def render():
        with monkeypatch.context() as patch:
            patch.setattr(skeletons, "use", lambda response, *args: response)
            return client.get("/").content
    return render


def publish(publication, section, headline, hours_ago=0):
    return ArticleFactory(publication=publication, section=section, published=True,
                          headline=headline,
                          publish_at=timezone.now() - timedelta(hours=hours_ago, minutes=1))


def test_a_publish_that_keeps_the_shape_reuses_the_skeleton(
        client, publication, harbor, stories, skeletons_built, built, commit, whole):
    first = client.get("/")
    assert len(skeletons_built) == 1
    assert first.content == whole()
    skeletons_built.clear(), built.clear()
    assert client.get("/").content == first.content
    assert skeletons_built == [] and built == []

    with commit():
        new = publish(publication, harbor, "Lighthouse relit tonight")
    page = client.get("/")
    assert skeletons_built == []  # same shape: the skeleton is still current
    assert built[0] == new.pk  # the new story's card, and those that moved to another kind
    assert new.pk in built and len(built) < 5
    assert "Lighthouse relit tonight" in page.text
    assert page.content == whole()


def test_unpublish_and_correction_show_at_once(
        client, stories, skeletons_built, commit, whole):
    client.get("/")
    lead = client.get("/").context_data["lead_story"]
    story = Article.objects.get(pk=lead.pk)
    with commit():
        story.headline = "Corrected: the dock reopens"
        story.save()
    assert "Corrected: the dock reopens" in client.get("/").text
    with commit():
        story.status = Article.Status.DRAFT
        story.save()
    page = client.get("/")
    assert "Corrected: the dock reopens" not in page.text
    assert page.content == whole()


def test_a_renamed_section_builds_the_skeleton_again(
        client, harbor, stories, skeletons_built, commit, whole):
    client.get("/")
    skeletons_built.clear()
    with commit():
        harbor.name = "Harbour"
        harbor.save()
    page = client.get("/")
    assert len(skeletons_built) == 1  # the layout's key moved
    assert ">Harbour</a></h2>" in page.text
    assert page.content == whole()


def test_a_section_gaining_its_first_story_is_another_shape(
        client, publication, stories, skeletons_built, commit, whole):
    first = client.get("/")
    before = skeletons_built[:]
    weather = SectionFactory(publication=publication, name="Weather", slug="weather")
    with commit():
        publish(publication, weather, "Fog on the estuary", hours_ago=30)
    page = client.get("/")
    assert len(skeletons_built) == 2 and skeletons_built[1] != before[0]
    assert 'id="section-weather"' in page.text and 'id="section-weather"' not in first.text
    assert page.content == whole()


def test_a_page_that_gains_an_older_page_is_another_shape(
        client, publication, harbor, skeletons_built, commit, whole):
    now = timezone.now()
    for n in range(20):
        ArticleFactory(publication=publication, section=harbor, published=True,
                       headline=f"Quay note {n}", publish_at=now - timedelta(hours=n + 1))
    first = client.get("/")
    assert 'rel="next"' not in first.text
    with commit():
        publish(publication, harbor, "Quay note, one more", hours_ago=40)
    page = client.get("/")
    assert len(skeletons_built) == 2 and skeletons_built[0] != skeletons_built[1]
    assert 'rel="next" href="?page=2"' in page.text
    assert page.content == whole()


@pytest.mark.parametrize("source", [
    "{{ lead_story.headline }}", "{{ lead_story }}", "{% if lead_story.featured %}x{% endif %}",
    "{{ top_stories.0.pk }}", "{{ latest|first }}", "{{ articles|length }}",
    "{{ view.newest }}", "{{ page_obj.object_list }}",
    "{% for a in top_stories %}{{ a.headline }}{% endfor %}",
])
def test_a_template_reading_a_story_outside_its_card_fails_loudly(
        client, stories, monkeypatch, source):
    template = engines["django"].from_string("{% load newsroom %}" + source)
    monkeypatch.setattr(skeletons.SkeletonResponse, "resolve_template", lambda self, t: template)
    with pytest.raises(skeletons.SlotError):
        client.get("/")


def test_a_slot_is_only_there():
    slot = skeletons.Slot(("top_stories", 0))
    assert Template("{% if s %}here{% endif %}").render(Context({"s": slot})) == "here"
    for read in (lambda: slot.pk, lambda: str(slot), lambda: slot == slot, lambda: slot[0]):
        with pytest.raises(skeletons.SlotError):
            read()


def test_a_query_string_renders_the_page_whole(client, stories, skeletons_built):
    client.get("/?utm_source=x")
    assert skeletons_built == []
