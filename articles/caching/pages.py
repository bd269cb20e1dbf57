"""Full-page caching for anonymous readers, invalidated exactly and at once.

Each public response names what it shows with surrogate keys (``articles.caching.keys``):
views call ``add_keys``, and the keys go out in the ``Surrogate-Key`` and ``Cache-Tag``
headers for a CDN (``articles.caching.headers``) and into the cache entry. A cached page
remembers the generations of its keys (``articles.caching.generations``); when any of them
has moved on, the page is stale and is rendered again.

A story scheduled for later goes live without any save, so a page is never kept past the
next scheduled publish or embargo time of its publication.

Behind gunicorn, the front door (``articles.caching.door``) serves most hits before
Django's handler runs; this module's middleware builds and stores what it missed.
"""

import time

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from articles.caching import keys as cache_keys
from articles.caching.generations import cache, generations_since, now


def add_keys(request, *keys):
    """Name what this response shows (views call it; the middleware sends the keys)."""
    if not hasattr(request, "surrogate_keys"):
        request.surrogate_keys = set()
    request.surrogate_keys.update(k for k in keys if k)


def keep_seconds(request, seconds):
    """``seconds``, cut short by the publication's next scheduled publish or embargo: a
    story going live changes lists without anyone saving anything."""
    publication = getattr(request, "publication", None)
    if publication:
        soon = seconds_until_next_change(publication.pk)
        if soon is not None:
            return min(seconds, int(soon) + 1)
    return seconds


def seconds_until_next_change(publication_id):
    """Seconds until a scheduled story or embargo of this publication goes live, if any."""
    from articles.models import Article

    key = cache_keys.next_change(publication_id)
    when = cache().get(key)
    if when is None:
        when = Article.objects.next_public_change(publication_id=publication_id)
        when = when.timestamp() if when else 0
        cache().set(key, when, timeout=3600)
    if not when:
        return None
    return max(0, when - time.time())


def is_cacheable_request(request):
    if request.method not in ("GET", "HEAD"):
        return False
    # Anyone with a session (staff above all) sees fresh pages, never a reader's cached
    # copy. Readers have no session, so this is decided from the cookie alone, before the
    # session, authentication or anything else has to run.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return not request.path.startswith(settings.NEWSROOM_UNCACHED_PREFIXES)


# Headers that describe one request's handling, not the page: never stored.
UNSTORED_HEADERS = {"x-newsroom-cache", "x-newsroom-queries", "set-cookie"}

# Which surrogate keys each page had when this process last saw it, so that a lookup can
# fetch the entry and the generations of its keys in one MGET. A hint only says what to
# fetch, never what to serve: the entry itself names its keys, and a page whose hint is
# out of date is checked with a second MGET. Bounded, and cleared when full.
key_hints = {}
HINTS_MAX = 20_000

# Set in the WSGI environ by the front door (``articles.caching.door``) when it looked a page up and found no
# current copy, so that the middleware goes straight to building it (a client cannot set
# it: request headers arrive as HTTP_* keys).
LOOKED_UP_AND_MISSED = "newsroom.page_cache.missed"


def remember_keys(key, keys):
    if len(key_hints) >= HINTS_MAX:
        key_hints.clear()
    key_hints[key] = keys


def find_page(key):
    """The stored entry ``(keys, generations, status, headers, content)`` of a page, if
    every key still has the generation it had when the page was rendered; else None."""
    hint = key_hints.get(key, ())
    found = cache().get_many([key, *(cache_keys.generation(k) for k in hint)])
    entry = found.get(key)
    if entry is None:
        return None
    keys, stored_generations = entry[0], entry[1]
    if keys != hint:
        remember_keys(key, keys)
        found = cache().get_many([cache_keys.generation(k) for k in keys])
    if tuple(found.get(cache_keys.generation(k)) for k in keys) != stored_generations:
        return None
    return entry


def response_from_entry(request, entry):
    """The stored page as a response, or 304 for a browser or CDN revalidating its copy."""
    _, _, status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    response["X-Newsroom-Cache"] = "hit"
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


class PageCacheMiddleware:
    """Serves and stores whole pages for readers without a session.

    It sits at the top of the middleware stack: a hit is one round trip to Redis and skips
    everything else. What it stores is the finished response, headers and all (security
    headers, ETag, Cache-Control, surrogate keys), as plain bytes and strings.

    An entry is ``(keys, generations, status, headers, content)``. It is served only while
    every key still has the generation it had when the page was rendered (``find_page``).
    Behind gunicorn, the front door (``articles.caching.door``) has usually served the hit
    before Django's handler ran; this middleware then only builds and stores what it missed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Before anything is read: whatever this request builds (the page, its parts) is
        # kept only if nothing it shows changed after this moment (``generations_since``).
        request.newsroom_started = now()
        if not (settings.NEWSROOM_PAGE_CACHE and is_cacheable_request(request)):
            return self.get_response(request)
        key = cache_keys.page(request)
        if request.META.get(LOOKED_UP_AND_MISSED) != key:
            entry = find_page(key)
            if entry is not None:
                return response_from_entry(request, entry)
        response = self.get_response(request)
        stored = self.store(request, response, key, request.newsroom_started)
        response["X-Newsroom-Cache"] = "miss" if stored else "pass"
        return response

    def store(self, request, response, key, started):
        keys = tuple(sorted(getattr(request, "surrogate_keys", ())))
        if (
            response.status_code != 200
            or response.streaming
            or not keys
            or response.cookies
            or "private" in response.get("Cache-Control", "")
            or "no-store" in response.get("Cache-Control", "")
        ):
            return False
        found = generations_since(keys, started)
        if found is None:
            return False
        timeout = keep_seconds(request, settings.NEWSROOM_PAGE_CACHE_SECONDS)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name.lower() not in UNSTORED_HEADERS
        )
        entry = (keys, found, response.status_code, headers, response.content)
        cache().set(key, entry, timeout=timeout)
        remember_keys(key, keys)
        return True
