"""The stories whose cards have to be built are loaded by id in SQL compiled once per process
(articles/reading/card_stories.py): the very query ``published().on()`` and the cards'
loading would run, the same stories, pictures and bylines, and no compile on a later page."""

from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Prefetch, prefetch_related_objects
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.caching import cards
from articles.models import Article
from articles.reading import card_stories, compiled

from .factories import (
    ArticleFactory,
    BylineFactory,
    ImageFactory,
    PublicationFactory,
    RunFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def test_a_list_is_compiled_for_a_power_of_two_of_places_its_last_value_filling_the_rest():
    assert [compiled.list_size(n) for n in (0, 1, 2, 3, 4, 5, 8, 9, 33)] == \
        [1, 1, 2, 4, 4, 8, 8, 16, 64]
    assert compiled.listed("id", [7, 3, 9], 4) == {"id0": 7, "id1": 3, "id2": 9, "id3": 9}
    assert compiled.listed("id", [7, 3], 2) == {"id0": 7, "id1": 3}


@pytest.fixture
def front(publication):
    """Stories on ``publication``: three public with bylines (one with a picture), one
    scheduled, one a sister masthead's that it runs, one of a masthead it does not run."""
    harbor = SectionFactory(publication=publication, name="Harbor", slug="harbor")
    public = [ArticleFactory(publication=publication, section=harbor, published=True,
                             lead_image=ImageFactory() if n == 0 else None)
              for n in range(3)]
    for n, story in enumerate(public):
        for order in range(n + 1):
            BylineFactory(article=story, order=order)
        BylineFactory(article=story, order=9, role="photographer")
    scheduled = ArticleFactory(publication=publication, section=harbor, scheduled=True)
    valley = PublicationFactory()
    sister = ArticleFactory(publication=valley, published=True)
    ours = SectionFactory(publication=publication, name="Region", slug="region")
    RunFactory(article=sister, publication=publication, section=ours)
    elsewhere = ArticleFactory(publication=valley, published=True)
    return {"public": public, "scheduled": scheduled, "sister": sister,
            "elsewhere": elsewhere, "section": ours}


def as_before(publication, ids, carded):
    """What ``cards.Batch`` loaded before these queries were compiled: ``in_bulk`` of the
    public stories, then the bylines of those shown as cards."""
    stories = (Article.objects.published().on(publication).for_cards()
               .select_related("lead_image").in_bulk(ids))
    prefetch_related_objects([stories[pk] for pk in carded if pk in stories],
                             Prefetch("bylines", queryset=cards.bylines()))
    return stories


def shown(story):
    bylines = story.__dict__.get("_prefetched_objects_cache", {}).get("bylines")
    return (story.pk, story.list_headline, story.get_absolute_url(), story.section_id,
            story.publication_id, story.lead_image_id, story.lead_image, story.runs_here,
            None if bylines is None else [(b.pk, b.person.full_name, b.role) for b in bylines])


def test_the_stories_read_as_the_queryset_and_the_prefetch_read_them(publication, front):
    ids = [story.pk for story in (*front["public"], front["scheduled"], front["sister"],
                                  front["elsewhere"])]
    carded = ids[1:4] + [front["sister"].pk]
    with CaptureQueriesContext(connection) as queries:
        loaded = card_stories.stories(publication.pk, ids, carded, now=timezone.now())
    assert len(queries) == 2  # the stories, then the bylines of those shown as cards
    expected = as_before(publication, ids, carded)
    assert sorted(loaded) == sorted(expected) == sorted(
        [story.pk for story in front["public"]] + [front["sister"].pk])
    with CaptureQueriesContext(connection) as queries:
        assert [shown(loaded[pk]) for pk in sorted(loaded)] == \
            [shown(expected[pk]) for pk in sorted(expected)]
        for pk in loaded:
            if pk in carded:
                assert loaded[pk].authors() == expected[pk].authors()
                assert all(b.article is loaded[pk] for b in loaded[pk].bylines.all())
                assert cards.build(loaded[pk], cards.options()) == \
                    cards.build(expected[pk], cards.options())
            assert cards.build_latest(loaded[pk]) == cards.build_latest(expected[pk])
    assert len(queries) == 0  # all a card or a line reads was loaded
    # The sister masthead's story as this masthead shows it, in its section here.
    assert loaded[front["sister"].pk].section == front["section"]
    # Not a card's: no bylines read for it.
    assert "_prefetched_objects_cache" not in loaded[front["public"][0].pk].__dict__


def test_the_sql_is_what_django_compiles_for_the_same_values(publication, front):
    ids = [story.pk for story in front["public"]] + [front["sister"].pk]  # four: no padding
    now = timezone.now()
    card_stories.stories(publication.pk, ids, ids, now=now)
    stories = card_stories._stories[DEFAULT_DB_ALIAS, 4]
    fresh = cards.for_building(Article.objects.published(at=now).on(publication.pk)).among(
        ids).order_by()
    assert stories.sql_with_params(now=now, masthead=publication.pk,
                                   **compiled.listed("id", ids, 4)) == \
        fresh.query.sql_with_params()
    bylines = card_stories._bylines[DEFAULT_DB_ALIAS, 4]
    assert bylines.sql_with_params(**compiled.listed("id", ids, 4)) == \
        cards.bylines().filter(article__in=ids).query.sql_with_params()


def test_the_queries_are_compiled_once_per_process_for_each_size_of_list(
        publication, front, monkeypatch):
    made = []
    real = card_stories.CompiledQuery

    def counting(*args, **kwargs):
        made.append(len(args[1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(card_stories, "CompiledQuery", counting)
    monkeypatch.setattr(card_stories, "_stories", {})
    monkeypatch.setattr(card_stories, "_bylines", {})
    public = [story.pk for story in front["public"]]
    for _ in range(3):
        for count in (3, 4):  # one size: three ids fill four places
            ids = [*public, front["sister"].pk][:count]
            loaded = card_stories.stories(publication.pk, ids, ids, now=timezone.now())
            assert sorted(loaded) == sorted(ids)
    assert len(made) == 2  # the stories' query and the bylines', each once
    # A later time sees the scheduled story once it is due.
    later = timezone.now() + timedelta(days=1)
    loaded = card_stories.stories(publication.pk, [front["scheduled"].pk], [], now=later)
    assert list(loaded) == [front["scheduled"].pk]


def test_a_cards_story_picture_and_people_are_loaded_without_what_no_card_reads(
        publication, front):
    story = front["public"][0]
    loaded = card_stories.stories(publication.pk, [story.pk], [story.pk], now=timezone.now())
    story = loaded[story.pk]
    assert {"body", "created_at"} <= story.get_deferred_fields()
    assert {"caption", "credit", "created_at"} <= story.lead_image.get_deferred_fields()
    assert {"description", "order"} <= story.section.get_deferred_fields()
    person = story.bylines.all()[0].person
    assert {"bio", "short_bio", "photo", "email", "created_at"} <= person.get_deferred_fields()
