"""One story, several mastheads: a story at home on one masthead runs on a sister masthead
too, and readers, feeds, sitemaps, search and In Other News find it on both."""

import json
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles.caching import generations, keys
from articles.models import Article, Correction, MastheadBio, Run

from .factories import (
    ArticleFactory,
    BylineFactory,
    PersonFactory,
    RunFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

HERALD = {"HTTP_HOST": "herald.example"}
VALLEY = {"HTTP_HOST": "valley.example"}


@pytest.fixture
def herald(publication):
    publication.domain = "herald.example"
    publication.save()
    return publication


@pytest.fixture
def valley(other_publication):
    return other_publication


@pytest.fixture
def schools(valley):
    return SectionFactory(publication=valley, name="Schools", slug="schools")


@pytest.fixture
def story(herald):
    """A Herald story by Dana Reyes about the ferry, published two hours ago."""
    article = ArticleFactory(publication=herald, published=True, slug="ferry-fares-rise",
                             headline="Ferry fares rise for the winter",
                             section=SectionFactory(publication=herald, name="Harbor",
                                                    slug="harbor"))
    article.tags.set(["ferries"])
    BylineFactory(article=article, person=PersonFactory(
        full_name="Dana Reyes", slug="dana-reyes",
        short_bio="Dana Reyes is the harbor reporter for The Herald."))
    return article


@pytest.fixture
def run(story, valley, schools):
    """The Valley Ledger runs the Herald's story in its Schools section."""
    return RunFactory(article=story, publication=valley, section=schools)


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def canonical(html):
    return re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)


def json_ld(html, kind):
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        data = json.loads(block)
        if data.get("@type") == kind:
            return data
    raise AssertionError(f"no {kind} block")


# --- One story on two mastheads ----------------------------------------------------------


def test_a_run_gets_the_storys_address_and_publish_time_on_the_sister_masthead(story, run):
    assert run.slug == "ferry-fares-rise"
    assert run.publish_at == story.publish_at
    assert not run.is_home
    home = Run.objects.get(article=story, is_home=True)
    assert (home.publication, home.section, home.slug) == (
        story.publication, story.section, story.slug)


def test_the_story_appears_on_every_list_of_both_mastheads(client, story, run, schools):
    person_url = "/people/dana-reyes/"
    for host, section in [(HERALD, "/section/harbor/"), (VALLEY, "/section/schools/")]:
        for url in ["/", section, "/tag/ferries/", person_url, "/stories/",
                    f"/{timezone.localtime(story.publish_at):%Y}/"]:
            assert "Ferry fares rise for the winter" in text(client.get(url, **host)), (host, url)
    # Not in the Herald's own section list on the Valley Ledger, nor the other way round.
    assert client.get("/section/harbor/", **VALLEY).status_code == 404
    assert client.get("/section/schools/", **HERALD).status_code == 404


def test_stories_among_ids_are_those_the_masthead_runs_each_shown_as_it_shows_it(
        story, run, herald, valley, schools):
    own_only = ArticleFactory(publication=herald, published=True)
    ids = [story.pk, own_only.pk, own_only.pk]  # a list padded with its last id
    on_valley = list(Article.objects.published().on(valley).among(ids))
    assert [(a.pk, a.section) for a in on_valley] == [(story.pk, schools)]
    assert {a.pk for a in Article.objects.published().on(herald).among(ids)} == {
        story.pk, own_only.pk}
    # Without a masthead: the stories themselves; seen from one, those it does not run too.
    assert {a.pk for a in Article.objects.among(ids)} == {story.pk, own_only.pk}
    assert {a.pk for a in Article.objects.seen_from(valley).among(ids)} == {
        story.pk, own_only.pk}


def test_stories_among_ids_name_their_runs_by_the_same_ids_in_one_join(valley):
    # So the database reads those few runs by their stories' index, not every run of the
    # masthead; filtering on ``run__`` later would join the runs a second time.
    sql = str(Article.objects.on(valley).among([3, 5]).query)
    assert sql.count('JOIN "articles_run"') == 1
    assert 'run."article_id" IN (3, 5)' in sql


def test_its_page_on_the_sister_masthead_shows_the_same_story_in_its_section(
        client, story, run):
    home = text(client.get(story.get_absolute_url(), **HERALD))
    sister = text(client.get(story.get_absolute_url(), **VALLEY))
    body = '<div class="story-body">'
    assert home[home.index(body):home.index("</div>", home.index(body))] == (
        sister[sister.index(body):sister.index("</div>", sister.index(body))])
    assert 'href="/section/schools/">Schools</a>' in sister
    assert 'href="/section/harbor/">Harbor</a>' in home


def test_a_correction_shows_on_every_masthead_at_once(client, story, run, commit):
    client.get(story.get_absolute_url(), **VALLEY)  # cached now
    with commit():
        Correction.objects.create(article=story, text="The fare rises by 50 cents, not $5.")
    for host in (HERALD, VALLEY):
        assert "50 cents, not $5" in text(client.get(story.get_absolute_url(), **host))
        assert "50 cents, not $5" in text(client.get("/corrections/", **host))


def test_the_sister_page_points_search_engines_to_the_home_page(client, story, run):
    home_url = f"http://herald.example{story.get_absolute_url()}"
    sister = text(client.get(story.get_absolute_url(), **VALLEY))
    assert canonical(sister) == home_url
    article = json_ld(sister, "NewsArticle")
    assert article["url"] == home_url
    assert article["mainEntityOfPage"]["@id"] == home_url
    assert article["publisher"]["name"] == story.publication.name
    assert article["publisher"]["url"] == "http://herald.example/"
    # Its breadcrumbs are the sister masthead's own pages.
    crumbs = json_ld(sister, "BreadcrumbList")["itemListElement"]
    assert [c["item"] for c in crumbs[:2]] == [
        "http://valley.example/", "http://valley.example/section/schools/"]
    assert '<meta property="og:site_name" content="The Valley Ledger">' in sister
    # At home, the page is its own original.
    home = text(client.get(story.get_absolute_url(), **HERALD))
    assert canonical(home) == home_url
    assert json_ld(home, "NewsArticle")["url"] == home_url


def test_the_canonical_keeps_the_port_the_network_is_served_on(client, story, run):
    sister = text(client.get(story.get_absolute_url(), HTTP_HOST="valley.example:8000"))
    assert canonical(sister) == f"http://herald.example:8000{story.get_absolute_url()}"


def test_a_sister_masthead_that_has_the_slug_already_gets_the_story_at_slug_2(
        client, story, valley, schools):
    own = ArticleFactory(publication=valley, section=schools, published=True,
                         slug="ferry-fares-rise", headline="Valley's own ferry story")
    run = RunFactory(article=story, publication=valley, section=schools)
    assert run.slug == "ferry-fares-rise-2"
    day = timezone.localtime(story.publish_at)  # addresses carry the newsroom's date
    sister_url = f"/{day:%Y}/{day.month}/{day.day}/ferry-fares-rise-2/"
    assert "Ferry fares rise for the winter" in text(client.get(sister_url, **VALLEY))
    assert "Valley's own ferry story" in text(client.get(own.get_absolute_url(), **VALLEY))
    # The Valley Ledger's lists link to the story at its address there.
    assert f'href="{sister_url}"' in text(client.get("/", **VALLEY))


def test_a_new_home_story_does_not_take_the_address_of_a_story_run_there(story, valley,
                                                                           schools, herald):
    sister_story = ArticleFactory(publication=valley, section=schools, published=True,
                                  slug="pier-reopens")
    RunFactory(article=sister_story, publication=herald,
               section=SectionFactory(publication=herald))
    fresh = Article.objects.create(publication=herald, headline="Pier reopens")
    assert fresh.slug == "pier-reopens-2"
    assert Run.objects.get(article=fresh, is_home=True).slug == "pier-reopens-2"


def test_a_story_shown_as_a_sister_masthead_shows_it_cannot_be_saved(story, run, valley):
    shown = Article.objects.on(valley).get(pk=story.pk)
    assert shown.is_shown_elsewhere and shown.section == run.section
    with pytest.raises(ValueError):
        shown.save()
    at_home = Article.objects.on(story.publication).get(pk=story.pk)
    at_home.headline = "Ferry fares rise again"
    at_home.save()  # shown at home, it is the story itself
    assert Article.objects.get(pk=story.pk).headline == "Ferry fares rise again"


def test_the_home_run_follows_a_save_from_a_copy_loaded_before_another_save(story, herald):
    first, second = Article.objects.get(pk=story.pk), Article.objects.get(pk=story.pk)
    elsewhere = SectionFactory(publication=herald, slug="elsewhere")
    second.section = elsewhere
    second.save()
    first.headline = "Ferry fares rise, and the section goes back"
    first.save()  # its section is the one it was loaded with
    home = Run.objects.get(article=story, is_home=True)
    assert home.section_id == Article.objects.get(pk=story.pk).section_id == story.section_id


def test_moving_a_storys_home_moves_its_home_run(story, run, valley, schools):
    story.publication, story.section = valley, schools
    story.save()
    runs = {(r.publication_id, r.is_home) for r in Run.objects.filter(article=story)}
    assert runs == {(valley.pk, True)}  # the Valley's run became its home run


# --- Publishing applies everywhere; dropping applies on one masthead -----------------------


def test_unpublishing_removes_it_from_every_masthead(client, story, run, commit):
    url = story.get_absolute_url()
    with commit():
        story.status = Article.Status.UNPUBLISHED
        story.save()
    for host in (HERALD, VALLEY):
        assert client.get(url, **host).status_code == 404
        assert "Ferry fares rise" not in text(client.get("/", **host))


def test_dropping_the_run_removes_it_from_the_sister_masthead_only(client, story, run,
                                                                    commit):
    url = story.get_absolute_url()
    assert client.get(url, **VALLEY).status_code == 200  # cached now
    with commit():
        run.delete()
    assert client.get(url, **VALLEY).status_code == 404
    assert "Ferry fares rise" not in text(client.get("/", **VALLEY))
    assert "Ferry fares rise" not in text(client.get("/section/schools/", **VALLEY))
    assert client.get(url, **HERALD).status_code == 200


@pytest.mark.parametrize("change", ["scheduled", "embargoed"])
def test_a_schedule_or_an_embargo_holds_on_every_masthead(client, story, run, change):
    later = timezone.now() + timedelta(hours=3)
    if change == "scheduled":
        story.publish_at = later
    else:
        story.embargo_until = later
    story.save()
    assert Run.objects.get(pk=run.pk).publish_at == story.publish_at  # kept in step
    for host in (HERALD, VALLEY):
        assert "Ferry fares rise" not in text(client.get("/", **host))
        assert "Ferry fares rise" not in text(client.get("/search/?q=ferry", **host))


# --- Feeds, sitemaps and search on both mastheads -----------------------------------------


def feed_items(client, url, host):
    root = ElementTree.fromstring(client.get(url, **host).content)
    return [(item.findtext("title"), item.findtext("link"), item.findtext("guid"))
            for item in root.iter("item")]


def test_both_mastheads_feeds_carry_it_as_one_story_with_its_own_address_on_each(
        client, story, run):
    run.headline = "Ferry fares climb: what it means for school trips"
    run.save()
    herald = feed_items(client, "/feed/", HERALD)
    valley = feed_items(client, "/feed/", VALLEY)
    assert herald[0][0] == "Ferry fares rise for the winter"
    assert valley[0][0] == "Ferry fares climb: what it means for school trips"
    assert herald[0][1] == f"http://herald.example{story.get_absolute_url()}"
    assert valley[0][1] == f"http://valley.example{story.get_absolute_url()}"
    assert herald[0][2] == valley[0][2]  # one story: one guid
    assert feed_items(client, "/section/schools/feed/", VALLEY)[0][2] == herald[0][2]
    assert feed_items(client, "/tag/ferries/feed/", VALLEY)[0][2] == herald[0][2]
    assert feed_items(client, "/people/dana-reyes/feed/", VALLEY)[0][2] == herald[0][2]


def sitemap_locations(client, url, host):
    root = ElementTree.fromstring(client.get(url, **host).content)
    return [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def test_each_masthead_lists_it_in_its_sitemaps_at_its_own_address(client, story, run):
    day = timezone.localtime(story.publish_at)  # the newsroom's month, not UTC's
    month = f"/sitemaps/articles-{day:%Y}-{day.month}.xml"
    for host, domain in [(HERALD, "herald.example"), (VALLEY, "valley.example")]:
        assert f"http://{domain}{month}" in sitemap_locations(client, "/sitemap.xml", host)
        assert sitemap_locations(client, month, host) == [
            f"http://{domain}{story.get_absolute_url()}"]
        assert "http://{}/section/{}/".format(
            domain, "harbor" if domain.startswith("herald") else "schools"
        ) in sitemap_locations(client, "/sitemaps/sections.xml", host)
        assert f"http://{domain}/tag/ferries/" in sitemap_locations(
            client, "/sitemaps/tags.xml", host)
        assert f"http://{domain}/people/dana-reyes/" in sitemap_locations(
            client, "/sitemaps/authors.xml", host)


def test_the_google_news_sitemap_lists_it_only_on_its_home_masthead(client, story, run):
    def news(host):
        return text(client.get("/sitemaps/news.xml", **host))

    assert story.get_absolute_url() in news(HERALD)
    assert story.get_absolute_url() not in news(VALLEY)


def test_search_finds_it_on_both_mastheads_in_the_section_each_gave_it(client, story, run,
                                                                        valley):
    SectionFactory(publication=valley, name="Sports", slug="sports")
    for host in (HERALD, VALLEY):
        assert "Ferry fares rise" in text(client.get("/search/?q=ferry", **host))
    assert "Ferry fares rise" in text(client.get("/search/?q=ferry&section=harbor", **HERALD))
    assert "Ferry fares rise" in text(client.get("/search/?q=ferry&section=schools", **VALLEY))
    assert "Ferry fares rise" not in text(
        client.get("/search/?q=ferry&section=sports", **VALLEY))


# --- The sister masthead's front -------------------------------------------------------


def test_the_sister_masthead_chooses_its_own_headline_and_lead(client, story, run, valley,
                                                                schools):
    ArticleFactory(publication=valley, section=schools, published=True, featured=True,
                   headline="Valley schools open late")
    front = text(client.get("/", **VALLEY))
    lead = front[front.index('class="card card-lead"'):]
    assert "Valley schools open late" in lead[:lead.index("</article>")]
    run.featured, run.headline = True, "School trips will cost more"
    run.priority = 0
    run.save()
    story.priority = 5  # the story's own priority ranks it among the featured
    story.save()
    front = text(client.get("/", **VALLEY))
    lead = front[front.index('class="card card-lead"'):]
    assert "School trips will cost more" in lead[:lead.index("</article>")]
    # The Herald's front is its own: the story's headline, not featured there.
    assert "School trips will cost more" not in text(client.get("/", **HERALD))


# --- In Other News and bio lines ---------------------------------------------------------


def test_in_other_news_draws_from_the_network_when_the_masthead_asks(
        client, story, valley, schools, herald, commit):
    valley_story = ArticleFactory(publication=valley, section=schools, published=True,
                                  headline="Valley ferry dock gets a ramp")
    valley_story.tags.set(["ferries"])
    url = story.get_absolute_url()
    assert "Valley ferry dock gets a ramp" not in text(client.get(url, **HERALD))
    with commit():
        herald.other_news_from_network = True
        herald.save()
    page = text(client.get(url, **HERALD))
    link = f'href="http://valley.example{valley_story.get_absolute_url()}"'
    assert link in page and "Valley ferry dock gets a ramp" in page
    assert "The Valley Ledger · Schools" in page


def test_in_other_news_on_the_sister_masthead_links_to_pages_there(client, story, run,
                                                                   valley, schools):
    neighbour = ArticleFactory(publication=valley, section=schools, published=True,
                               headline="Bus routes change for the ferry")
    neighbour.tags.set(["ferries"])
    page = text(client.get(story.get_absolute_url(), **VALLEY))
    assert f'href="{neighbour.get_absolute_url()}"' in page
    herald_page = text(client.get(story.get_absolute_url(), **HERALD))
    assert "Bus routes change for the ferry" not in herald_page


def test_the_bio_line_may_differ_per_masthead(client, story, run, valley):
    person = story.bylines.get().person
    MastheadBio.objects.create(person=person, publication=valley,
                               short_bio="Dana Reyes writes about the harbor for our sister "
                               "paper, The Herald.")
    assert "harbor reporter for The Herald" in text(client.get(story.get_absolute_url(),
                                                               **HERALD))
    sister = text(client.get(story.get_absolute_url(), **VALLEY))
    assert "writes about the harbor for our sister paper" in sister
    assert "harbor reporter for The Herald" not in sister


# --- Cache invalidation on every masthead ----------------------------------------------------


def moved(keys, action, commit):
    before = generations.generations(keys)
    with commit():
        action()
    after = generations.generations(keys)
    return {k for k in keys if after[k] != before[k]}


def test_a_move_refreshes_the_lists_of_every_masthead_it_runs_on(story, run, commit):
    shown = [keys.publication(story.publication_id), keys.publication(run.publication_id),
             keys.section(story.section_id), keys.section(run.section_id),
             keys.sitemap(run.publication_id), keys.article(story.pk), keys.NETWORK]

    def unpublish():
        story.status = Article.Status.UNPUBLISHED
        story.save()

    assert moved(shown, unpublish, commit) == set(shown)


def test_an_edit_refreshes_the_sitemaps_of_every_masthead(story, run, commit):
    def edit():
        story.headline = "Ferry fares rise, council says"
        story.save()

    shown = [keys.article(story.pk), keys.sitemap(run.publication_id),
             keys.publication(run.publication_id)]
    assert moved(shown, edit, commit) == {keys.article(story.pk),
                                          keys.sitemap(run.publication_id)}


def test_dropping_or_moving_a_run_refreshes_the_masthead_and_sections_it_left(
        story, run, valley, commit):
    sports = SectionFactory(publication=valley, slug="sports")
    old_section = run.section_id
    shown = [keys.publication(valley.pk), keys.section(old_section), keys.section(sports.pk),
             keys.article(story.pk), keys.publication(story.publication_id)]

    def move():
        run.section = sports
        run.save()

    assert moved(shown, move, commit) == set(shown) - {keys.publication(story.publication_id)}
    fresh = Run.objects.get(pk=run.pk)
    assert moved(shown, fresh.delete, commit) == {
        keys.publication(valley.pk), keys.section(sports.pk), keys.article(story.pk)}


def test_a_cached_sister_page_follows_an_edit_of_the_story(client, story, run, commit,
                                                           settings):
    settings.NEWSROOM_PAGE_CACHE = True
    url = story.get_absolute_url()
    client.get(url, **VALLEY)
    assert client.get(url, **VALLEY)["X-Newsroom-Cache"] == "hit"
    with commit():
        story.headline = "Ferry fares rise by a quarter"
        story.save()
    assert "Ferry fares rise by a quarter" in text(client.get(url, **VALLEY))
    assert "Ferry fares rise by a quarter" in text(client.get("/", **VALLEY))


# --- Listings stay cheap -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/section/schools/", "/tag/ferries/", "/stories/"])
def test_a_sister_mastheads_lists_cost_the_same_with_more_stories_run(
        client, story, run, valley, schools, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        client.get(url, **VALLEY)  # parts of the page cached, as for most visits
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, **VALLEY).status_code == 200
        return len(queries)

    few = count()
    for n in range(6):
        more = ArticleFactory(publication=story.publication, published=True,
                              headline=f"Harbor story {n}")
        more.tags.set(["ferries"])
        BylineFactory(article=more)
        RunFactory(article=more, publication=valley, section=schools)
    assert count() == few
