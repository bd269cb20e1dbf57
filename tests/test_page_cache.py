"""Whole-page caching for readers: fast, and never stale after an editor's change."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache as default_cache
from django.test import RequestFactory
from django.utils import timezone

from articles.caching import generations, keys
from articles.caching import pages as page_cache
from articles.models import Article, Correction
from newsroom.lazy import never_used

from .factories import ArticleFactory, BylineFactory, SectionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    return response, response.get("X-Newsroom-Cache")


def test_a_repeat_visit_is_served_from_the_cache_without_queries(
    client, story, django_assert_num_queries
):
    url = story.get_absolute_url()
    assert get(client, url)[1] == "miss"
    with django_assert_num_queries(0):
        response, state = get(client, url)
    assert state == "hit"
    assert "Night ferry returns to Gull Point" in response.text


def test_logged_in_staff_always_get_a_fresh_page(client, story):
    url = story.get_absolute_url()
    get(client, url)
    client.force_login(UserFactory())
    assert get(client, url)[1] is None


def test_a_readers_page_is_built_without_looking_up_who_they_are(client, story):
    # No session cookie, nobody logged in: the reader is never made a session or a user.
    response = client.get(story.get_absolute_url())
    assert response["X-Newsroom-Cache"] == "miss"
    assert never_used(response.wsgi_request.user)
    assert never_used(response.wsgi_request.session)
    assert "sessionid" not in response.cookies


def test_a_request_that_logged_someone_in_is_not_cacheable(rf, story):
    # login() puts the user on the request before any session cookie came with it.
    request = rf.get(story.get_absolute_url())
    request.user = UserFactory()
    assert not page_cache.is_cacheable_request(request)
    request.user = AnonymousUser()
    assert page_cache.is_cacheable_request(request)


def test_editing_a_headline_refreshes_every_page_that_shows_it(client, story, commit):
    person = story.bylines.first().person
    urls = [
        "/",
        story.get_absolute_url(),
        story.section.get_absolute_url(),
        "/tag/ferries/",
        person.get_absolute_url(),
    ]
    for url in urls:
        get(client, url)
        assert get(client, url)[1] == "hit"
    with commit():
        story.headline = "Night ferry service is back"
        story.save()
    for url in urls:
        response, state = get(client, url)
        assert state == "miss", url
        assert "Night ferry service is back" in response.text, url


def test_publishing_a_story_puts_it_on_every_listing_at_once(client, story, publication, commit):
    for url in ["/", story.section.get_absolute_url(), "/tag/ferries/"]:
        get(client, url)
    with commit():
        new = ArticleFactory(
            publication=publication, section=story.section, headline="Harbor pilots ratify contract"
        )
        new.tags.set(["ferries"])
        BylineFactory(article=new)
        new.status, new.publish_at = Article.Status.PUBLISHED, timezone.now()
        new.save()
    for url in ["/", story.section.get_absolute_url(), "/tag/ferries/"]:
        assert "Harbor pilots ratify contract" in get(client, url)[0].text, url


def test_unpublishing_removes_a_story_at_once(client, story, commit):
    url = story.get_absolute_url()
    get(client, url)
    get(client, "/")
    with commit():
        story.status = Article.Status.UNPUBLISHED
        story.save()
    assert client.get(url).status_code == 404
    assert "Night ferry returns" not in get(client, "/")[0].text


def test_a_correction_shows_at_once(client, story, commit):
    url = story.get_absolute_url()
    get(client, url)
    with commit():
        Correction.objects.create(article=story, text="The ferry leaves at 9:40 p.m.")
    assert "The ferry leaves at 9:40 p.m." in get(client, url)[0].text


def test_a_change_to_one_story_leaves_pages_that_do_not_show_it_cached(
    client, story, other_publication, commit
):
    # Another masthead's story never lists this one, in any list.
    other = ArticleFactory(publication=other_publication, published=True)
    host = {"HTTP_HOST": other_publication.domain}
    get(client, other.get_absolute_url(), **host)
    with commit():
        story.headline = "Something else entirely"
        story.save()
    assert get(client, other.get_absolute_url(), **host)[1] == "hit"


def test_an_edit_refreshes_only_pages_that_show_the_story(client, story, publication, commit):
    """A headline fix is not a new story: lists that do not show it stay cached."""
    other_section = SectionFactory(publication=publication)
    get(client, other_section.get_absolute_url())
    with commit():
        story.headline = "A corrected headline"
        story.save()
    assert get(client, other_section.get_absolute_url())[1] == "hit"
    assert get(client, "/")[0].text.count("A corrected headline") >= 1


def test_a_scheduled_story_bounds_how_long_pages_are_kept(client, story, publication, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 3600
    ArticleFactory(
        publication=publication,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() + timedelta(seconds=30),
    )
    deadline = page_cache.next_change_after(publication.pk, generations.now())
    assert 28_000_000 <= deadline - generations.now() <= 30_000_000
    client.get("/")
    key = keys.page(client.get("/").wsgi_request)
    expires = default_cache._expire_info[default_cache.make_and_validate_key(key)]
    import time

    assert expires - time.time() <= 32


def test_responses_carry_cdn_headers_and_answer_304(client, story):
    response = client.get(story.get_absolute_url())
    named = response["Surrogate-Key"].split()
    assert f"article:{story.pk}" in named and f"section:{story.section_id}" in named
    assert response["Cache-Tag"] == ",".join(named)
    control = response["Cache-Control"]
    assert "public" in control and "s-maxage=" in control
    assert "max-age=0" in control  # browsers revalidate: readers never keep an old copy
    assert "stale-while-revalidate=" in control
    repeat = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert repeat.status_code == 304


def test_the_purge_hook_hears_the_keys_of_a_change(story, commit, purged):
    with commit():
        story.headline = "Changed"
        story.save()
    assert any(f"article:{story.pk}" in named for named in purged)


def render_while_an_editor_saves(story):
    """A reader's request for /x/ during which the story is saved: the page may show the
    story as it was before the save."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    def view(request):
        page_cache.add_keys(request, keys.article(story.pk))
        generations.bump([keys.article(story.pk)])  # an editor saves mid-render
        return HttpResponse("old text")

    def request():
        r = RequestFactory().get("/x/")
        r.user, r.publication = AnonymousUser(), story.publication
        return r

    page_cache.PageCacheMiddleware(view)(request())
    return keys.page(request()), page_cache.find_page(keys.page(request()))


def test_a_page_rendered_while_its_story_changed_is_never_current(story):
    """Kept only as a stale copy for readers to have while one request builds it again."""
    key, lookup = render_while_an_editor_saves(story)
    assert default_cache.get(key)[1] == (page_cache.CHANGED_WHILE_BUILT,)
    assert lookup.state == page_cache.REBUILD


def test_without_stale_copies_a_page_rendered_while_its_story_changed_is_not_kept(
        story, settings):
    settings.NEWSROOM_PAGE_CACHE_STALE_SECONDS = 0
    key, lookup = render_while_an_editor_saves(story)
    assert default_cache.get(key) is None
    assert lookup.state == page_cache.MISS


def test_missing_pages_are_not_cached(client, publication):
    assert client.get("/2026/1/1/nothing/").status_code == 404
    assert client.get("/2026/1/1/nothing/").get("X-Newsroom-Cache") == "pass"


def test_feeds_are_cached_and_follow_every_change(client, story, commit):
    assert get(client, "/feed/")[1] == "miss"
    assert get(client, "/feed/")[1] == "hit"
    with commit():
        story.headline = "Night ferry returns early"
        story.save()
    response, state = get(client, "/feed/")
    assert state == "miss"
    assert "Night ferry returns early" in response.text


def test_feeds_follow_a_renamed_author_or_tag(client, story, commit):
    """Feed items name their authors (dc:creator) and tags (categories)."""
    first, state = get(client, "/feed/")
    assert state == "miss"
    assert get(client, "/feed/")[1] == "hit"
    person = story.bylines.get().person
    with commit():
        person.full_name = "Dana Reyes-Okafor"
        person.save()
    response, state = get(client, "/feed/")
    assert state == "miss" and "Dana Reyes-Okafor" in response.text
    # A reader revalidating the copy with the old name gets the new one, not a 304.
    assert client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    tag = story.tags.get()
    with commit():
        tag.name = "Ferry service"
        tag.save()
    renamed, state = get(client, "/feed/")
    assert state == "miss" and "Ferry service" in renamed.text
    assert renamed["ETag"] != response["ETag"]
    with commit():
        story.section.name = "Harbor and Port"
        story.section.save()
    assert get(client, "/feed/")[0]["ETag"] != renamed["ETag"]


def test_a_hit_carries_every_header_of_the_page_it_stored(client, story):
    """Hits are served above the rest of the middleware, so the stored response has to
    bring the security headers, the ETag and the CDN headers with it."""
    url = story.get_absolute_url()
    miss, state = get(client, url)
    assert state == "miss"
    hit, state = get(client, url)
    assert state == "hit"
    for header in (
        "ETag",
        "Cache-Control",
        "Surrogate-Key",
        "Cache-Tag",
        "Vary",
        "Content-Type",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
    ):
        assert hit[header] == miss[header], header
    assert hit.content == miss.content


def test_a_page_whose_key_hint_is_out_of_date_is_still_checked(rf, story):
    """Each process remembers which keys a page had, to fetch them with the page in one
    round trip. A wrong hint costs a second round trip, never a stale page."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    def view(request):
        page_cache.add_keys(request, keys.article(story.pk))
        return HttpResponse(story.headline)

    middleware = page_cache.PageCacheMiddleware(view)

    def request():
        r = rf.get("/hinted/")
        r.user, r.publication = AnonymousUser(), story.publication
        return middleware(r)

    assert request()["X-Newsroom-Cache"] == "miss"
    for hint in ((), ("article:999999",)):
        page_cache.key_hints.clear()
        page_cache.key_hints[keys.page(rf.get("/hinted/"))] = hint
        assert request()["X-Newsroom-Cache"] == "hit"
    page_cache.key_hints[keys.page(rf.get("/hinted/"))] = ("article:999999",)
    generations.bump([keys.article(story.pk)])
    assert request()["X-Newsroom-Cache"] == "miss"


def test_http_and_https_pages_are_kept_apart(rf):
    plain, secure = rf.get("/"), rf.get("/", secure=True)
    assert keys.page(plain) != keys.page(secure)


def test_sitemaps_are_cached_and_follow_every_change(client, story, publication, commit):
    month = timezone.localtime(story.publish_at)
    urls = [
        "/sitemap.xml",
        f"/sitemaps/articles-{month.year}-{month.month}.xml",
        "/sitemaps/news.xml",
        "/sitemaps/authors.xml",
        "/sitemaps/tags.xml",
    ]
    for url in urls:
        assert get(client, url)[1] == "miss", url
        assert get(client, url)[1] == "hit", url
    # An edit is a new lastmod: the index, the month and the news sitemap change.
    with commit():
        story.headline = "Night ferry returns, with a later last sailing"
        story.save()
    for url in urls[:3]:
        assert get(client, url)[1] == "miss", url
    assert story.modified_at.isoformat()[:19] in get(client, urls[1])[0].text
    # A new story, a renamed author and a renamed tag: each sitemap that lists them.
    with commit():
        new = ArticleFactory(
            publication=publication,
            section=story.section,
            headline="Harbor pilots ratify contract",
            published=True,
        )
    assert new.get_absolute_url() in get(client, urls[1])[0].text
    person = story.bylines.first().person
    with commit():
        person.slug = "dana-reyes-ferries"
        person.save()
    assert "dana-reyes-ferries" in get(client, "/sitemaps/authors.xml")[0].text
    from taggit.models import Tag

    with commit():
        tag = Tag.objects.get(name="ferries")
        tag.slug = "ferry-service"
        tag.save()
    assert "/tag/ferry-service/" in get(client, "/sitemaps/tags.xml")[0].text
