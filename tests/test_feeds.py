"""RSS and Atom feeds: valid, complete, current, and never showing unpublished work."""

import html
from datetime import timedelta

import feedparser
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from articles.caching import keys
from articles.distribution.feeds import FEED_ITEMS_CAP, feed_size
from articles.models import Article, Correction

from .distribution_data import HIDDEN_HEADLINES, TRICKY_HEADLINE, hidden_stories, rich_story
from .factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ImageFactory,
    PersonFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """Sizes of images and sitemap counts are cached; each test starts without them (and,
    as the suite's cache has it, with the cache's journal just applied: a request applying
    it keeps none of the parts it built whose keys the journal moved)."""
    cache.clear()
    cache.set(keys.JOURNAL_CHECKED, 1, timeout=None)

FEEDS = ["/feed/", "/feed/atom/"]
SCOPED = ["/section/harbor/feed/", "/tag/ferries/feed/", "/people/dana-reyes/feed/"]
ALL_FEEDS = FEEDS + SCOPED + [url + "atom/" for url in SCOPED]


@pytest.fixture
def story(publication):
    return rich_story(publication)


def parse(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return response, feed


@pytest.mark.parametrize("url", ALL_FEEDS)
def test_every_feed_parses_cleanly_and_lists_the_story(client, story, url):
    response, feed = parse(client, url)
    assert response["Content-Type"].startswith(
        "application/atom+xml" if url.endswith("atom/") else "application/rss+xml"
    )
    assert [e.title for e in feed.entries] == ["Ferry crews win a new contract"]


def test_rss_item_carries_every_field(client, story, publication):
    _response, feed = parse(client, "/feed/")
    entry = feed.entries[0]
    assert entry.link == f"http://testserver{story.get_absolute_url()}"
    assert entry.id == f"tag:testserver,{story.publish_at.date().isoformat()}:article:{story.pk}"
    assert entry.guidislink is False
    assert entry.published_parsed[:6] == story.publish_at.utctimetuple()[:6]
    assert entry.summary == story.summary
    assert "The agreement was signed on Monday." in entry.content[0].value
    assert "misstated the contract length" in entry.content[0].value
    # Every author gets a dc:creator, not only the first; the photographer is no author.
    xml = etree.fromstring(client.get("/feed/").content)
    creators = xml.findall(".//item/{http://purl.org/dc/elements/1.1/}creator")
    assert [c.text for c in creators] == ["Dana Reyes", "Sam Okafor"]
    assert {t.term for t in entry.tags} == {"Harbor", "ferries", "labor"}
    image = story.lead_image
    assert entry.enclosures[0].href.endswith(image.file.url)
    assert entry.enclosures[0].type == "image/jpeg"
    assert entry.enclosures[0].length == str(image.file.size)
    media = entry.media_content[0]
    assert media["url"] == f"http://testserver{image.file.url}"
    assert (media["type"], media["width"], media["height"], media["filesize"]) == (
        "image/jpeg", "120", "80", str(image.file.size),
    )


def test_rss_channel_has_self_link_language_build_date_and_logo(client, story, publication):
    publication.logo.save("logo.png", ContentFile(image_bytes("PNG"), name="logo.png"))
    publication.language = "en-gb"
    publication.save()
    _response, feed = parse(client, "/section/harbor/feed/")
    channel = feed.feed
    assert channel.title == f"Harbor · {publication.name}"
    assert channel.link == "http://testserver/section/harbor/"
    self_links = [link.href for link in channel.links if link.rel == "self"]
    assert self_links == ["http://testserver/section/harbor/feed/"]
    assert channel.language == "en-gb"
    assert channel.image.href == f"http://testserver{publication.logo.url}"
    # lastBuildDate: the latest change among the items, here the story's correction.
    latest = story.corrections.get().created_at
    assert channel.updated_parsed[:6] == latest.utctimetuple()[:6]
    atom = parse(client, "/section/harbor/feed/atom/")[1].feed
    assert atom.logo == f"http://testserver{publication.logo.url}"
    assert atom.language == "en-gb"


def test_atom_entry_lists_every_author_with_their_page(client, story):
    _response, feed = parse(client, "/feed/atom/")
    entry = feed.entries[0]
    assert [(a.name, a.href) for a in entry.authors] == [
        ("Dana Reyes", "http://testserver/people/dana-reyes/"),
        ("Sam Okafor", "http://testserver/people/sam-okafor/"),
    ]
    assert entry.content[0].type == "text/html"
    assert "Crews return to full schedules." in entry.content[0].value
    assert entry.updated_parsed is not None and entry.published_parsed is not None
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [
        "http://testserver/feed/atom/"
    ]
    assert entry.media_content[0]["width"] == "120"


@pytest.mark.parametrize("url", ALL_FEEDS)
def test_unpublished_work_appears_in_no_feed(client, story, url):
    person = story.bylines.get(person__full_name="Dana Reyes").person
    hidden_stories(story.publication, story.section, person)
    _response, feed = parse(client, url)
    titles = [e.title for e in feed.entries]
    assert titles == ["Ferry crews win a new contract"]
    assert not set(HIDDEN_HEADLINES) & set(titles)


def test_another_publications_stories_stay_off_this_hosts_feed(client, story, other_publication):
    ArticleFactory(publication=other_publication, published=True, headline="Valley news")
    _response, feed = parse(client, "/feed/", HTTP_HOST="valley.example")
    assert [e.title for e in feed.entries] == ["Valley news"]
    assert feed.feed.link == "http://valley.example/"


@pytest.mark.parametrize("url", [
    "/section/nowhere/feed/", "/tag/nothing/feed/", "/people/nobody/feed/atom/",
    "/section/nowhere/feed/atom/",
])
def test_unknown_section_tag_or_author_feed_is_404(client, story, url):
    assert client.get(url).status_code == 404


def test_a_tag_used_only_on_drafts_has_no_feed(client, publication):
    ArticleFactory(publication=publication).tags.add("secret-plan")
    assert client.get("/tag/secret-plan/feed/").status_code == 404


def test_a_tag_used_only_by_another_publication_has_no_feed_here(client, other_publication):
    ArticleFactory(publication=other_publication, published=True).tags.add("valley-fair")
    assert client.get("/tag/valley-fair/feed/", HTTP_HOST="valley.example").status_code == 200
    assert client.get("/tag/valley-fair/feed/").status_code == 404


def test_feed_lists_fifty_stories_by_default_and_no_parameter_raises_it(client, publication):
    now = timezone.now()
    ArticleFactory.create_batch(55, publication=publication, published=True, publish_at=now)
    _response, feed = parse(client, "/feed/?limit=500&items=500&page=2")
    assert len(feed.entries) == 50


def test_feed_size_setting_is_capped(client, publication, settings):
    settings.NEWSROOM_FEED_ITEMS = 3
    ArticleFactory.create_batch(4, publication=publication, published=True)
    assert len(parse(client, "/feed/")[1].entries) == 3
    settings.NEWSROOM_FEED_ITEMS = 10_000
    assert feed_size() == FEED_ITEMS_CAP


def test_tricky_headline_stays_well_formed(client, publication):
    ArticleFactory(publication=publication, published=True, headline=TRICKY_HEADLINE,
                   summary='Fish & chips <i>"cheaper"</i> 🐟')
    for url in FEEDS:
        response, feed = parse(client, url)
        etree.fromstring(response.content)  # well-formed XML
        assert TRICKY_HEADLINE.encode() not in response.content  # escaped, not raw
        title = feed.entries[0].title_detail
        # RSS titles are read as HTML, so the markup arrives escaped and shows as text.
        shown = html.unescape(title.value) if title.type == "text/html" else title.value
        assert shown == TRICKY_HEADLINE
        assert html.unescape(feed.entries[0].summary) == 'Fish & chips <i>"cheaper"</i> 🐟'


# Conditional GET.


def test_repeat_request_with_etag_or_last_modified_gets_304(client, story):
    first = client.get("/feed/")
    assert first["ETag"] and first["Last-Modified"]
    assert "must-revalidate" in first["Cache-Control"]
    again = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    again = client.get("/feed/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    atom = client.get("/feed/atom/")
    assert atom["ETag"] != first["ETag"]


def etag_after(client, change, url="/feed/"):
    before = client.get(url)
    change()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200, "the feed did not notice the change"
    return feedparser.parse(after.content)


def test_publishing_changes_the_feed_at_once(client, story):
    draft = ArticleFactory(publication=story.publication, headline="Breaking: pier reopens")

    def publish():
        draft.status, draft.publish_at = Article.Status.PUBLISHED, timezone.now()
        draft.save()

    feed = etag_after(client, publish)
    assert feed.entries[0].title == "Breaking: pier reopens"


def test_unpublishing_changes_the_feed_at_once(client, story):
    older = ArticleFactory(publication=story.publication, published=True,
                           publish_at=timezone.now() - timedelta(days=3))

    def unpublish():
        Article.objects.filter(pk=older.pk).update(status=Article.Status.UNPUBLISHED)

    feed = etag_after(client, unpublish)
    assert [e.title for e in feed.entries] == [story.headline]


def test_editing_changes_the_feed_at_once(client, story):
    def edit():
        story.headline = "Ferry crews win a five-year contract"
        story.save()

    assert etag_after(client, edit).entries[0].title == "Ferry crews win a five-year contract"


def test_correcting_changes_the_feed_at_once(client, story):
    def correct():
        CorrectionFactory(article=story, text="The vote was 7-2, not 6-3.",
                          created_at=timezone.now() + timedelta(seconds=1))

    feed = etag_after(client, correct, url="/tag/ferries/feed/atom/")
    assert "The vote was 7-2, not 6-3." in feed.entries[0].content[0].value


def test_embargo_lifting_changes_the_feed(client, story):
    embargoed = ArticleFactory(publication=story.publication, published=True,
                               headline="Audit findings", embargo_until=timezone.now() + timedelta(hours=1))

    def lift():
        Article.objects.filter(pk=embargoed.pk).update(embargo_until=timezone.now())

    feed = etag_after(client, lift)
    assert "Audit findings" in [e.title for e in feed.entries]


def test_feed_queries_do_not_grow_with_items(client, publication):
    def queries_for(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    rich_story(publication)
    one = queries_for("/feed/")
    for _ in range(5):
        rich_story(publication, headline="Another ferry story")
    cache.clear()
    cache.set(keys.JOURNAL_CHECKED, 1, timeout=None)  # the feed's queries, not the journal's
    assert queries_for("/feed/") == one


@pytest.mark.django_db
def test_section_tag_and_author_pages_link_their_feed_for_readers(client, publication):
    from .factories import ArticleFactory, BylineFactory

    story = ArticleFactory(publication=publication, published=True)
    story.tags.set(["tides"])
    person = BylineFactory(article=story).person
    for page, feed in [
        (story.section.get_absolute_url(), f"/section/{story.section.slug}/feed/"),
        ("/tag/tides/", "/tag/tides/feed/"),
        (person.get_absolute_url(), f"/people/{person.slug}/feed/"),
    ]:
        assert f'<p class="feed-link"><a href="{feed}">' in client.get(page).text, page


HOSTILE_TAG = '"><svg onload=alert(1)>'
HOSTILE_SECTION = 'Harbor"><svg onload=alert(2)>'
HOSTILE_PERSON = 'Dana "><img src=x onerror=alert(3)>'
HOSTILE_HEADLINE = '<svg onload=alert(4)> Ferry fares & "tolls"'


@pytest.fixture
def hostile(publication):
    from taggit.models import Tag

    from .factories import BylineFactory, PersonFactory, SectionFactory

    section = SectionFactory(publication=publication, name=HOSTILE_SECTION, slug="hostile",
                             description=f"About {HOSTILE_SECTION}")
    story = ArticleFactory(publication=publication, section=section, published=True,
                           headline=HOSTILE_HEADLINE)
    story.tags.add(Tag.objects.create(name=HOSTILE_TAG, slug="hostile-tag"))
    person = PersonFactory(full_name=HOSTILE_PERSON)
    BylineFactory(article=story, person=person)
    return person


HOSTILE_FEEDS = ["/feed/", "/section/hostile/feed/", "/tag/hostile-tag/feed/", "PERSON"]


@pytest.mark.parametrize("url", HOSTILE_FEEDS)
def test_rss_carries_every_name_as_escaped_text_in_channel_and_items(client, hostile, url):
    url = hostile.get_absolute_url() + "feed/" if url == "PERSON" else url
    response = client.get(url)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    dc = "{http://purl.org/dc/elements/1.1/}creator"
    texts = [root.findtext("channel/title"), root.findtext("channel/description"),
             root.findtext("channel/item/title"), root.findtext(f"channel/item/{dc}"),
             *(c.text for c in root.findall("channel/item/category"))]
    shown = [html.unescape(text) for text in texts]
    for text in texts:
        # RSS readers render these as HTML: no markup may arrive unescaped, at any level.
        assert "<" not in text and '"' not in text, text
    assert shown[2] == HOSTILE_HEADLINE
    assert shown[3] == HOSTILE_PERSON
    assert set(shown[4:]) == {HOSTILE_SECTION, HOSTILE_TAG}
    expected_channel = {
        "/feed/": "Newsroom", "/section/hostile/feed/": f"{HOSTILE_SECTION} · Newsroom",
        "/tag/hostile-tag/feed/": f"{HOSTILE_TAG} · Newsroom",
    }.get(url, f"{HOSTILE_PERSON} · Newsroom")
    assert shown[0] == expected_channel


@pytest.mark.parametrize("url", HOSTILE_FEEDS)
def test_atom_carries_every_name_as_plain_text_in_feed_and_entries(client, hostile, url):
    url = (hostile.get_absolute_url() + "feed/" if url == "PERSON" else url) + "atom/"
    response = client.get(url)
    assert response.status_code == 200
    atom = "{http://www.w3.org/2005/Atom}"
    root = etree.fromstring(response.content)
    titles = [root.find(f"{atom}title"), root.find(f"{atom}subtitle"),
              root.find(f"{atom}entry/{atom}title"),
              root.find(f"{atom}entry/{atom}author/{atom}name")]
    for element in titles:
        assert element.get("type", "text") == "text"  # declared plain text: shown as is
    assert titles[2].text == HOSTILE_HEADLINE
    assert titles[3].text == HOSTILE_PERSON
    terms = {c.get("term") for c in root.findall(f"{atom}entry/{atom}category")}
    assert terms == {HOSTILE_SECTION, HOSTILE_TAG}
    _response, feed = parse(client, url)  # and a reader shows the very names
    assert feed.feed.title.endswith("Newsroom")
    assert feed.entries[0].title == HOSTILE_HEADLINE


def test_after_a_publish_a_feed_builds_the_new_storys_text_only(client, publication, commit,
                                                               monkeypatch):
    """Each item's text is a part of pages cached apart (articles.caching.fragments): a
    feed built again reuses them, and after a publish builds the new story's alone; an
    edit builds that story's again, so no item is ever stale."""
    from articles.distribution.feeds import StoryFeed

    built = []
    item_text = StoryFeed.item_text

    def counting(self, item):
        built.append(item.pk)
        return item_text(self, item)

    monkeypatch.setattr(StoryFeed, "item_text", counting)
    stories = [ArticleFactory(publication=publication, published=True,
                              body=f"<p>Report number {n} from the harbor.</p>",
                              publish_at=timezone.now() - timedelta(hours=n + 1))
               for n in range(3)]
    first = client.get("/feed/").content
    assert sorted(built) == sorted(a.pk for a in stories)
    built.clear()
    assert client.get("/feed/").content == first
    assert built == []
    with commit():
        fresh = ArticleFactory(publication=publication, published=True,
                               body="<p>The breakwater repair finished early.</p>",
                               publish_at=timezone.now() - timedelta(minutes=1))
    assert "breakwater repair finished early" in client.get("/feed/").text
    assert built == [fresh.pk]
    built.clear()
    with commit():
        stories[1].body = "<p>Report number one, corrected: the ferry was late.</p>"
        stories[1].save()
    assert "the ferry was late" in client.get("/feed/").text
    assert built == [stories[1].pk]


def test_a_feed_looks_up_its_pictures_sizes_in_one_round_trip(client, publication, monkeypatch):
    """Only for the items it writes: a feed whose items are all kept asks nothing."""
    from articles.caching.generations import bump
    from articles.distribution import feeds

    for n in range(4):
        ArticleFactory(publication=publication, published=True, lead_image=ImageFactory(),
                       publish_at=timezone.now() - timedelta(hours=n + 1))
    client.get("/feed/")  # the sizes are measured once and kept
    bump([keys.PEOPLE])  # a person renamed: every item is written again
    asked = []

    class Counting:
        def __getattr__(self, name):
            method = getattr(cache, name)

            def counted(*args, **kwargs):
                asked.append(name)
                return method(*args, **kwargs)
            return counted

    monkeypatch.setattr(feeds, "cache", Counting)
    items = parse(client, "/feed/")[1].entries
    assert len(items) == 4 and all(item.enclosures[0].length != "0" for item in items)
    assert asked == ["get_many"]
    asked.clear()
    assert len(parse(client, "/feed/")[1].entries) == 4  # every item kept
    assert asked == []


# Each item's XML is a part of pages (articles.caching.fragments), shared by every feed of
# the host in the same format.


@pytest.fixture
def written(monkeypatch):
    """The guids of the items each request writes (instead of taking them from the cache)."""
    from articles.distribution.feedgenerators import EntriesWrittenApart

    guids = []
    write_entry = EntriesWrittenApart.write_entry

    def counting(self, item):
        guids.append(item["unique_id"])
        return write_entry(self, item)

    monkeypatch.setattr(EntriesWrittenApart, "write_entry", counting)
    return guids


def simple_story(publication, n, reporter=None, **fields):
    """A public story with one tag, an author, a lead picture and a correction (one tag:
    the order of several is the database's)."""
    story = ArticleFactory(publication=publication, published=True,
                           body=f"<p>Report number {n} from the harbor.</p>",
                           lead_image=ImageFactory(), **fields)
    story.tags.add("ferries")
    BylineFactory(article=story, person=reporter or PersonFactory(full_name=f"Reporter {n}"))
    CorrectionFactory(article=story, created_at=timezone.now() - timedelta(minutes=n + 1))
    return story


def guid(story):
    return f"tag:testserver,{story.publish_at.date().isoformat()}:article:{story.pk}"


def written_whole(client, settings, url):
    """The feed as it is written with no part cached: every item in one go."""
    settings.NEWSROOM_FRAGMENT_CACHE = False
    try:
        return client.get(url).content
    finally:
        settings.NEWSROOM_FRAGMENT_CACHE = True


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_a_feed_from_kept_items_is_the_feed_written_whole(client, publication, settings,
                                                         commit, written, url):
    stories = [simple_story(publication, n, publish_at=timezone.now() - timedelta(hours=n + 1))
               for n in range(3)]
    first = client.get(url).content
    assert sorted(written) == sorted(guid(story) for story in stories)
    assert first == written_whole(client, settings, url)
    written.clear()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url).content
    assert again == first and written == []
    # Every item was current: no story was loaded, only the list of ids and times.
    assert not [q["sql"] for q in queries if '"articles_article"."body"' in q["sql"]]
    with commit():
        # In a section and by a reporter already on the feed: a new section or person
        # moves every item's key (the layout's, PEOPLE).
        fresh = simple_story(publication, 9, publish_at=timezone.now() - timedelta(minutes=1),
                             section=stories[0].section,
                             reporter=stories[0].bylines.get().person)
    after = client.get(url).content
    assert written == [guid(fresh)]
    assert after == written_whole(client, settings, url)
    etree.fromstring(after)


def test_every_feed_of_a_host_shares_its_items_and_each_format_has_its_own(
        client, publication, written):
    story = simple_story(publication, 1)
    client.get("/feed/")
    assert written == [guid(story)]
    for url in [f"/section/{story.section.slug}/feed/", "/tag/ferries/feed/",
                story.bylines.get().person.get_absolute_url() + "feed/"]:
        assert parse(client, url)[1].entries[0].id == guid(story)
    assert written == [guid(story)]
    parse(client, "/tag/ferries/feed/atom/")
    assert written == [guid(story)] * 2
    parse(client, "/feed/", HTTP_HOST="herald.example")  # another host: its own addresses
    assert written[-1] == guid(story).replace("testserver", "herald.example")


def rename_author(story):
    person = story.bylines.get().person
    person.full_name = "Dana Reyes-Okafor"
    person.save()
    return "Dana Reyes-Okafor"


def rename_tag(story):
    tag = story.tags.get()
    tag.name = "Ferry service"
    tag.save()
    return "Ferry service"


def rename_section(story):
    story.section.name = "Harbor and Port"
    story.section.save()
    return "Harbor and Port"


def recredit_lead_picture(story):
    story.lead_image.credit = "Lena Park for The Herald"
    story.lead_image.save()
    return "Lena Park for The Herald"


def edit_story(story):
    story.headline = "Ferry crews win a five-year contract"
    story.save()
    return "Ferry crews win a five-year contract"


def correct_story(story):
    CorrectionFactory(article=story, text="The vote was 7-2, not 6-3.")
    return "The vote was 7-2, not 6-3."


def give_the_home_masthead_a_domain(story):
    story.publication.domain = "herald.example"
    story.publication.save()
    return f"tag:herald.example,{story.publish_at.date().isoformat()}:article:{story.pk}"


@pytest.mark.parametrize("change", [
    rename_author, rename_tag, rename_section, recredit_lead_picture, edit_story,
    correct_story, give_the_home_masthead_a_domain,
])
@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_a_kept_item_follows_every_change_to_what_it_shows(client, publication, settings,
                                                           commit, change, url):
    story = simple_story(publication, 1)
    simple_story(publication, 2, publish_at=timezone.now() - timedelta(days=1))
    client.get(url)
    with commit():
        shown = change(story)
    after = client.get(url).content
    assert html.escape(shown, quote=False).encode() in after
    assert after == written_whole(client, settings, url)


def test_a_kept_item_shows_a_body_pictures_new_renditions(client, publication, commit):
    from articles import body_images
    from newsroom import renditions

    picture = ImageFactory(file=ContentFile(image_bytes(size=(1000, 600)), name="gulls.jpg"))
    attrs = body_images.reference(picture, "Gulls")
    img = "<img " + " ".join(f'{k}="{html.escape(str(v))}"' for k, v in attrs.items()) + ">"
    ArticleFactory(publication=publication, published=True, body=f"<p>Before.</p>{img}")
    old = renditions.renditions(picture)[1].url
    assert old in client.get("/feed/").text
    with commit():
        picture.focal_x = 0.2
        picture.save()
    feed = client.get("/feed/").text
    assert old not in feed and renditions.renditions(picture)[1].url in feed


def test_a_sister_mastheads_kept_item_follows_its_headline_and_section_there_and_its_home(
        client, publication, other_publication, commit):
    from .factories import RunFactory

    story = simple_story(publication, 1)
    run = RunFactory(article=story, publication=other_publication, headline="Valley take")
    valley = {"HTTP_HOST": "valley.example"}
    assert [e.title for e in parse(client, "/feed/", **valley)[1].entries] == ["Valley take"]
    with commit():
        run.headline = "Valley second take"
        run.save()
    assert [e.title for e in parse(client, "/feed/", **valley)[1].entries] == [
        "Valley second take"]
    # The guid names the story's home masthead.
    with commit():
        give_the_home_masthead_a_domain(story)
    assert parse(client, "/feed/", **valley)[1].entries[0].id.startswith("tag:herald.example,")
    # The section is the one it runs in there.
    with commit():
        run.section.name = "Valley Schools"
        run.section.save()
    assert "Valley Schools" in [t.term for t in parse(client, "/feed/", **valley)[1].entries[0].tags]


def test_an_item_whose_last_change_is_ahead_is_written_each_time(client, publication, written):
    """A correction timed a moment from now: the item shows "now" as its update until
    then, so it is never kept."""
    story = simple_story(publication, 1)
    CorrectionFactory(article=story, created_at=timezone.now() + timedelta(hours=1))
    client.get("/feed/")
    client.get("/feed/")
    assert written == [guid(story)] * 2


@pytest.mark.parametrize("writer", ["NewsroomRssFeed", "NewsroomAtomFeed"])
def test_a_feed_of_items_written_apart_is_byte_for_byte_the_feed_written_in_one_go(writer):
    from articles.distribution import feedgenerators

    now = timezone.now()

    def feed():
        made = getattr(feedgenerators, writer)(
            title="Harbor · Newsroom", link="http://testserver/", description="Tides & <ferries>",
            language="en-gb", feed_url="http://testserver/feed/", logo_url="http://testserver/l.png")
        for n in range(2):
            made.add_item(
                title=f"Ferry {n} & “tolls” 🌊", link=f"http://testserver/{n}/",
                description="<p>Fish &amp; chips</p>", unique_id=f"tag:testserver,2026:{n}",
                unique_id_is_permalink=False, categories=["Harbor", "ferries"],
                pubdate=now - timedelta(hours=n + 2), updateddate=now - timedelta(hours=n),
                authors=[("Dana Reyes", "http://testserver/people/dana-reyes/")],
                content_html="<p>The agreement was signed.</p>",
                media={"url": "http://testserver/m.jpg", "type": "image/jpeg", "length": 10,
                       "width": 12, "height": 8, "title": "A ferry", "credit": "Lena"})
        return made

    whole = feed().writeString("utf-8")
    apart = feed()
    apart.entries = [apart.write_entry(item) for item in apart.items]
    apart.feed["latest_change"] = apart.latest_post_date()
    apart.items = []  # the channel's date comes from latest_change, the items from entries
    assert apart.writeString("utf-8") == whole


@pytest.fixture
def compiles(monkeypatch):
    """The queries feeds compile (``feeds.compiled``), from none: one entry each time one is
    compiled."""
    from articles.distribution import feeds

    monkeypatch.setattr(feeds, "_compiled", {})
    made = []
    real = feeds.CompiledQuery
    monkeypatch.setattr(feeds, "CompiledQuery", lambda *a, **k: made.append(a) or real(*a, **k))
    return made


def compiled_as(what):
    from articles.distribution import feeds

    return [query for (_db, name, *_rest), query in feeds._compiled.items() if name == what]


def test_a_mastheads_feed_reads_its_list_with_sql_compiled_once(client, publication,
                                                                 monkeypatch, compiles):
    """The masthead's feed lists its newest stories with ``published().on()``'s own SQL,
    compiled once per process (``feeds.masthead_window``) and run with each request's time:
    a story scheduled for later joins the list once its time comes, and never before."""
    from articles.distribution import feeds

    now = timezone.now()
    shown = ArticleFactory(publication=publication, published=True,
                           publish_at=now - timedelta(hours=1))
    later = ArticleFactory(publication=publication, status=Article.Status.PUBLISHED,
                           publish_at=now + timedelta(hours=1))
    for path in FEEDS * 2:
        assert client.get(path).status_code == 200
    # Once each, for every request and both formats: the list, the latest save (for
    # Last-Modified) and the list's corrections.
    assert sorted(name for _db, name, *_rest in feeds._compiled) == [
        "latest corrections", "latest save", "window"]
    assert len(compiles) == 3
    fresh = (Article.objects.published().on(publication).newest_first()
             .values_list(*feeds.WINDOW)[: feed_size()])
    assert feeds.masthead_window(publication.pk, feed_size()) == list(fresh)
    [query] = compiled_as("window")
    at = timezone.now()
    assert query.sql_with_params(now=at) == (
        Article.objects.published(at=at).on(publication).newest_first()
        .values_list(*feeds.WINDOW)[: feed_size()].query.sql_with_params())
    assert len(compiles) == 3
    assert [row[0] for row in feeds.masthead_window(publication.pk, feed_size())] == [shown.pk]
    with monkeypatch.context() as later_on:
        later_on.setattr(timezone, "now", lambda: now + timedelta(hours=2))
        assert [row[0] for row in feeds.masthead_window(publication.pk, feed_size())] == \
            [later.pk, shown.pk]


def test_last_modified_counts_every_save_on_the_masthead_read_with_sql_compiled_once(
        client, publication, compiles):
    """A feed's Last-Modified counts the newest save of any of the masthead's stories,
    public or not (a story leaving the feed was saved as it left). That query is compiled
    once per process and masthead, and sees each new save."""
    from django.utils.http import http_date

    from articles.distribution import feeds

    day_ago = timezone.now().replace(microsecond=0) - timedelta(days=1)
    ArticleFactory(publication=publication, published=True, publish_at=day_ago)
    draft = ArticleFactory(publication=publication)
    Article.objects.filter(publication=publication).update(modified_at=day_ago)
    cache.clear()  # no generation says the masthead's lists changed just now
    cache.set(keys.JOURNAL_CHECKED, 1, timeout=None)
    assert client.get("/feed/")["Last-Modified"] == http_date(day_ago.timestamp())
    saved = day_ago + timedelta(hours=3)
    Article.objects.filter(pk=draft.pk).update(modified_at=saved)  # the draft, not in the feed
    assert client.get("/feed/atom/")["Last-Modified"] == http_date(saved.timestamp())
    assert feeds.masthead_latest_save(publication.pk) == saved
    [query] = compiled_as("latest save")
    assert query.sql_with_params() == (
        Article.objects.filter(publication_id=publication.pk).order_by("-modified_at")
        .values_list("modified_at", flat=True)[:1].query.sql_with_params())
    assert len(compiles) == len(feeds._compiled)  # each compiled once


def test_a_feeds_corrections_are_read_with_sql_compiled_once_per_number_of_stories(
        client, publication, compiles):
    """An item's last change counts its story's newest correction. The corrections of a
    feed's stories are read with SQL compiled once per process and number of stories, run
    with the stories' own ids, and a new correction shows at once."""
    from articles.distribution import feeds

    long_ago = timezone.now() - timedelta(days=2)
    first, second = (ArticleFactory(publication=publication, published=True,
                                     publish_at=long_ago - timedelta(hours=n)) for n in range(2))
    Article.objects.filter(publication=publication).update(modified_at=long_ago)
    assert feeds.latest_corrections([first.pk, second.pk]) == {}
    corrected = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)

    def correct():
        CorrectionFactory(article=second, created_at=corrected)

    feed = etag_after(client, correct, url="/feed/atom/")
    entry = next(e for e in feed.entries if e.id.endswith(f":article:{second.pk}"))
    assert entry.updated == corrected.isoformat()
    assert feeds.latest_corrections([second.pk, first.pk]) == {second.pk: corrected}
    [query] = compiled_as("latest corrections")
    assert query.sql_with_params(pk0=first.pk, pk1=second.pk) == (
        Correction.objects.filter(article_id__in=[first.pk, second.pk])
        .values("article_id").annotate(latest=Max("created_at"))
        .values_list("article_id", "latest").query.sql_with_params())
    assert feeds.latest_corrections([first.pk]) == {}  # another number, its own query
    assert len(compiles) == len(feeds._compiled) == 4  # the list, latest save, 2 and 1


def test_a_feed_asks_for_the_host_as_often_with_one_item_as_with_six(client, publication,
                                                                      monkeypatch):
    """Every kept item is named for the request's scheme and host (``keys.origin``), read
    once per request rather than once per item (each ``get_host`` checks ALLOWED_HOSTS)."""
    from django.http import HttpRequest

    asked = []
    get_host = HttpRequest.get_host
    monkeypatch.setattr(HttpRequest, "get_host", lambda self: asked.append(1) or get_host(self))

    def asked_for_kept_feed():
        client.get("/feed/")  # every item written and kept
        asked.clear()
        assert client.get("/feed/atom/").status_code == 200
        client.get("/feed/atom/")  # RSS and Atom each keep their own items
        asked.clear()
        assert client.get("/feed/atom/", HTTP_CACHE_CONTROL="no-cache").status_code == 200
        return len(asked)

    ArticleFactory(publication=publication, published=True)
    one = asked_for_kept_feed()
    for _ in range(5):
        ArticleFactory(publication=publication, published=True)
    assert asked_for_kept_feed() == one


def test_a_feeds_etag_and_last_modified_read_their_generations_in_one_round_trip(
        client, publication, settings, monkeypatch):
    """The generations of the names items show (ETag) and of the masthead's lists
    (Last-Modified) are read together, and a change to the lists still moves
    Last-Modified."""
    from django.utils.http import parse_http_date

    from articles.caching import generations

    settings.NEWSROOM_PAGE_CACHE = False
    ArticleFactory(publication=publication, published=True,
                   publish_at=timezone.now() - timedelta(days=1))
    Article.objects.filter(publication=publication).update(
        modified_at=timezone.now() - timedelta(days=1))
    shared = generations.cache()
    asked = []

    class Counting:
        def __getattr__(self, name):
            method = getattr(shared, name)

            def counted(*args, **kwargs):
                if name == "get_many":
                    asked.append(set(args[0]))
                return method(*args, **kwargs)
            return counted

    monkeypatch.setattr(generations, "cache", Counting)
    lists, people = (keys.generation(keys.publication(publication.pk)),
                     keys.generation(keys.PEOPLE))
    client.get("/feed/")  # every generation known from here on
    asked.clear()
    before = parse_http_date(client.get("/feed/")["Last-Modified"])
    assert [names for names in asked if lists in names] == [
        {lists, people, keys.generation(keys.TAGS),
         keys.generation(keys.layout(publication.pk))}]
    generations.bump([keys.publication(publication.pk)])  # a sister's story runs here now
    assert parse_http_date(client.get("/feed/")["Last-Modified"]) > before


def test_a_feeds_channel_is_written_once_for_what_it_shows(client, publication, settings,
                                                           monkeypatch):
    """The channel around a feed's items (its names, addresses, year and build date) is
    written once per process for what it shows: a feed whose items are all kept runs none
    of Django's feed writer, answers byte for byte as a feed written whole, and a new story
    (a new build date) gets a channel of its own."""
    from django.contrib.syndication.views import Feed

    from articles.distribution import feeds

    settings.NEWSROOM_PAGE_CACHE = False
    monkeypatch.setattr(feeds, "_channels", {})
    written = []
    get_feed = Feed.get_feed
    monkeypatch.setattr(Feed, "get_feed",
                        lambda self, *args: written.append(1) or get_feed(self, *args))
    ArticleFactory(publication=publication, published=True,
                   publish_at=timezone.now() - timedelta(hours=2))
    for url in FEEDS:
        client.get(url)  # items and channel written
        written.clear()
        kept = client.get(url)
        assert written == []
        settings.NEWSROOM_FRAGMENT_CACHE = False
        whole = client.get(url)
        settings.NEWSROOM_FRAGMENT_CACHE = True
        assert kept.content == whole.content and kept["ETag"] == whole["ETag"]
    ArticleFactory(publication=publication, published=True, headline="Pier reopens",
                   publish_at=timezone.now() - timedelta(minutes=5))
    written.clear()
    response, feed = parse(client, "/feed/")
    assert feed.entries[0].title == "Pier reopens"
    assert len(written) == 2  # the new story's item, then the channel with its date
    assert len(feeds._channels) == 3


def test_an_empty_feeds_channel_is_written_each_time(client, publication, settings, monkeypatch):
    """Without items a channel's build date is the time it is written: it is never kept."""
    from articles.distribution import feeds

    settings.NEWSROOM_PAGE_CACHE = False
    monkeypatch.setattr(feeds, "_channels", {})
    for url in FEEDS:
        assert parse(client, url)[1].entries == []
    assert feeds._channels == {}
