"""The page cache's front door: a WSGI application around Django's (``newsroom/wsgi.py``).

Most of what readers ask for is a page already cached. Answering it takes one lookup in
Redis, and going through Django's handler first (request signals, the middleware stack, URL
routing, a response object) would cost more than the lookup itself. So the lookup happens
here, before Django runs, and anything it does not answer goes on to Django unchanged.
"""

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import DisallowedHost

from articles.caching import keys as cache_keys
from articles.caching import page_files, pages
from newsroom.requests import Request

logger = logging.getLogger(__name__)


class PageCacheApplication:
    """The page cache's front door: a WSGI application around Django's.

    A reader's request for a page with a current cached copy (or a stale one that another
    request is rebuilding, ``pages.stale_or_rebuild``) is answered here, before Django's
    handler runs: no request signals, no middleware, no response object, only the lookup
    (one MGET) and the stored status, headers and bytes. Everything else, and every page it
    does not find, goes on to Django unchanged; a miss is marked in the environ so the
    middleware does not look the page up a second time. When the cache's journal must be
    applied first (``articles.caching.journal``), the door leaves the page to Django, which
    does so (it needs the database) and then looks the page up itself.

    It decides what is cacheable and names the page exactly as the middleware does (the
    same request object, ``is_cacheable_request`` and ``keys.page``), and serves only
    entries the middleware stored, so a host Django would refuse never matches one.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        # Paths never cached (the admin, media, the benchmark's floor) go straight on to
        # Django, without the request object a lookup needs. Skipping the door never
        # changes an answer: the middleware looks up whatever the door did not.
        if (settings.NEWSROOM_PAGE_CACHE and environ.get("REQUEST_METHOD") in ("GET", "HEAD")
                and not environ.get("PATH_INFO", "").startswith(
                    settings.NEWSROOM_UNCACHED_PREFIXES)):
            served = self.serve(environ, start_response)
            if served is not None:
                return served
        return self.application(environ, start_response)

    def serve(self, environ, start_response):
        # A copy: Django's request writes the decoded path back into the environ it is given,
        # and Django's handler, building its own request from the environ next, would
        # decode it again (Arabic or emoji: UnicodeEncodeError, a 500; "ó": another path).
        request = Request(environ.copy())
        try:
            if not pages.is_cacheable_request(request):
                return None
            key = cache_keys.page(request)
            lookup = pages.find_page(key, catch_up=False)
        except DisallowedHost:
            return None  # Django answers 400 and logs it
        except Exception:
            # Whatever went wrong, Django's handler goes on and reports it properly.
            logger.warning("Page cache lookup failed", exc_info=True)
            return None
        if lookup.state == pages.UNCHECKED:
            return None  # the middleware applies the journal, then looks again
        if lookup.state == pages.HIT and page_files.wanted(request, lookup.entry):
            return None  # nginx has no file of it: the middleware writes one, and serves
        if lookup.state in (pages.MISS, pages.REBUILD):
            environ[pages.LOOKED_UP_AND_MISSED] = key
            environ[pages.LOOKED_UP_AND_REBUILDING] = lookup.state == pages.REBUILD
            return None
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            response = pages.response_from_entry(request, lookup.entry, lookup.state)
            start_response(
                f"{response.status_code} {response.reason_phrase}", list(response.items())
            )
            return [response.content]
        status, content = lookup.entry[3], lookup.entry[5]
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       pages.served_headers(lookup.entry, lookup.state))
        return [content]
