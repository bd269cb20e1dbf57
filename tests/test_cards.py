"""Story cards on listing pages are cached one by one: after a publish the front page
builds one new card, not fifty, and every card is as fresh as the story it shows."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.caching import cards, fragments, generations, keys
from articles.models import Article

from .factories import ArticleFactory, BylineFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbor(publication):
    return SectionFactory(publication=publication, name="Harbor", slug="harbor")


@pytest.fixture
def stories(publication, harbor):
    now = timezone.now()
    made = []
    for n in range(6):
        article = ArticleFactory(publication=publication, section=harbor, published=True,
                                 headline=f"Harbor report number {n}",
                                 publish_at=now - timedelta(hours=n + 1))
        BylineFactory(article=article, person__full_name=f"Writer {n}")
        made.append(article)
    return made


def test_a_page_built_again_reuses_every_card(client, stories, built):
    first = client.get("/")
    assert set(built) == {a.pk for a in stories}
    built.clear()
    again = client.get("/")
    assert built == []
    assert again.content == first.content
    for article in stories:
        assert article.headline in again.text


def test_after_a_publish_only_the_new_story_needs_a_card(client, stories, harbor,
                                                         publication, built, commit):
    client.get("/"), client.get(harbor.get_absolute_url())
    built.clear()
    with commit():
        fresh = ArticleFactory(publication=publication, section=harbor, published=True,
                               headline="Breakwater repair finished early",
                               publish_at=timezone.now() - timedelta(minutes=1))
    home, section = client.get("/"), client.get(harbor.get_absolute_url())
    assert "Breakwater repair finished early" in home.text
    assert "Breakwater repair finished early" in section.text
    # The new story's cards, and those of the two stories that moved to another kind of
    # card: the old lead is now a top story (and no longer first on the section page), and
    # the last top story drops to the section block. The rest are reused.
    assert set(built) == {fresh.pk, stories[0].pk, stories[4].pk}


def test_an_edit_rebuilds_that_storys_cards_only(client, stories, harbor, built, commit):
    client.get("/"), client.get(harbor.get_absolute_url())
    built.clear()
    edited = stories[2]
    with commit():
        edited.headline = "Harbor report number 2, corrected"
        edited.save()
    assert "Harbor report number 2, corrected" in client.get("/").text
    assert "Harbor report number 2, corrected" in client.get(harbor.get_absolute_url()).text
    assert set(built) == {edited.pk}


def test_cards_follow_their_author_section_and_picture(client, stories, harbor, commit):
    client.get("/")
    person = stories[0].bylines.get().person
    image = ImageFactory(alt_text="Cranes over the container yard")
    with commit():
        person.full_name = "Writer Zero-Renamed"
        person.save()
        harbor.name = "Port and Harbor"
        harbor.save()
        stories[0].lead_image = image
        stories[0].save()
    text = client.get("/").text
    assert "Writer Zero-Renamed" in text and "Writer 0<" not in text
    assert "Port and Harbor" in text
    with commit():
        image.alt_text = "Cranes at dawn over the container yard"
        image.save()
    # Cards give their pictures empty alt text (the headline is the link); the picture
    # itself must follow: its width and height come from the image.
    assert 'width="' in client.get("/").text


def test_a_cached_page_refreshes_when_an_author_it_lists_is_renamed(client, stories,
                                                                   page_cache_on, commit):
    """Listing pages name their authors: the cards put the authors' keys on the page."""
    person = stories[1].bylines.get().person
    first = client.get("/")
    assert f"person:{person.pk}" in first["Surrogate-Key"].split()
    assert client.get("/")["X-Newsroom-Cache"] == "hit"
    with commit():
        person.full_name = "Writer One-Renamed"
        person.save()
    again = client.get("/")
    assert again["X-Newsroom-Cache"] == "miss"
    assert "Writer One-Renamed" in again.text


def test_unpublishing_takes_the_card_off_every_list(client, stories, harbor, commit):
    client.get("/"), client.get(harbor.get_absolute_url())
    gone = stories[0]
    with commit():
        gone.status = Article.Status.UNPUBLISHED
        gone.save()
    assert gone.headline not in client.get("/").text
    assert gone.headline not in client.get(harbor.get_absolute_url()).text


def test_text_in_a_story_cannot_pose_as_a_card(client, publication, harbor):
    ArticleFactory(publication=publication, section=harbor, published=True,
                   headline="<!--card:0:0--> odd headline", summary="<!--card:x:0-->")
    text = client.get("/").text
    assert "&lt;!--card:0:0--&gt; odd headline" in text
    assert "<!--card:" not in text


def test_cards_are_built_in_one_lookup_and_stored_in_one_write(client, stories,
                                                               monkeypatch):
    calls = {"get_many": 0, "set_many": 0}
    store = generations.cache()
    for method in calls:
        original = getattr(store, method)

        def counted(*args, _original=original, _method=method, **kwargs):
            calls[_method] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(store, method, counted)
    cache.clear()
    cache.set(keys.JOURNAL_CHECKED, 1, timeout=None)
    client.get("/section/harbor/")
    lookups_cold, writes_cold = calls["get_many"], calls["set_many"]
    calls.update(get_many=0, set_many=0)
    ArticleFactory.create_batch(10, publication=stories[0].publication,
                                section=stories[0].section, published=True)
    cache.clear()
    # Both runs cold, neither applying the journal (the first did, the second would apply
    # the new stories' refreshes, which never committed in this test's transaction).
    cache.set(keys.JOURNAL_CHECKED, 1, timeout=None)
    client.get("/section/harbor/")
    # Ten more cards on the page: not one more lookup or write.
    assert (calls["get_many"], calls["set_many"]) == (lookups_cold, writes_cold)


def test_with_the_fragment_cache_off_cards_are_rendered_every_time(client, stories, built,
                                                                   settings):
    settings.NEWSROOM_FRAGMENT_CACHE = False
    first = client.get("/")
    count = len(built)
    assert count >= len(stories)
    assert client.get("/").content == first.content
    assert len(built) == 2 * count


def test_a_story_saved_while_the_page_is_built_does_not_leave_a_stale_card(
        client, stories, monkeypatch):
    """The list was read before the save: its card shows the old text and must not be
    kept, however late in the request the card itself is rendered."""
    changed = stories[0]
    load = cards.load

    def save_meanwhile(articles):
        generations.bump([keys.article(changed.pk)])  # an editor saves mid-request
        return load(articles)

    monkeypatch.setattr(cards, "load", save_meanwhile)
    client.get("/")
    monkeypatch.setattr(cards, "load", load)
    stored = [k for k in cache._cache if f"card:{changed.pk}:" in k]
    assert stored == []
    assert any(f"card:{stories[1].pk}:" in k for k in cache._cache)  # the others are kept


def test_story_lists_do_not_read_the_stories_text(client, publication):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert '"body"' not in str(Article.objects.for_cards().query)
    ArticleFactory(publication=publication, published=True, body="<p>Tide tables</p>")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/stories/").status_code == 200
    assert not any('"body"' in q["sql"] and "articles_article" in q["sql"]
                   for q in queries.captured_queries)


@pytest.fixture
def lines_built(monkeypatch):
    """The front page's lines of the latest stories built (not taken from the cache)."""
    made = []
    build = cards.build_latest

    def counting(article):
        made.append(article.pk)
        return build(article)

    monkeypatch.setattr(cards, "build_latest", counting)
    return made


@pytest.fixture
def many(publication, harbor):
    """More stories than the front shows, so that the Latest list has lines of its own."""
    now = timezone.now()
    return [ArticleFactory(publication=publication, section=harbor, published=True,
                           headline=f"Tide table number {n}",
                           publish_at=now - timedelta(hours=n + 1)) for n in range(12)]


def test_the_latest_lines_are_reused_and_follow_their_story_and_section(
        client, many, harbor, lines_built, commit):
    first = client.get("/")
    on_front = {a.pk for a in first.context_data["top_stories"]} | {first.context_data["lead_story"].pk}
    listed = [a.pk for a in many if a.pk not in on_front]
    assert sorted(lines_built) == sorted(listed)
    lines_built.clear()
    assert client.get("/").content == first.content
    assert lines_built == []
    edited = next(a for a in many if a.pk == listed[-1])
    with commit():
        edited.headline = "Tide table corrected"
        edited.save()
        harbor.name = "Port and Harbor"
        harbor.save()
    text = client.get("/").text
    assert "Tide table corrected" in text
    assert '<span class="latest-section">Port and Harbor</span>' in text
    assert '<span class="latest-section">Harbor</span>' not in text
    lines_built.clear()
    with commit():
        edited.publish_at = timezone.now() - timedelta(days=30)  # still listed, later on
        edited.save()
    text = client.get("/").text
    assert lines_built == [edited.pk]
    stamp = timezone.localtime(edited.publish_at).replace(microsecond=0).isoformat()
    assert f'<time datetime="{stamp}">' in text


def test_a_front_of_cached_parts_builds_no_story(client, many, monkeypatch):
    """Once its cards and lines are cached, the front page reads its stories' ids and
    ranking columns only: no story is loaded, and the page is the same."""
    first = client.get("/")
    loaded = []
    init = Article.__init__

    def counting(self, *args, **kwargs):
        loaded.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Article, "__init__", counting)
    assert client.get("/").content == first.content
    assert loaded == []


def test_a_story_unpublished_after_the_list_was_read_leaves_an_empty_card(
        client, many, monkeypatch):
    """Cards to be built load their stories once the page is rendered, as published: a
    story unpublished in between is left out, not shown."""
    gone = many[0]
    whole = cards.Batch.whole

    def unpublished_meanwhile(batch, articles):
        Article.objects.filter(pk=gone.pk).update(status=Article.Status.UNPUBLISHED)
        return whole(batch, articles)

    monkeypatch.setattr(cards.Batch, "whole", unpublished_meanwhile)
    page = client.get("/")
    assert page.status_code == 200
    assert gone.headline not in page.text
    assert many[1].headline in page.text


@pytest.fixture
def lookups(monkeypatch):
    """The keys of every ``get_many`` made to the shared cache, one list per round trip."""
    made = []
    store = generations.cache()
    get_many = store.get_many

    def recording(names, *args, **kwargs):
        made.append(list(names))
        return get_many(names, *args, **kwargs)

    monkeypatch.setattr(store, "get_many", recording)
    return made


def test_a_front_of_cached_parts_reads_its_masthead_cards_and_their_keys_in_one_lookup(
        client, many, lookups, monkeypatch):
    """The page's skeleton (its masthead and footer written in), every card and line, and
    the generations of all their keys come in one round trip, after the journal's check and
    the site table."""
    monkeypatch.setattr(fragments, "key_hints", {})
    first = client.get("/")
    client.get("/")  # this process now knows each part's keys
    lookups.clear()
    again = client.get("/")
    assert again.content == first.content
    part_lookups = [names for names in lookups
                    if any(keys.FRAGMENT_PREFIX in name or keys.GENERATION_PREFIX in name
                           for name in names)
                    and keys.site("testserver") not in names]
    assert len(part_lookups) == 1
    (names,) = part_lookups
    skeleton = [n for n in names if ":skeleton:" in n]
    cards_and_lines = [n for n in names if ":card:" in n or ":latest:" in n]
    assert len(skeleton) == 1
    shown = {int(name.removeprefix(keys.FRAGMENT_PREFIX).split(":")[1])
             for name in cards_and_lines}
    assert shown == {a.pk for a in many}  # every story's card or line, in that one lookup
    assert keys.generation(keys.layout(many[0].publication_id)) in names


def test_parts_whose_keys_changed_since_this_process_read_them_are_still_checked(
        client, stories, commit, monkeypatch):
    """What the process remembers of a part's keys only says what to fetch with it: a
    card that gained an author is checked against the new author's key too."""
    monkeypatch.setattr(fragments, "key_hints", {})
    client.get("/"), client.get("/")
    story = stories[0]
    with commit():
        BylineFactory(article=story, person__full_name="Second Writer")
        story.save()
    assert "Second Writer" in client.get("/").text
    fragments.key_hints.clear()
    client.get("/")  # the new card's keys are not known: checked all the same
    person = story.bylines.get(person__full_name="Second Writer").person
    with commit():
        person.full_name = "Second Writer-Renamed"
        person.save()
    text = client.get("/").text
    assert "Second Writer-Renamed" in text and "Second Writer<" not in text


def test_an_error_page_for_a_page_collecting_its_parts_shows_its_masthead(
        client, stories, monkeypatch):
    """The masthead waits for the page's cards only in the page's own template: a page
    that fails while it renders gets an error page with its masthead written out."""
    from django.http import Http404

    def gone(*args, **kwargs):
        raise Http404("gone meanwhile")

    monkeypatch.setattr(cards.Batch, "placeholder_position", gone)
    response = client.get("/")
    assert response.status_code == 404
    assert '<header class="masthead">' in response.text
    assert "<!--card:" not in response.text


def test_parts_are_built_in_the_zone_and_language_of_the_request_and_leave_no_zone_behind(
        settings):
    from zoneinfo import ZoneInfo

    from django.utils import translation

    with timezone.override(ZoneInfo("Asia/Kolkata")), translation.override("de"):
        with cards.building():
            assert timezone.get_current_timezone_name() == "Asia/Kolkata"
            assert translation.get_language() == "de"
        assert timezone.get_current_timezone_name() == "Asia/Kolkata"
        assert translation.get_language() == "de"
    with cards.building():
        assert timezone.get_current_timezone_name() == settings.TIME_ZONE
    # The zone held for the build is let go: a later default zone is followed.
    settings.TIME_ZONE = "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "Asia/Tokyo"
