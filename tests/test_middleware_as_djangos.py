"""Newsroom's middleware (newsroom/middleware.py) answers exactly as Django's own classes
do: the same status, headers (names, values and order), cookies and body, for every kind
of response and every setting that changes them, and through the whole stack for every
kind of page. Only the cost differs."""

import itertools

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSession
from django.core import checks
from django.core.exceptions import DisallowedHost, ImproperlyConfigured
from django.http import (
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.middleware.clickjacking import XFrameOptionsMiddleware as DjangoXFrame
from django.middleware.common import CommonMiddleware as DjangoCommon
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGet
from django.middleware.security import SecurityMiddleware as DjangoSecurity
from django.test import Client, RequestFactory, override_settings
from django.utils.functional import empty

from articles.caching import site
from articles.reading.middleware import PublicationMiddleware
from newsroom import middleware
from newsroom.lazy import LazyValue, never_used

pytestmark = pytest.mark.django_db

PAIRS = [
    (middleware.SecurityMiddleware, DjangoSecurity),
    (middleware.XFrameOptionsMiddleware, DjangoXFrame),
    (middleware.ConditionalGetMiddleware, DjangoConditionalGet),
    (middleware.CommonMiddleware, DjangoCommon),
]


def exempt():
    response = HttpResponse(b"framed")
    response.xframe_options_exempt = True
    return response


def with_headers(**headers):
    def make():
        response = HttpResponse(b"ok")
        for name, value in headers.items():
            response[name.replace("_", "-")] = value
        return response
    return make


RESPONSES = [
    lambda: HttpResponse(b"ok"),
    lambda: HttpResponse(b"x" * middleware.SMALL_BODY_BYTES),
    lambda: HttpResponse(b"y" * (middleware.SMALL_BODY_BYTES + 1)),
    lambda: HttpResponse("«non-ASCII» " * 1000),
    lambda: HttpResponse(b""),
    lambda: StreamingHttpResponse(iter([b"a", b"b"])),
    lambda: HttpResponseNotFound(b"missing"),
    lambda: HttpResponseRedirect("/elsewhere/"),
    exempt,
    with_headers(X_Frame_Options="SAMEORIGIN", Referrer_Policy="no-referrer",
                 X_Content_Type_Options="other", Cross_Origin_Opener_Policy="unsafe-none",
                 Strict_Transport_Security="max-age=1"),
    with_headers(ETag='"given"', Content_Length="2"),
    with_headers(Cache_Control="no-store"),
    with_headers(Cache_Control="max-age=0, NO-STORE"),
    with_headers(Cache_Control="public, max-age=60", Last_Modified="Sat, 01 Jan 2000 00:00:00 GMT"),
]

SECURE = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}
SETTINGS = [
    {},
    {**SECURE, "SECURE_HSTS_SECONDS": 3600},
    {**SECURE, "SECURE_HSTS_SECONDS": 60, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
     "SECURE_HSTS_PRELOAD": True, "X_FRAME_OPTIONS": "sameorigin"},
    {"SECURE_CONTENT_TYPE_NOSNIFF": False, "SECURE_REFERRER_POLICY": None,
     "SECURE_CROSS_ORIGIN_OPENER_POLICY": None},
    {"SECURE_REFERRER_POLICY": " same-origin ,  strict-origin"},
    {"SECURE_REFERRER_POLICY": ["no-referrer", "same-origin"]},
    {**SECURE, "SECURE_SSL_REDIRECT": True, "SECURE_REDIRECT_EXEMPT": [r"^exempt/"]},
    {**SECURE, "SECURE_SSL_REDIRECT": True, "SECURE_SSL_HOST": "secure.example"},
    {"APPEND_SLASH": False, "PREPEND_WWW": True},
]


def requests():
    factory = RequestFactory()
    return [
        lambda: factory.get("/page/"),
        lambda: factory.get("/page/", HTTP_X_FORWARDED_PROTO="https"),
        lambda: factory.get("/exempt/", HTTP_X_FORWARDED_PROTO="http"),
        lambda: factory.head("/page/"),
        lambda: factory.post("/page/"),
        lambda: factory.get("/page/", HTTP_IF_NONE_MATCH='"given"'),
        lambda: factory.get("/page/", HTTP_IF_MATCH='"other"'),
        lambda: factory.get("/page/", HTTP_IF_MODIFIED_SINCE="Sat, 01 Jan 2000 00:00:00 GMT"),
        lambda: factory.get("/page/", HTTP_USER_AGENT="Mozilla/5.0"),
        lambda: factory.get("/admin", HTTP_HOST="news.example"),
        lambda: factory.get("/www/", HTTP_HOST="www.news.example"),
    ]


def answer(response):
    """Everything a client receives."""
    body = b"".join(response) if response.streaming else response.content
    return (response.status_code, list(response.items()), str(response.cookies), body)


@pytest.mark.parametrize("ours, djangos", PAIRS, ids=[d.__name__ for _, d in PAIRS])
def test_each_response_gets_the_headers_djangos_class_gives_it(ours, djangos):
    compared = 0
    for overrides, make_response, make_request in itertools.product(
            SETTINGS, RESPONSES, requests()):
        with override_settings(**overrides):
            answers = []
            for cls in (ours, djangos):
                try:
                    view = lambda request, make=make_response: make()  # noqa: E731
                    answers.append(answer(cls(view)(make_request())))
                except Exception as error:  # raised alike: a host refused
                    answers.append(repr(error))
            assert answers[0] == answers[1], (overrides, make_response(), make_request())
            compared += 1
    assert compared == len(SETTINGS) * len(RESPONSES) * len(requests())


def test_the_etag_is_djangos_for_short_and_long_bodies():
    for size in (1, 100, middleware.SMALL_BODY_BYTES, middleware.SMALL_BODY_BYTES + 1, 100_000):
        body = bytes(range(256)) * (size // 256) + b"z" * (size % 256)
        ours = middleware.ConditionalGetMiddleware(lambda r, body=body: HttpResponse(body))
        djangos = DjangoConditionalGet(lambda r, body=body: HttpResponse(body))
        request = RequestFactory().get("/")
        assert ours(request)["ETag"] == djangos(request)["ETag"]


def session_views():
    def untouched(request):
        return HttpResponse(b"ok")

    def reads(request):
        return HttpResponse(str(request.session.get("seen")))

    def writes(request):
        request.session["seen"] = True
        return HttpResponse(b"ok")

    def flushes(request):
        request.session.flush()
        return HttpResponse(b"ok")

    return [untouched, reads, writes, flushes]


def without_value(cookies):
    """Cookies with their attributes, each value (a new session key or token) and the time
    it expires (a second later for the second of two requests) left out."""
    return sorted((name, sorted((k, "(a time)" if k == "expires" else v)
                                for k, v in morsel.items() if v))
                  for name, morsel in cookies.items())


def test_sessions_are_djangos_with_a_cookie_or_without():
    stored = SessionStore()
    stored["seen"] = "before"
    stored.create()
    cookies = [None, stored.session_key, "", "not-a-session-key"]
    for view, cookie in itertools.product(session_views(), cookies):
        answers = []
        for cls in (middleware.SessionMiddleware, DjangoSession):
            request = RequestFactory().get("/")
            if cookie is not None:
                request.COOKIES["sessionid"] = cookie
            response = cls(view)(request)
            answers.append((response.status_code, list(response.items()), response.content,
                            without_value(response.cookies)))
            if view.__name__ == "writes":
                SessionStore(stored.session_key).save()  # as it was, for the other
        assert answers[0] == answers[1], (view.__name__, cookie)


def test_a_readers_session_is_made_only_when_used():
    request = RequestFactory().get("/")
    response = middleware.SessionMiddleware(lambda r: HttpResponse(b"ok"))(request)
    assert request.session._wrapped is empty
    assert "Vary" not in response and not response.cookies
    assert request.session.is_empty() and isinstance(request.session, SessionStore)


def test_the_user_is_found_as_djangos_middleware_finds_it(admin_user):
    for cls in (middleware.AuthenticationMiddleware, DjangoAuthentication):
        request = RequestFactory().get("/")
        request.session = SessionStore()
        cls(lambda r: HttpResponse(b"ok"))(request)
        assert isinstance(request.user, AnonymousUser)
    client = Client()
    client.force_login(admin_user)
    request = RequestFactory().get("/")
    request.session = SessionStore(client.cookies["sessionid"].value)
    middleware.AuthenticationMiddleware(lambda r: HttpResponse(b"ok"))(request)
    assert request.user == admin_user
    with pytest.raises(ImproperlyConfigured):
        middleware.AuthenticationMiddleware(lambda r: HttpResponse())(RequestFactory().get("/"))


def test_a_lazy_value_is_worked_out_once_when_first_used():
    made = []
    value = LazyValue(lambda: made.append(1) or [3, 1, 2])
    assert made == []
    assert sorted(value) == [1, 2, 3] and len(value) == 3
    assert made == [1]


def test_a_lazy_value_is_never_used_until_something_asks_for_it():
    value = LazyValue(lambda: {"seen": True})
    assert never_used(value)
    assert value["seen"]
    assert not never_used(value)
    assert not never_used({"seen": True}) and not never_used(None)  # not lazy: may be used


def test_the_publication_and_its_sections_are_looked_up_once_and_only_when_used(
        publication, monkeypatch):
    looked_up = []
    original = site.site_for_host

    def counting(host):
        looked_up.append(host)
        return original(host)

    monkeypatch.setattr("articles.reading.middleware.site_for_host", counting)
    seen = {}

    def view(request):
        seen["request"] = request
        return HttpResponse(b"ok")

    PublicationMiddleware(view)(RequestFactory().get("/"))
    assert looked_up == []
    request = seen["request"]
    assert request.publication.pk == publication.pk
    assert list(request.sections) == list(publication.sections.all())
    assert looked_up == ["testserver"]


def test_a_host_django_refuses_is_refused():
    request = RequestFactory().get("/", HTTP_HOST="evil.invalid")
    with pytest.raises(DisallowedHost):
        middleware.CommonMiddleware(lambda r: HttpResponse(b"ok"))(request)


DJANGOS_NAMES = {
    "newsroom.middleware.SecurityMiddleware": "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.XFrameOptionsMiddleware":
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.middleware.ConditionalGetMiddleware":
        "django.middleware.http.ConditionalGetMiddleware",
    "newsroom.middleware.SessionMiddleware":
        "django.contrib.sessions.middleware.SessionMiddleware",
    "newsroom.middleware.CommonMiddleware": "django.middleware.common.CommonMiddleware",
    "newsroom.middleware.AuthenticationMiddleware":
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsroom.middleware.MessageMiddleware":
        "django.contrib.messages.middleware.MessageMiddleware",
}


def test_newsrooms_stack_names_only_djangos_classes_it_compares_with(settings):
    ours = [name for name in settings.MIDDLEWARE if name.startswith("newsroom.middleware.")]
    assert sorted(ours) == sorted(DJANGOS_NAMES)


def every_kind_of_page(story):
    return [
        "/", story.get_absolute_url(), story.section.get_absolute_url(), "/feed/",
        "/api/v1/stories/", "/api/v1/stories/?page=banana", "/admin/", "/admin/login/",
        "/admin", "/no-such-page/", "/no-such-page",
    ]


def through_the_stack(settings, paths, *, login=None, djangos=False, **extra):
    middleware_names = [DJANGOS_NAMES.get(name, name) if djangos else name
                        for name in settings.MIDDLEWARE]
    answers = []
    with override_settings(MIDDLEWARE=middleware_names):
        client = Client()
        if login:
            client.force_login(login)
        for path in paths:
            response = client.get(path, **extra)
            # The admin's Expires says when it was sent: the two stacks' differ by the time
            # between them.
            headers = [(name, "(a time)" if name == "Expires" else value)
                       for name, value in response.items()]
            answers.append((path, response.status_code, headers, response.content,
                            without_value(response.cookies)))
    return answers


def same_answers(ours, djangos):
    for mine, theirs in zip(ours, djangos, strict=True):
        if mine[3] != theirs[3]:
            # A form's CSRF token differs from one request to the next, and so the ETag
            # and length of the page that shows it; every other header is the same.
            assert b"csrfmiddlewaretoken" in mine[3], mine[0]
            varying = ("ETag", "Content-Length")
            mine = (*mine[:2], [h for h in mine[2] if h[0] not in varying], None, mine[4])
            theirs = (*theirs[:2], [h for h in theirs[2] if h[0] not in varying], None,
                      theirs[4])
        assert mine == theirs


@pytest.mark.parametrize("who", ["reader", "editor"])
def test_every_kind_of_page_is_answered_as_djangos_stack_answers_it(
        settings, story, admin_user, who):
    login = admin_user if who == "editor" else None
    paths = every_kind_of_page(story)
    same_answers(through_the_stack(settings, paths, login=login),
                 through_the_stack(settings, paths, login=login, djangos=True))


def test_a_conditional_request_through_the_stack_is_answered_as_djangos(settings, story):
    url = story.get_absolute_url()
    etag = Client().get(url)["ETag"]
    for asked in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MATCH": '"another"'}):
        same_answers(through_the_stack(settings, [url], **asked),
                     through_the_stack(settings, [url], djangos=True, **asked))


def deploy_warnings(settings, middleware_names, *, silenced):
    """The security checks' findings (``check --deploy``), Newsroom's ids read as Django's."""
    settings.MIDDLEWARE = middleware_names
    settings.SILENCED_SYSTEM_CHECKS = silenced
    return sorted(message.id.replace("newsroom.", "security.") for message in
                  checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
                  if not message.is_silenced())


@pytest.mark.parametrize("overrides", [
    {},
    {"SESSION_COOKIE_SECURE": False, "SESSION_COOKIE_HTTPONLY": False},
    {"SECURE_HSTS_SECONDS": 3600, "SECURE_SSL_REDIRECT": True},
    {"SECURE_HSTS_SECONDS": 0, "X_FRAME_OPTIONS": "SAMEORIGIN",
     "SECURE_CONTENT_TYPE_NOSNIFF": False, "SECURE_REFERRER_POLICY": "no-such-policy",
     "SECURE_CROSS_ORIGIN_OPENER_POLICY": "no-such-policy"},
])
@pytest.mark.parametrize("without", [None, "SecurityMiddleware", "XFrameOptionsMiddleware",
                                     "SessionMiddleware"])
def test_the_deploy_checks_find_for_newsrooms_middleware_what_they_find_for_djangos(
        settings, overrides, without):
    for name, value in overrides.items():
        setattr(settings, name, value)
    ours = [name for name in settings.MIDDLEWARE if name != f"newsroom.middleware.{without}"]
    djangos = [DJANGOS_NAMES.get(name, name) for name in ours]
    found = deploy_warnings(settings, ours, silenced=settings.SILENCED_SYSTEM_CHECKS)
    assert found == deploy_warnings(settings, djangos, silenced=[
        check for check in settings.SILENCED_SYSTEM_CHECKS
        if check not in middleware.SILENCED_AS_MISSING])
    if without in ("SecurityMiddleware", "XFrameOptionsMiddleware"):
        assert {"security.W001", "security.W002"} & set(found)
    if overrides.get("SECURE_HSTS_SECONDS") == 0 and not without:
        assert {"security.W004", "security.W006", "security.W019", "security.E023",
                "security.E024"} <= set(found)
    if "SESSION_COOKIE_SECURE" in overrides and not without:
        assert {"security.W012", "security.W015"} <= set(found)


def test_djangos_own_checks_are_not_doubled(settings):
    settings.MIDDLEWARE = [DJANGOS_NAMES.get(name, name) for name in settings.MIDDLEWARE]
    assert middleware.check_security_middleware_as_djangos(None) == []


def test_the_deploy_check_is_registered():
    assert middleware.check_security_middleware_as_djangos in checks.registry.registry.get_checks(
        include_deployment_checks=True)
