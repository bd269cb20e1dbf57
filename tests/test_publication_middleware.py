"""``request.publication`` and ``request.sections`` (articles/reading/middleware.py): the
masthead the host names, looked up once when first asked for, and then held by the request
itself, so that later reads are a plain attribute's."""

from django.http import HttpResponse
from django.test import RequestFactory

from articles.models import Publication, Section
from articles.reading import middleware
from articles.reading.middleware import PublicationMiddleware

from .factories import SectionFactory


def through_middleware(host, use):
    """What ``use(request)`` gave, called as a view behind the middleware."""
    seen = {}

    def view(request):
        seen["result"] = use(request)
        return HttpResponse()

    PublicationMiddleware(view)(RequestFactory().get("/", HTTP_HOST=host))
    return seen["result"]


def count_lookups(monkeypatch):
    calls = []
    original = middleware.site_for_host

    def counted(host):
        calls.append(host)
        return original(host)

    monkeypatch.setattr(middleware, "site_for_host", counted)
    return calls


def test_nothing_is_looked_up_for_a_request_that_never_asks(db, monkeypatch):
    calls = count_lookups(monkeypatch)
    through_middleware("valley.example", lambda request: None)
    assert calls == []


def test_the_first_use_looks_up_both_once_then_the_request_holds_them(
        other_publication, monkeypatch):
    SectionFactory(publication=other_publication, name="Farms", slug="farms")
    calls = count_lookups(monkeypatch)

    def use(request):
        first = request.publication
        name = first.name  # through the stand-in: the lookup happens here
        return first, name, request.publication, request.sections, request.publication.pk

    stand_in, name, publication, sections, pk = through_middleware("valley.example", use)
    assert calls == ["valley.example"]
    assert name == "The Valley Ledger" and pk == other_publication.pk
    assert type(publication) is Publication and publication == other_publication
    assert stand_in == publication  # the stand-in kept earlier reads the same masthead
    assert [type(s) for s in sections] == [Section]
    assert [s.slug for s in sections] == ["farms"]


def test_a_host_no_masthead_claims_gets_the_default_masthead(publication):
    assert through_middleware("elsewhere.example",
                              lambda request: request.publication.pk) == publication.pk
