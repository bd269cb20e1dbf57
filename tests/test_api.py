"""The content API: its schema, every resource and filter, what is never public, cursor
pagination, fields=, caching and conditional requests, rate limits, API keys and ninjs."""

import functools
import json
import re
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from articles.api.pagination import encode_cursor
from articles.caching import generations, keys
from articles.importers.ninjs import read_item
from articles.models import ApiKey, Article, Byline, Correction, RelatedItem

from . import api_schema
from .factories import (
    ArticleFactory,
    BylineFactory,
    CorrectionFactory,
    ImageFactory,
    PersonFactory,
    SectionFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db

HOST = "testserver"  # the default publication
NINJS = "application/ninjs+json"


@pytest.fixture
def newsroom(publication, other_publication):
    """One public story with everything a page shows, and beside it every kind of story
    that is not public, sharing its section, tag and author."""
    section = SectionFactory(publication=publication, name="Harbor", slug="harbor")
    author = PersonFactory(full_name="Dana Reyes", slug="dana-reyes", job_title="Harbor reporter",
                           short_bio="Dana Reyes covers the waterfront.",
                           photo=portrait_file(size=(300, 400)))
    hidden_author = PersonFactory(full_name="Sam Ortiz", slug="sam-ortiz")
    image = ImageFactory(focal_x=0.3, focal_y=0.6)
    now = timezone.now()
    story = ArticleFactory(
        publication=publication, section=section, published=True, lead_image=image,
        kicker="Analysis", headline="Night ferry returns to Gull Point",
        dek="The late sailing comes back after two winters.", dateline="Port Alder",
        publish_at=now - timedelta(hours=3),
    )
    story.tags.set(["ferries"])
    BylineFactory(article=story, person=author)
    BylineFactory(article=story, person=PersonFactory(full_name="Lee Park"),
                  role=Byline.Role.PHOTOGRAPHER)
    Correction.objects.create(article=story, text="An earlier version gave the wrong pier.")
    older = ArticleFactory(publication=publication, section=section, published=True,
                           headline="Pier repairs finish early",
                           publish_at=now - timedelta(days=2))
    older.tags.set(["ferries"])
    BylineFactory(article=older, person=author)
    RelatedItem.objects.create(article=story, target=older)
    hidden = {
        "draft": ArticleFactory(publication=publication, section=section,
                                headline="Draft: ferry fares"),
        "scheduled": ArticleFactory(publication=publication, section=section, scheduled=True,
                                    headline="Scheduled: ferry timetable"),
        "embargoed": ArticleFactory(publication=publication, section=section, published=True,
                                    embargo_until=now + timedelta(hours=5),
                                    headline="Embargoed: ferry report"),
        "unpublished": ArticleFactory(publication=publication, section=section,
                                      status=Article.Status.UNPUBLISHED,
                                      publish_at=now - timedelta(days=1),
                                      headline="Unpublished: ferry rumour"),
        "in_review": ArticleFactory(publication=publication, section=section,
                                    status=Article.Status.IN_REVIEW,
                                    publish_at=now - timedelta(hours=1),
                                    headline="In review: ferry crew"),
        "other_masthead": ArticleFactory(publication=other_publication, published=True,
                                         headline="Valley: ferry elsewhere"),
    }
    for article in hidden.values():
        article.tags.set(["ferries", "secret-topic"])
        BylineFactory(article=article, person=author)
        BylineFactory(article=article, person=hidden_author)
        Correction.objects.create(article=article, text="A correction nobody may see yet.")
    return {"story": story, "older": older, "hidden": hidden, "section": section,
            "author": author, "hidden_author": hidden_author, "image": image}


def portrait_file(size=(300, 400)):
    return ContentFile(image_bytes(size=size), name="portrait.jpg")


def get(client, path, *, host=HOST, **headers):
    """GET ``path``; an answer of the API (errors too) is checked against the schema."""
    response = client.get(path, HTTP_HOST=host, **headers)
    if path.startswith("/api/v1/") and not path.startswith(("/api/v1/schema/",
                                                            "/api/v1/docs/")):
        api_schema.check(api_schema.generated(), response, path.split("?")[0])
        if response.status_code == 200 and response["Content-Type"] == NINJS:
            # A ninjs item is also checked against the IPTC's own schema.
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                      for e in ninjs_validator().iter_errors(response.json())]
            assert errors == [], f"{path}: {errors}"
    return response


def checked(client, path, **headers):
    """GET ``path``, check the response against the schema, return its JSON."""
    response = get(client, path, **headers)
    api_schema.check(api_schema.document(client, HOST), response, path.split("?")[0])
    return response


def headlines(response):
    return [s["headline"] for s in response.json()["results"]]


HIDDEN_WORDS = ("Draft", "Scheduled", "Embargoed", "Unpublished", "In review", "Valley")


def assert_nothing_hidden(response):
    text = response.content.decode()
    for word in HIDDEN_WORDS:
        assert f"{word}:" not in text
    assert "secret-topic" not in text
    assert "Sam Ortiz" not in text
    assert "nobody may see" not in text


# --- The schema ------------------------------------------------------------------------


def test_the_schema_is_valid_openapi_3_1_and_names_every_resource(client):
    doc = api_schema.document(client, HOST)  # validated by openapi-spec-validator
    assert doc["openapi"] == "3.1.0"
    for path in ["/api/v1/stories/", "/api/v1/stories/{id}/", "/api/v1/stories/by-path/",
                 "/api/v1/sections/", "/api/v1/tags/", "/api/v1/people/",
                 "/api/v1/corrections/"]:
        assert path in doc["paths"]
    story = doc["components"]["schemas"]["StoryDetail"]["properties"]
    for field in ["kicker", "headline", "dek", "dateline", "summary", "body", "bylines",
                  "lead_image", "section", "tags", "corrections", "other_news",
                  "canonical_url", "published_at", "updated_at"]:
        assert field in story
    filters = {p["name"] for p in doc["paths"]["/api/v1/stories/"]["get"]["parameters"]}
    assert {"section", "tag", "author", "updated_since", "published_after",
            "published_before", "fields", "cursor", "page_size"} <= filters


def test_the_schema_check_is_not_vacuous(client, newsroom):
    """A response that breaks the schema is caught."""
    doc = api_schema.document(client, HOST)
    response = get(client, "/api/v1/sections/")
    response.content = json.dumps([{"id": "not a number"}]).encode()
    with pytest.raises(AssertionError):
        api_schema.check(doc, response, "/api/v1/sections/")


def test_the_docs_page_is_served_with_its_own_files(client):
    response = get(client, "/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    # Its scripts and styles are this server's own, not a CDN's (the page also carries a
    # random token, which may spell "cdn": look at the addresses, not the whole text).
    addresses = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page)
    assert len(addresses) >= 3
    assert all(a.startswith("/static/") for a in addresses), addresses


# --- Resources --------------------------------------------------------------------------


def test_a_story_carries_what_its_page_carries(client, newsroom):
    story = newsroom["story"]
    data = checked(client, f"/api/v1/stories/{story.pk}/").json()
    assert data["kicker"] == "Analysis"
    assert data["headline"] == "Night ferry returns to Gull Point"
    assert data["dek"] == story.dek and data["dateline"] == "Port Alder"
    assert data["summary"] == story.summary
    assert data["body"].startswith("<p>The harbor council")
    assert data["url"] == f"http://testserver{story.get_absolute_url()}"
    assert data["canonical_url"] == data["url"]
    assert data["path"] == story.get_absolute_url()
    author, photographer = data["bylines"]
    assert author["role"] == "author" and author["credit"] == "By"
    assert author["person"]["name"] == "Dana Reyes"
    assert author["person"]["title"] == "Harbor reporter"
    assert author["person"]["bio_line"] == "Dana Reyes covers the waterfront."
    assert photographer["role"] == "photographer" and photographer["credit"] == "Photos by"
    portrait = author["person"]["portrait"]
    assert (portrait["width"], portrait["height"]) == (300, 400)
    assert portrait["url"].startswith("http://testserver/media/people/")
    # Square renditions at the fixed widths, never larger than the photo's shorter side.
    for kind, ext in (("square", "webp"), ("square_fallback", "jpg")):
        squares = portrait["renditions"][kind]
        assert [(r["width"], r["height"]) for r in squares] == [
            (64, 64), (128, 128), (160, 160), (300, 300)]
        assert all(r["url"].startswith("http://testserver/media/portraits/")
                   and r["url"].endswith(f".{ext}") for r in squares)
    assert photographer["person"]["portrait"] is None  # no photo
    image = data["lead_image"]
    assert image["alt"] == newsroom["image"].alt_text
    assert image["caption"] and image["credit"]
    assert image["focal_point"] == {"x": 0.3, "y": 0.6}
    assert image["renditions"]["full"][0]["url"].startswith("http://testserver/media/renditions/")
    assert image["renditions"]["crop"]
    assert data["section"]["slug"] == "harbor"
    assert [t["slug"] for t in data["tags"]] == ["ferries"]
    assert [c["text"] for c in data["corrections"]] == ["An earlier version gave the wrong pier."]
    assert data["other_news"][0] == {
        "id": newsroom["older"].pk, "headline": "Pier repairs finish early",
        "url": f"http://testserver{newsroom['older'].get_absolute_url()}"}
    assert data["published_at"] and data["modified_at"]
    assert_nothing_hidden(get(client, f"/api/v1/stories/{story.pk}/"))


def test_a_story_is_found_by_the_path_of_its_page(client, newsroom):
    story = newsroom["story"]
    response = checked(client, f"/api/v1/stories/by-path/?path={story.get_absolute_url()}")
    assert response.json()["id"] == story.pk
    for path in ["/", "/nowhere/", "/section/harbor/", "", "/2020/01/01/no-such-story/"]:
        assert get(client, f"/api/v1/stories/by-path/?path={path}").status_code == 404


def test_the_story_list_is_newest_first(client, newsroom):
    response = checked(client, "/api/v1/stories/")
    assert headlines(response) == ["Night ferry returns to Gull Point", "Pier repairs finish early"]
    assert response.json()["next"] is None
    assert "body" not in response.json()["results"][0]


def test_sections_tags_people_and_corrections(client, newsroom):
    sections = checked(client, "/api/v1/sections/").json()
    assert "harbor" in [s["slug"] for s in sections]
    section = newsroom["section"]
    assert checked(client, f"/api/v1/sections/{section.pk}/").json()["name"] == "Harbor"
    tags = checked(client, "/api/v1/tags/").json()["results"]
    assert [t["slug"] for t in tags] == ["ferries"]
    assert checked(client, f"/api/v1/tags/{tags[0]['id']}/").json()["slug"] == "ferries"
    people = checked(client, "/api/v1/people/").json()["results"]
    assert sorted(p["name"] for p in people) == ["Dana Reyes", "Lee Park"]
    author = newsroom["author"]
    assert checked(client, f"/api/v1/people/{author.pk}/").json()["slug"] == "dana-reyes"
    corrections = checked(client, "/api/v1/corrections/").json()["results"]
    assert [c["story"]["id"] for c in corrections] == [newsroom["story"].pk]


def test_a_section_of_another_masthead_is_not_found(client, newsroom, other_publication):
    other = SectionFactory(publication=other_publication)
    assert get(client, f"/api/v1/sections/{other.pk}/").status_code == 404
    assert get(client, f"/api/v1/sections/{other.pk}/", host="valley.example").status_code == 200


def test_each_masthead_serves_its_own_stories(client, newsroom):
    response = get(client, "/api/v1/stories/", host="valley.example")
    assert headlines(response) == ["Valley: ferry elsewhere"]


# --- Nothing that is not public --------------------------------------------------------


LISTS = [
    "/api/v1/stories/", "/api/v1/stories/?section=harbor", "/api/v1/stories/?tag=ferries",
    "/api/v1/stories/?tag=secret-topic", "/api/v1/stories/?author=dana-reyes",
    "/api/v1/stories/?author=sam-ortiz", "/api/v1/stories/?updated_since=2000-01-01T00:00:00Z",
    "/api/v1/stories/?published_after=2000-01-01T00:00:00Z",
    "/api/v1/stories/?published_before=2100-01-01T00:00:00Z",
    "/api/v1/stories/?published_after=2000-01-01T00:00:00Z&published_before=2100-01-01T00:00:00Z"
    "&section=harbor&tag=ferries&author=dana-reyes",
    "/api/v1/stories/?page_size=100", "/api/v1/tags/", "/api/v1/people/",
    "/api/v1/corrections/", "/api/v1/stories/?fields=id,headline",
]


@pytest.mark.parametrize("path", LISTS)
def test_no_list_or_filter_shows_a_story_that_is_not_public(client, newsroom, path):
    response = checked(client, path)
    assert response.status_code == 200
    assert_nothing_hidden(response)


@pytest.mark.parametrize("kind", ["draft", "scheduled", "embargoed", "unpublished",
                                  "in_review", "other_masthead"])
def test_no_lookup_finds_a_story_that_is_not_public(client, newsroom, kind):
    article = newsroom["hidden"][kind]
    for path in [f"/api/v1/stories/{article.pk}/", f"/api/v1/stories/{article.pk}/?format=ninjs",
                 f"/api/v1/stories/by-path/?path={article.get_absolute_url()}",
                 f"/api/v1/stories/by-path/?path={article.get_absolute_url()}&format=ninjs"]:
        assert get(client, path).status_code == 404, path
    assert get(client, f"/api/v1/stories/{article.pk}/", HTTP_ACCEPT=NINJS).status_code == 404


def test_people_and_tags_only_on_hidden_stories_are_not_found(client, newsroom):
    assert get(client, f"/api/v1/people/{newsroom['hidden_author'].pk}/").status_code == 404
    from taggit.models import Tag

    secret = Tag.objects.get(slug="secret-topic")
    assert get(client, f"/api/v1/tags/{secret.pk}/").status_code == 404


def test_a_cursor_cannot_reach_past_the_rules(client, newsroom):
    """A cursor made by hand, pointing into the future, still lists only public stories."""
    cursor = encode_cursor(timezone.now() + timedelta(days=30), 10**9)
    response = get(client, f"/api/v1/stories/?cursor={cursor}")
    assert headlines(response) == ["Night ferry returns to Gull Point", "Pier repairs finish early"]


# --- Filters ---------------------------------------------------------------------------


def test_filters_narrow_the_list(client, newsroom):
    story, older = newsroom["story"], newsroom["older"]
    assert headlines(get(client, "/api/v1/stories/?section=harbor")) == [
        story.headline, older.headline]
    assert headlines(get(client, "/api/v1/stories/?section=sports")) == []
    assert headlines(get(client, "/api/v1/stories/?tag=ferries")) == [
        story.headline, older.headline]
    assert headlines(get(client, "/api/v1/stories/?author=dana-reyes")) == [
        story.headline, older.headline]
    day_ago = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert headlines(get(client, f"/api/v1/stories/?published_after={day_ago}")) == [
        story.headline]
    assert headlines(get(client, f"/api/v1/stories/?published_before={day_ago}")) == [
        older.headline]


def test_updated_since_finds_edited_and_corrected_stories(client, newsroom):
    since = timezone.now() + timedelta(seconds=1)
    stamp = since.isoformat().replace("+00:00", "Z")
    assert headlines(get(client, f"/api/v1/stories/?updated_since={stamp}")) == []
    Correction.objects.create(article=newsroom["older"], text="The pier is the east pier.",
                              created_at=since + timedelta(seconds=1))
    assert headlines(get(client, f"/api/v1/stories/?updated_since={stamp}")) == [
        "Pier repairs finish early"]


@pytest.mark.parametrize("query", [
    "published_after=yesterday", "updated_since=2025-13-45", "published_before=x",
    "page_size=0", "page_size=101", "page_size=ten", "cursor=%%%", "cursor=bm90LWEtY3Vyc29y",
    "fields=headline,password", "fields=",
])
def test_nonsense_in_a_parameter_is_a_clear_400(client, newsroom, query):
    response = get(client, f"/api/v1/stories/?{query}")
    assert response.status_code == 400
    assert response.json()  # says which parameter and why


def test_fields_trims_the_answer(client, newsroom):
    results = checked(client, "/api/v1/stories/?fields=id,headline").json()["results"]
    assert results[0] == {"id": newsroom["story"].pk, "headline": newsroom["story"].headline}
    data = get(client, f"/api/v1/stories/{newsroom['story'].pk}/?fields=body").json()
    assert list(data) == ["body"]


# --- Cursor pagination -----------------------------------------------------------------


def test_cursor_pagination_walks_every_public_story_once(client, publication):
    now = timezone.now()
    # Several stories share a publish time: the id breaks ties, so none is lost or repeated.
    made = [ArticleFactory(publication=publication, published=True,
                           publish_at=now - timedelta(minutes=n // 3)) for n in range(14)]
    ArticleFactory(publication=publication)  # a draft among them
    seen, path = [], "/api/v1/stories/?page_size=4&fields=id"
    while path:
        response = checked(client, path)
        seen += [s["id"] for s in response.json()["results"]]
        path = response.json()["next"]
        assert path is None or "OFFSET" not in path
        path = path and path.removeprefix("http://testserver")
    expected = sorted(made, key=lambda a: (a.publish_at, a.pk), reverse=True)
    assert seen == [a.pk for a in expected]


def test_a_deep_page_costs_the_same_queries_as_the_first(client, publication, rf,
                                                          django_assert_num_queries):
    now = timezone.now()
    image = ImageFactory()
    for n in range(60):
        story = ArticleFactory(publication=publication, published=True, lead_image=image,
                               publish_at=now - timedelta(minutes=n))
        story.tags.set([f"topic-{n % 4}", "harbor"])
        BylineFactory(article=story, person=PersonFactory(photo=portrait_file()))
        CorrectionFactory(article=story)
    pages, path = [], "/api/v1/stories/?page_size=5"
    while path:
        pages.append(path)
        path = get(client, path).json()["next"]
        path = path and path.removeprefix("http://testserver")
    first, deep = pages[0], pages[-1]
    for path in (first, deep, "/api/v1/stories/?page_size=20"):
        forget_every_record(rf)
        # Built: the stories, then for the records not in the cache their pictures, bylines
        # (with people), tags and corrections, however many there are (no query per story).
        with django_assert_num_queries(5):
            get(client, path)
        # Each story's record is kept: the page is one query, the stories' own.
        with django_assert_num_queries(1):
            get(client, path)


def forget_every_record(rf):
    """Each story's kept record taken out of the cache, as if every story had been edited."""
    request = rf.get("/", HTTP_HOST=HOST)
    generations.cache().delete_many([keys.fragment(keys.api_story(request, pk))
                                     for pk in Article.objects.values_list("pk", flat=True)])


def test_a_story_record_is_built_once_whatever_lists_show_it(client, newsroom,
                                                             django_assert_num_queries):
    get(client, "/api/v1/stories/")
    # Another list showing the same stories builds none of them again.
    with django_assert_num_queries(1):
        response = checked(client, "/api/v1/stories/?section=harbor")
    assert headlines(response) == ["Night ferry returns to Gull Point", "Pier repairs finish early"]
    # ``fields=`` trims a kept record.
    with django_assert_num_queries(1):
        trimmed = get(client, "/api/v1/stories/?fields=id,headline").json()["results"]
    assert trimmed[0] == {"id": newsroom["story"].pk,
                          "headline": "Night ferry returns to Gull Point"}


def test_a_story_of_its_own_is_kept_and_needs_no_query(client, newsroom,
                                                       django_assert_num_queries):
    path = f"/api/v1/stories/{newsroom['story'].pk}/"
    built = checked(client, path).json()
    with django_assert_num_queries(0):
        kept = checked(client, path)
    assert kept.json() == built
    ninjs = get(client, path + "?format=ninjs").json()  # kept apart, built once
    with django_assert_num_queries(0):
        assert get(client, path + "?format=ninjs").json() == ninjs


# --- Caching, conditional requests, invalidation ---------------------------------------


@pytest.mark.usefixtures("page_cache_on")
def test_responses_carry_cache_headers_and_the_pages_surrogate_keys(client, newsroom):
    story = newsroom["story"]
    response = get(client, f"/api/v1/stories/{story.pk}/")
    assert response["ETag"] and response["Last-Modified"]
    assert "s-maxage" in response["Cache-Control"] and "public" in response["Cache-Control"]
    surrogate = response["Surrogate-Key"].split()
    assert f"article:{story.pk}" in surrogate
    assert f"publication:{story.publication_id}" in surrogate
    assert f"person:{newsroom['author'].pk}" in surrogate
    assert response["X-Newsroom-Cache"] == "miss"
    assert get(client, f"/api/v1/stories/{story.pk}/")["X-Newsroom-Cache"] == "hit"


@pytest.mark.usefixtures("page_cache_on")
def test_a_matching_conditional_request_gets_304(client, newsroom):
    path = f"/api/v1/stories/{newsroom['story'].pk}/"
    first = get(client, path)  # built and stored
    for response in (first, get(client, path)):  # then from the cache
        assert get(client, path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
        assert get(client, path,
                   HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert get(client, path, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.usefixtures("page_cache_on")
def test_publish_unpublish_and_correction_refresh_every_api_response_at_once(
        client, newsroom, commit):
    story = newsroom["story"]
    paths = ["/api/v1/stories/", f"/api/v1/stories/{story.pk}/",
             f"/api/v1/stories/{story.pk}/?format=ninjs", "/api/v1/stories/?tag=ferries",
             "/api/v1/stories/?section=harbor", "/api/v1/corrections/", "/api/v1/people/"]
    for path in paths:
        get(client, path)
        assert get(client, path)["X-Newsroom-Cache"] == "hit", path
    with commit():
        CorrectionFactory(article=story, text="The sailing leaves at 11, not 10.")
    for path in paths[1:3] + ["/api/v1/corrections/"]:
        response = get(client, path)
        assert response["X-Newsroom-Cache"] == "miss", path
        assert "at 11, not 10" in response.content.decode(), path
    draft = newsroom["hidden"]["draft"]
    with commit():
        draft.status, draft.publish_at = Article.Status.PUBLISHED, timezone.now()
        draft.save()
    for path in ["/api/v1/stories/", "/api/v1/stories/?tag=ferries",
                 "/api/v1/stories/?section=harbor"]:
        assert "Draft: ferry fares" in get(client, path).content.decode(), path
    assert "Sam Ortiz" in get(client, "/api/v1/people/").content.decode()
    with commit():
        story.status = Article.Status.UNPUBLISHED
        story.save()
    for path in paths:
        assert "Night ferry returns" not in get(client, path).content.decode(), path
    assert get(client, f"/api/v1/stories/{story.pk}/").status_code == 404


def test_a_change_reaches_the_kept_records_at_once(client, newsroom, commit):
    """The page cache is off here: what is kept is each story's record."""
    story, author = newsroom["story"], newsroom["author"]
    paths = ["/api/v1/stories/", f"/api/v1/stories/{story.pk}/"]
    for path in paths:
        get(client, path)
    # Served from kept records, a list still names every story and person it shows.
    surrogate = get(client, paths[0])["Surrogate-Key"].split()
    assert {f"article:{story.pk}", f"article:{newsroom['older'].pk}",
            f"person:{author.pk}"} <= set(surrogate)

    def shown(path):
        data = get(client, path).json()
        return data["results"][0] if "results" in data else data

    with commit():
        story.headline = "Night ferry returns for good"
        story.save()
    with commit():
        author.photo = portrait_file(size=(500, 500))
        author.save()
    with commit():
        newsroom["section"].name = "Waterfront"
        newsroom["section"].save()
    with commit():
        tag = story.tags.get()
        tag.name = "Ferry service"
        tag.save()
    portraits = author.portrait_renditions()["webp"]
    for path in paths:
        record = shown(path)
        assert record["headline"] == "Night ferry returns for good", path
        squares = record["bylines"][0]["person"]["portrait"]["renditions"]["square"]
        assert [r["url"] for r in squares] == [
            f"http://testserver{r.url}" for r in portraits], path
        assert record["section"]["name"] == "Waterfront", path
        assert [t["name"] for t in record["tags"]] == ["Ferry service"], path


def test_publish_unpublish_and_correction_reach_the_kept_records_at_once(client, newsroom,
                                                                          commit):
    """As the page-cache test above, with the page cache off: what is kept is each story's
    record, and a change reaches every answer built from them at once."""
    story = newsroom["story"]
    detail = f"/api/v1/stories/{story.pk}/"
    paths = ["/api/v1/stories/", detail, detail + "?format=ninjs", "/api/v1/stories/?tag=ferries"]
    for path in paths:
        get(client, path)
    with commit():
        CorrectionFactory(article=story, text="The sailing leaves at 11, not 10.")
    for path in paths[1:3]:
        assert "at 11, not 10" in get(client, path).content.decode(), path
    draft = newsroom["hidden"]["draft"]
    with commit():
        draft.status, draft.publish_at = Article.Status.PUBLISHED, timezone.now()
        draft.save()
    assert "Draft: ferry fares" in get(client, "/api/v1/stories/").content.decode()
    with commit():
        story.status = Article.Status.UNPUBLISHED
        story.save()
    for path in [paths[0], paths[3]]:
        assert "Night ferry returns" not in get(client, path).content.decode(), path
    assert get(client, detail).status_code == 404
    assert get(client, detail + "?format=ninjs").status_code == 404


@pytest.mark.usefixtures("page_cache_on")
def test_json_and_ninjs_of_one_address_are_cached_apart(client, newsroom):
    path = f"/api/v1/stories/{newsroom['story'].pk}/"
    get(client, path)
    assert get(client, path)["X-Newsroom-Cache"] == "hit"
    ninjs = get(client, path, HTTP_ACCEPT=NINJS)
    assert ninjs["Content-Type"] == NINJS
    assert "headlines" in ninjs.json()
    assert "Accept" in ninjs["Vary"]
    assert get(client, path, HTTP_ACCEPT=NINJS)["X-Newsroom-Cache"] == "hit"
    assert "headline" in get(client, path).json()


# --- Rate limits and API keys ----------------------------------------------------------


@pytest.fixture
def rate_of_three(settings):
    settings.NEWSROOM_API_ANON_RATE = "3/minute"


@pytest.mark.usefixtures("rate_of_three")
def test_too_many_requests_get_a_clear_429_with_retry_after(client, newsroom):
    for _ in range(3):
        assert get(client, "/api/v1/sections/").status_code == 200
    response = get(client, "/api/v1/sections/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"]
    # Another client address has its own allowance.
    assert get(client, "/api/v1/sections/", REMOTE_ADDR="192.0.2.7").status_code == 200


@pytest.mark.usefixtures("rate_of_three")
def test_x_forwarded_for_counts_only_behind_a_trusted_front(client, newsroom, settings):
    for n in range(4):  # an untrusted header changes nothing
        response = get(client, "/api/v1/sections/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert response.status_code == 429
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        # Behind the front, the address it appended is the client's.
        assert get(client, "/api/v1/sections/",
                   HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.9").status_code == 200
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
        api_settings.reload()


def make_key(rate="10/minute", name="Valley Ledger app"):
    api_key = ApiKey(name=name, rate=rate)
    secret = api_key.issue()
    api_key.save()
    return api_key, secret


@pytest.mark.usefixtures("rate_of_three")
def test_a_partner_key_has_its_own_higher_rate(client, newsroom):
    _, secret = make_key("6/minute")
    for _ in range(6):
        assert get(client, "/api/v1/sections/",
                   HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 200
    assert get(client, "/api/v1/sections/", HTTP_X_API_KEY=secret).status_code == 429
    assert get(client, "/api/v1/sections/").status_code == 200  # anonymous: its own count


def test_a_wrong_or_revoked_key_is_refused_with_401(client, newsroom):
    api_key, secret = make_key()
    assert get(client, "/api/v1/sections/", HTTP_X_API_KEY=secret).status_code == 200
    for wrong in [secret[:-1] + ("A" if secret[-1] != "A" else "B"), "nr_0000", "hello"]:
        response = get(client, "/api/v1/sections/", HTTP_X_API_KEY=wrong)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Api-Key"
    api_key.revoked_at = timezone.now()
    api_key.save()
    assert get(client, "/api/v1/sections/", HTTP_X_API_KEY=secret).status_code == 401


def test_a_key_is_stored_hashed_and_shown_once_in_the_admin(admin_client, newsroom):
    response = admin_client.post("/admin/articles/apikey/add/",
                                 {"name": "Agency desk", "rate": "5000/hour"}, follow=True)
    assert response.status_code == 200
    api_key = ApiKey.objects.get(name="Agency desk")
    shown = next(str(m) for m in response.context["messages"] if "copy it now" in str(m))
    secret = shown.split(" is ")[1].split(" ")[0]
    assert secret.startswith(f"nr_{api_key.prefix}_")
    assert secret not in json.dumps(list(ApiKey.objects.values()), default=str)
    assert ApiKey.objects.matching(secret) == api_key
    listing = admin_client.get("/admin/articles/apikey/").content.decode()
    assert api_key.prefix in listing and secret not in listing
    assert admin_client.post("/admin/articles/apikey/add/",
                             {"name": "Bad", "rate": "lots"}).status_code == 200
    assert not ApiKey.objects.filter(name="Bad").exists()


# --- ninjs -----------------------------------------------------------------------------


@functools.cache
def ninjs_validator():
    schema = json.loads((Path(__file__).parent / "schemas" / "ninjs-2.4.json").read_text())
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_a_story_as_ninjs_is_valid_against_the_iptc_schema(client, newsroom):
    story = newsroom["story"]
    for response in [get(client, f"/api/v1/stories/{story.pk}/?format=ninjs"),
                     get(client, f"/api/v1/stories/{story.pk}/", HTTP_ACCEPT=NINJS)]:
        assert response.status_code == 200
        assert response["Content-Type"] == NINJS
        data = response.json()
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in ninjs_validator().iter_errors(data)]
        assert errors == []
        assert_nothing_hidden(response)
    assert data["uri"] == f"http://testserver{story.get_absolute_url()}"
    assert data["by"] == "By Dana Reyes"
    assert data["located"] == "Port Alder"
    assert {"role": "kicker", "value": "Analysis"} in data["headlines"]
    picture, portrait = data["associations"]
    assert picture["name"] == "featureimage" and picture["renditions"]
    # The author's portrait (the photographer has none), depicting them.
    assert portrait["name"] == "portrait-1" and portrait["type"] == "picture"
    assert portrait["people"] == [{"name": "Dana Reyes", "rel": "depicted",
                                   "uri": "http://testserver/people/dana-reyes/"}]
    assert {(r["width"], r["height"], r["contenttype"]) for r in portrait["renditions"]} == {
        (w, w, t) for w in (64, 128, 160, 300) for t in ("image/webp", "image/jpeg")}


def test_our_ninjs_reads_back_through_the_ninjs_importer(client, newsroom):
    story = newsroom["story"]
    item = read_item(get(client, f"/api/v1/stories/{story.pk}/?format=ninjs").json())
    assert item.headline == story.headline
    assert item.summary == story.summary
    assert item.tags == ["ferries"]
    assert "The harbor council" in item.body_html
    assert item.picture and item.picture.alt == newsroom["image"].alt_text
    # A story without a picture of its own: its author's portrait is not taken for one.
    older = newsroom["older"]
    data = get(client, f"/api/v1/stories/{older.pk}/?format=ninjs").json()
    assert [a["name"] for a in data["associations"]] == ["portrait-1"]
    assert read_item(data).picture is None


def test_ninjs_is_refused_where_it_means_nothing(client, newsroom):
    assert get(client, "/api/v1/stories/?format=ninjs").status_code == 404
    assert get(client, "/api/v1/stories/", HTTP_ACCEPT=NINJS).status_code == 406


# --- One story on several mastheads (#20) ----------------------------------------------


@pytest.fixture
def sister_run(newsroom, publication, other_publication):
    """The Valley Ledger runs the default masthead's story in its own section, under its
    own headline, with a bio line of its own for the author."""
    from articles.models import MastheadBio

    from .factories import RunFactory

    publication.domain = "herald.example"
    publication.save()

    schools = SectionFactory(publication=other_publication, name="Schools", slug="schools")
    MastheadBio.objects.create(person=newsroom["author"], publication=other_publication,
                               short_bio="Dana Reyes writes for the Ledger too.")
    return RunFactory(article=newsroom["story"], publication=other_publication,
                      section=schools, headline="Gull Point gets its ferry back")


def test_a_masthead_lists_the_stories_it_runs_as_it_shows_them(client, newsroom, sister_run):
    story = newsroom["story"]
    valley = "valley.example"
    response = get(client, "/api/v1/stories/", host=valley)
    assert headlines(response) == [story.headline, "Valley: ferry elsewhere"] or headlines(
        response) == ["Valley: ferry elsewhere", story.headline]
    shown = next(s for s in response.json()["results"] if s["id"] == story.pk)
    assert shown["list_headline"] == "Gull Point gets its ferry back"
    assert shown["section"]["slug"] == "schools"
    assert shown["url"].startswith("http://valley.example/")
    assert shown["bylines"][0]["person"]["bio_line"] == "Dana Reyes writes for the Ledger too."
    assert shown["canonical_url"] == f"http://herald.example{story.get_absolute_url()}"
    assert [s["id"] for s in get(client, "/api/v1/stories/?section=schools",
                                 host=valley).json()["results"]] == [story.pk]
    assert get(client, "/api/v1/stories/?section=harbor", host=valley).json()["results"] == []
    detail = get(client, f"/api/v1/stories/by-path/?path={shown['path']}", host=valley)
    assert detail.json()["id"] == story.pk
    # The masthead that does not run the older story does not show it.
    assert get(client, f"/api/v1/stories/{newsroom['older'].pk}/",
               host=valley).status_code == 404
    text = get(client, f"/api/v1/stories/{story.pk}/", host=valley).content.decode()
    assert "Draft:" not in text and "Embargoed:" not in text and "Scheduled:" not in text


# --- Redis out of reach ----------------------------------------------------------------


@pytest.fixture
def redis_stopped(settings, tmp_path):
    from django.core.cache import caches

    from .servers import Redis

    server = Redis(data_dir=tmp_path).start()
    settings.CACHES = {"default": {"BACKEND": "newsroom.redis_cache.RedisCache",
                                   "LOCATION": server.url, "OPTIONS": {"retry_after": 1}}}
    caches["default"].set(keys.JOURNAL_CHECKED, 1, timeout=None)
    yield server
    server.stop()


@pytest.mark.usefixtures("page_cache_on")
def test_with_redis_stopped_the_api_answers_from_the_database_unthrottled(
        client, newsroom, redis_stopped, settings):
    settings.NEWSROOM_API_ANON_RATE = "1/minute"
    story = newsroom["story"]
    paths = [f"/api/v1/stories/{story.pk}/", "/api/v1/stories/", "/api/v1/people/",
             f"/api/v1/stories/{story.pk}/?format=ninjs"]
    for path in paths:
        get(client, path)  # cached while Redis runs (the rate then refuses the rest)
    redis_stopped.stop()
    for path in paths:
        response = get(client, path)
        # Nothing to count with: the rate limit lets readers through rather than fail.
        assert response.status_code == 200, path
        assert response.get("X-Newsroom-Cache") in ("pass", None), path
        # No Last-Modified it cannot vouch for.
        assert "Last-Modified" not in response, path


def test_the_address_webhooks_send_is_the_storys_record_in_this_api(client, newsroom):
    from urllib.parse import urlsplit

    from articles.webhooks.payload import api_detail_url

    story = newsroom["story"]
    path = urlsplit(api_detail_url(story)).path
    assert get(client, path).json()["id"] == story.pk
