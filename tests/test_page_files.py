"""Pages as files for nginx (articles/caching/page_files.py): a current page for readers
without a session is written where nginx serves it, and every change removes exactly the
files of the pages that show it, before anyone could be served one stale.

Through real nginx and gunicorn: tests/test_page_files_served.py.
"""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from articles.caching import generations, journal, page_files
from articles.models import Article, PendingInvalidation

from .factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

HOST = "testserver"


@pytest.fixture
def files(settings, tmp_path, story):
    settings.NEWSROOM_PAGE_FILES_DIR = str(tmp_path / "pages")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    # The story's refreshes, as if it had committed (a test's transaction never does): a
    # change waiting in the journal keeps every page from being written.
    PendingInvalidation.objects.all().delete()
    return tmp_path / "pages"


def file_of(files, path, host=HOST):
    """The file nginx would serve for ``path`` now, or None."""
    bucket = page_files.bucket_of(generations.now())
    found = files / str(bucket) / "pages" / "http" / f"{host}{path}@page.html"
    return found if found.exists() else None


def test_a_page_built_for_a_reader_is_written_as_the_bytes_python_sends(client, story, files):
    url = story.get_absolute_url()
    response = client.get(url)
    assert response["X-Newsroom-Cache"] == "miss"
    assert file_of(files, url).read_bytes() == response.content
    assert file_of(files, "/") is None  # only what was asked for


def test_a_page_found_in_the_cache_is_written_again_when_nginx_has_none(client, story, files,
                                                                       settings):
    url = story.get_absolute_url()
    client.get(url)
    for bucket in files.iterdir():
        if bucket.name.isdigit():
            page_files._remove(files, bucket)
    assert file_of(files, url) is None
    response = client.get(url)
    assert response["X-Newsroom-Cache"] == "hit"
    assert file_of(files, url).read_bytes() == response.content


def test_nothing_is_written_for_a_session_a_query_string_or_another_representation(
        client, story, files):
    url = story.get_absolute_url()
    client.get(url + "?utm_source=newsletter")
    client.get(url, HTTP_ACCEPT="application/ninjs+json")
    client.force_login(UserFactory())
    client.get(url)
    assert not any(files.glob("*/pages/**/*@page.html"))


def test_pages_that_are_not_html_or_not_200_are_not_written(client, story, files):
    client.get("/feeds/latest/")
    client.get("/no-such-page/")
    client.get("/robots.txt")
    assert not any(files.glob("*/pages/**/*@page.html"))


@pytest.mark.parametrize("path", [
    "/a@b/", "/a//b/", "/a/../b/", "/a/./b/", "/a\\b/", "/a\x00b/",
])
def test_a_path_nginx_would_read_otherwise_has_no_file(path):
    request = RequestFactory().get(path)
    assert page_files.page_path(request) is None


def test_a_path_nginx_reads_as_it_is_has_its_file_non_ascii_too():
    request = RequestFactory().get("/2026/11/30/caf%C3%A9-opens/")
    assert page_files.page_path(request) == "http/testserver/2026/11/30/café-opens/@page.html"
    assert page_files.page_path(RequestFactory().get("/", HTTP_HOST="testserver:8000")) is None


def test_an_edit_removes_exactly_the_files_of_the_pages_that_show_the_story(
        client, story, publication, other_publication, files, commit):
    with commit():
        weather = SectionFactory(publication=publication, name="Weather", slug="weather")
        ArticleFactory(publication=other_publication, published=True,
                       headline="Valley orchards open for picking")
    showing = ["/", story.get_absolute_url(), story.section.get_absolute_url(), "/tag/ferries/",
               story.bylines.get().person.get_absolute_url()]
    for url in [*showing, weather.get_absolute_url()]:
        client.get(url)
        assert file_of(files, url), url
    client.get("/", HTTP_HOST="valley.example")
    assert file_of(files, "/", host="valley.example")
    with commit():
        story.headline = "Night ferry service is back"
        story.save()
    for url in showing:
        assert file_of(files, url) is None, url
    assert file_of(files, weather.get_absolute_url())  # an empty section, the other masthead
    assert file_of(files, "/", host="valley.example")
    for url in showing:  # and Python writes them again, with the change
        assert "Night ferry service is back" in client.get(url).text
        assert "Night ferry service is back" in file_of(files, url).read_text()


def test_an_unpublish_removes_the_story_page_and_every_list(client, story, files, commit):
    urls = ["/", story.get_absolute_url(), "/tag/ferries/"]
    for url in urls:
        client.get(url)
    with commit():
        story.status = Article.Status.UNPUBLISHED
        story.save()
    assert all(file_of(files, url) is None for url in urls)


def test_a_page_whose_keys_moved_while_it_was_written_is_removed_again(client, story, files,
                                                                      monkeypatch):
    """The save that commits between the build and the file: the check after writing
    finds its generation and takes the file back."""
    url = story.get_absolute_url()
    real = page_files._write

    def save_meanwhile(*args):
        written = real(*args)
        generations.bump([f"article:{story.pk}"])
        return written

    monkeypatch.setattr(page_files, "_write", save_meanwhile)
    client.get(url)
    assert file_of(files, url) is None


def test_a_page_written_while_a_change_waits_in_the_journal_is_removed_again(client, story,
                                                                            files):
    """A change whose refresh has not reached Redis yet (or never did)."""
    PendingInvalidation.objects.create(keys=["people"], hard=False)
    client.get(story.get_absolute_url())
    assert file_of(files, story.get_absolute_url()) is None


def test_a_change_redis_did_not_get_removes_every_file(client, story, files, monkeypatch,
                                                      commit):
    with commit():
        other = ArticleFactory(publication=story.publication, published=True,
                               headline="Fog lifts over the bay")
    client.get(other.get_absolute_url())
    assert file_of(files, other.get_absolute_url())
    monkeypatch.setattr(generations, "bump", lambda keys, hard=False: False)
    with commit():
        story.headline = "Night ferry service is back"
        story.save()
    assert not any(files.glob("*/pages/**/*@page.html"))
    assert PendingInvalidation.objects.exists()  # kept for when Redis is back


def test_emptying_the_cache_removes_every_file(client, story, files):
    client.get(story.get_absolute_url())
    journal.forget_everything()
    assert not any(files.glob("*/pages/**/*@page.html"))


def test_no_file_is_served_by_nginx_in_the_last_second_before_a_story_goes_live(
        files, monkeypatch):
    width = page_files.BUCKET_SECONDS * 1_000_000
    start = (generations.now() // width + 1) * width + 100_000  # 0.1 s into a bucket
    monkeypatch.setattr(generations, "now", lambda: start)
    # Live 25.5 s later: the buckets of the next 20 s end before it, the third does not.
    live = start + 25_400_000
    assert page_files.buckets(live) == [start // width, start // width + 1]
    assert page_files.buckets(start + 10_500_000) == []  # ends 0.4 s before: Python's
    assert page_files.buckets(None) == [start // width + i for i in range(3)]


def test_a_page_is_written_only_into_buckets_that_end_a_second_before_a_go_live(
        client, story, publication, files, commit):
    go_live = timezone.now() + timedelta(seconds=15)
    with commit():
        ArticleFactory(publication=publication, status=Article.Status.PUBLISHED,
                       publish_at=go_live, headline="Pilots ratify the harbor contract")
    client.get("/")
    folders = [f.name for f in files.iterdir() if (f / "pages" / "http" / HOST / "@page.html")
               .exists()]
    assert folders
    for name in folders:
        assert (int(name) + 1) * page_files.BUCKET_SECONDS <= go_live.timestamp() - 1
