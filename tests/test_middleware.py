"""Django's middleware made cheap (newsroom/middleware.py): each still does what Django's
does, and skips only work whose result nothing uses."""

import hashlib

import pytest
from django.contrib.messages.storage import fallback
from django.core import checks
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.http import http_date

from articles.caching import door, pages
from newsroom.middleware import ConditionalGetMiddleware

pytestmark = pytest.mark.django_db


def test_a_page_has_the_etag_django_gives_it(client, story):
    response = client.get(story.get_absolute_url())
    assert response["ETag"] == f'"{hashlib.md5(response.content).hexdigest()}"'


def test_a_conditional_request_is_answered_as_django_answers_it(client, story):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"another"').status_code == 200
    assert client.get(url, HTTP_IF_MATCH='"another"').status_code == 412
    assert client.get(url, HTTP_IF_MATCH=etag).status_code == 200


def test_a_response_that_must_not_be_stored_gets_no_etag_and_a_head_none():
    def view(request):
        response = HttpResponse(b"private")
        response["Cache-Control"] = "no-store"
        return response

    middleware = ConditionalGetMiddleware(view)
    assert "ETag" not in middleware(RequestFactory().get("/"))
    assert "ETag" not in ConditionalGetMiddleware(lambda r: HttpResponse(b"x"))(
        RequestFactory().head("/"))


def test_last_modified_alone_answers_if_modified_since():
    def view(request):
        response = HttpResponse(b"x")
        response["Last-Modified"] = http_date(1_700_000_000)
        return response

    middleware = ConditionalGetMiddleware(view)
    asked = RequestFactory().get("/", HTTP_IF_MODIFIED_SINCE=http_date(1_700_000_000))
    assert middleware(asked).status_code == 304


def test_a_page_that_shows_no_message_makes_no_message_storage(client, story, monkeypatch):
    made = []
    original = fallback.FallbackStorage.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(fallback.FallbackStorage, "__init__", counting)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert made == []
    assert "messages" not in response.cookies


def test_a_message_added_reaches_the_next_page(client, admin_user, story):
    """The admin says what it did on the page it sends the editor to."""
    client.force_login(admin_user)
    url = f"/admin/articles/section/{story.section.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data["description"] = "Ships and ports"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "was changed successfully" in client.get(response["Location"]).text
    assert "was changed successfully" not in client.get(response["Location"]).text  # once


def test_the_admin_finds_its_message_middleware():
    assert not [e for e in checks.run_checks() if e.id in ("admin.E409", "admin.E410")]


def test_the_front_door_leaves_paths_never_cached_to_django_without_a_lookup(
        settings, monkeypatch):
    settings.NEWSROOM_PAGE_CACHE = True
    looked_up = []
    monkeypatch.setattr(pages, "find_page", lambda *a, **kw: looked_up.append(a))
    passed_on = []
    front = door.PageCacheApplication(lambda environ, start: passed_on.append(environ) or [])
    for path in ("/admin/", "/media/a.jpg", "/static/site.css"):
        front(RequestFactory().get(path).environ, None)
    assert looked_up == [] and len(passed_on) == 3
