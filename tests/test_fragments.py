"""A story page is built from parts cached apart (the story, its "In Other News"), and
every part is as fresh as the page: any change shows on the next request."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from taggit.models import Tag

from articles.caching import keys
from articles.models import Article, Correction
from articles.reading.preview import create_preview_link, preview_url

from .factories import ArticleFactory, BylineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(publication):
    article = ArticleFactory(publication=publication, published=True,
                             headline="Tidal pool survey counts more sea stars",
                             publish_at=timezone.now() - timedelta(hours=2))
    article.tags.set(["tide pools"])
    BylineFactory(article=article, person__full_name="Ines Calder",
                  person__short_bio="Ines covers the coast and its critters.")
    return article


def fragment_entries():
    return [k for k in cache._cache if keys.FRAGMENT_PREFIX in k]


def story_entries():
    return [k for k in fragment_entries() if ":story:" in k or ":other-news:" in k]


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response


def test_a_second_reader_gets_the_parts_from_the_cache(client, story):
    page(client, story)
    # The story's address, the story, its In Other News, and the masthead with the footer.
    assert len(fragment_entries()) == 4
    first_keys = page(client, story)["Surrogate-Key"]
    assert "Tidal pool survey counts more sea stars" in page(client, story).text
    # A page built from cached parts names the same content as one built from scratch.
    cache.clear()
    assert page(client, story)["Surrogate-Key"] == first_keys


def test_a_headline_fix_shows_at_once(client, story, commit):
    page(client, story)
    with commit():
        story.headline = "Tidal pool survey finds record sea star count"
        story.save()
    text = page(client, story).text
    assert "<title>Tidal pool survey finds record sea star count" in text
    assert "Tidal pool survey counts more sea stars" not in text


def test_a_new_story_sharing_a_tag_joins_in_other_news_at_once(client, story, publication,
                                                               commit):
    page(client, story)
    with commit():
        other = ArticleFactory(publication=publication, headline="Kelp forest returns to cove")
        other.tags.set(["tide pools"])
        other.status, other.publish_at = Article.Status.PUBLISHED, timezone.now()
        other.save()
    assert "Kelp forest returns to cove" in page(client, story).text


def test_an_edit_to_a_listed_story_shows_at_once(client, story, publication, commit):
    other = ArticleFactory(publication=publication, published=True,
                           headline="Harbor seals haul out early")
    assert "Harbor seals haul out early" in page(client, story).text
    with commit():
        other.headline = "Harbor seals haul out a month early"
        other.save()
    assert "Harbor seals haul out a month early" in page(client, story).text


def test_an_author_bio_change_shows_at_once(client, story, commit):
    page(client, story)
    person = story.bylines.get().person
    with commit():
        person.short_bio = "Ines writes about tides, reefs and the people who study them."
        person.save()
    assert "Ines writes about tides, reefs" in page(client, story).text


def test_a_correction_shows_at_once(client, story, commit):
    page(client, story)
    with commit():
        Correction.objects.create(article=story, text="The survey covered 14 pools, not 12.")
    assert "The survey covered 14 pools, not 12." in page(client, story).text


def test_a_renamed_tag_shows_at_once(client, story, commit):
    page(client, story)
    with commit():
        tag = Tag.objects.get(name="tide pools")
        tag.name = "Tide pools and reefs"
        tag.save()
    assert "Tide pools and reefs" in page(client, story).text


def test_markup_in_a_headline_stays_escaped_when_served_from_the_cache(client, publication):
    story = ArticleFactory(publication=publication, published=True,
                           headline="<script>alert(1)</script> Pier opens")
    for _ in range(2):
        text = page(client, story).text
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Pier opens" in text


def test_a_preview_neither_stores_nor_reuses_parts(client, story, reporter):
    link = create_preview_link(article=story, user=reporter)
    assert client.get(preview_url(link)).status_code == 200
    assert story_entries() == []
    page(client, story)
    Article.objects.filter(pk=story.pk).update(headline="A draft headline nobody approved")
    # The preview shows the story as it is now, not the part cached for readers.
    assert "A draft headline nobody approved" in client.get(preview_url(link)).text


def test_a_scheduled_story_bounds_how_long_parts_are_kept(client, story, publication,
                                                          settings):
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 3600
    ArticleFactory(publication=publication, status=Article.Status.PUBLISHED,
                   publish_at=timezone.now() + timedelta(seconds=30))
    page(client, story)
    import time

    for key in fragment_entries():
        assert cache._expire_info[key] - time.time() <= 32


def test_with_the_part_cache_off_every_page_is_built(client, story, settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False
    page(client, story)
    assert fragment_entries() == []


def test_a_renamed_section_shows_in_the_menu_at_once(client, story, commit):
    section = story.section
    page(client, story)
    with commit():
        section.name = "Coast and Ocean"
        section.save()
    assert ">Coast and Ocean</a></li>" in page(client, story).text


def test_the_menu_marks_the_current_section_only_on_its_own_pages(client, story, publication):
    from .factories import SectionFactory

    other = SectionFactory(publication=publication, name="Courts")
    for _ in range(2):  # built, then from the cache
        on_section = client.get(story.section.get_absolute_url()).text
        on_other = client.get(other.get_absolute_url()).text
        on_story = page(client, story).text
        assert f'href="{story.section.get_absolute_url()}" aria-current="page"' in on_section
        assert f'href="{other.get_absolute_url()}" aria-current="page"' in on_other
        assert 'aria-current="page"' not in on_story


def test_the_search_filters_list_a_new_author_at_once(client, story, publication, commit):
    assert "Ines Calder" in client.get("/search/", {"q": "sea stars"}).text
    with commit():
        new = ArticleFactory(publication=publication, headline="Gull counts fall")
        BylineFactory(article=new, person__full_name="Otto Brandvold")
        new.status, new.publish_at = Article.Status.PUBLISHED, timezone.now()
        new.save()
    text = client.get("/search/", {"q": "gull"}).text
    assert "Otto Brandvold" in text and "Ines Calder" in text


def test_a_filter_that_is_set_is_shown_as_typed_not_from_the_cache(client, story):
    client.get("/search/", {"q": "sea stars"})  # the unfiltered fields are now cached
    text = client.get("/search/", {"q": "sea stars", "after": "not a date"}).text
    assert 'value="not a date"' in text
    assert "This filter was ignored." in text


def test_a_part_is_built_again_once_the_moment_it_was_valid_until_has_come(rf, monkeypatch):
    from articles.caching import fragments, generations

    builds = []

    def build():
        builds.append(1)
        return {"html": f"built {len(builds)}"}, {keys.article(1)}

    started = generations.now()
    request = rf.get("/")
    request.newsroom_started = started
    monkeypatch.setattr(fragments, "change_deadline", lambda request: started + 60_000_000)
    assert fragments.cached(request, "part", build) == {"html": "built 1"}
    assert fragments.cached(rf.get("/"), "part", build) == {"html": "built 1"}
    assert rf.get("/").__dict__.get("surrogate_keys") is None
    served = rf.get("/")
    fragments.cached(served, "part", build)
    assert served.surrogate_keys == {keys.article(1)}  # a part served names what it shows
    monkeypatch.setattr(generations, "now", lambda: started + 60_000_000)
    assert fragments.cached(rf.get("/"), "part", build) == {"html": "built 2"}
