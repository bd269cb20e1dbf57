"""Full-page caching for anonymous readers, invalidated exactly and at once.

Each public response names what it shows with *surrogate keys*: ``article:12``,
``section:3``, ``tag:7``, ``person:5``, ``publication:1`` (anything listing that
publication's stories: home, archives, feeds, sitemaps, search). The keys go out in the
``Surrogate-Key`` and ``Cache-Tag`` headers for a CDN, and into the cache entry.

Every key has a *generation* in the shared cache: the time it last changed. A cached page
remembers the generations of its keys; when any of them has moved on, the page is stale and
is rendered again. Changing a story moves the generations of the story, its section, tags,
authors and publication (see ``articles.caching.invalidation``), after the transaction commits,
so the next request anywhere sees the change. Nothing lives in process memory: several
gunicorn servers sharing one Redis behave as one site.

A story scheduled for later goes live without any save, so a page is never kept past the
next scheduled publish or embargo time of its publication.
"""

import hashlib
import logging
import time
from http import HTTPStatus

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, parse_http_date_safe
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# The entry format is part of the key, so a deploy never reads an older format.
PAGE_PREFIX = "newsroom:page:v2:"
GEN_PREFIX = "newsroom:gen:"
NEXT_CHANGE_PREFIX = "newsroom:next-change:"


def cache():
    return caches[settings.NEWSROOM_PAGE_CACHE_ALIAS]


def add_keys(request, *keys):
    """Name what this response shows (views call it; the middleware sends the keys)."""
    if not hasattr(request, "surrogate_keys"):
        request.surrogate_keys = set()
    request.surrogate_keys.update(k for k in keys if k)


def article_keys(article):
    """The keys of everything a story appears with."""
    keys = {f"article:{article.pk}", f"publication:{article.publication_id}"}
    if article.section_id:
        keys.add(f"section:{article.section_id}")
    return keys


def _gen_key(key):
    return GEN_PREFIX + key


def _now():
    """A generation: the time in whole microseconds (an int, stored without pickling)."""
    return time.time_ns() // 1000


def bump(keys):
    """Mark ``keys`` changed now: every page showing any of them is stale."""
    keys = sorted(set(keys))
    if not keys:
        return
    now = _now()
    cache().set_many({_gen_key(k): now for k in keys}, timeout=None)
    hook = settings.NEWSROOM_PURGE_HOOK
    if hook:
        try:
            import_string(hook)(keys)
        except Exception:  # a CDN outage must not break publishing
            logger.exception("Purge hook %s failed for %s", hook, keys)


def generations(keys):
    """The current generation of each key (None for a key never seen)."""
    found = cache().get_many([_gen_key(k) for k in keys])
    return {k: found.get(_gen_key(k)) for k in keys}


def generations_since(keys, started):
    """The generations of ``keys`` (a tuple) for something built from time ``started``.

    None when any of them changed after ``started``: what was built may show the old
    version and must not be kept.

    A key that has no generation yet (never changed, or lost from Redis) is given one that
    records no change: minus the time it was first seen. It is unique, so pages stored
    before a key was lost never match again, and it is below any start time, so two
    parts of one page that see a key first do not take each other for a change.
    """
    found = generations_as_of(keys, started)
    if not unchanged_since(found.values(), started):
        return None
    return tuple(found[k] for k in keys)


def generations_as_of(keys, started):
    """The generation of each key, giving a key without one a generation that records no
    change (see ``generations_since``)."""
    found = generations(keys)
    missing = [k for k, v in found.items() if v is None]
    if missing:
        for k in missing:
            cache().add(_gen_key(k), -started, timeout=None)
        found = generations(keys)
    return found


def unchanged_since(values, started):
    return all(v is not None and v <= started for v in values)


def current_generations(keys):
    """The generations of ``keys`` (a tuple), giving any key without one a new one, so
    that a key lost from Redis never brings back a value seen before it changed."""
    found = generations_as_of(keys, _now())
    return tuple(found[k] for k in keys)


def keep_seconds(request, seconds):
    """``seconds``, cut short by the publication's next scheduled publish or embargo: a
    story going live changes lists without anyone saving anything."""
    publication = getattr(request, "publication", None)
    if publication:
        soon = seconds_until_next_change(publication.pk)
        if soon is not None:
            return min(seconds, int(soon) + 1)
    return seconds


def _page_key(request):
    raw = f"{request.scheme}|{request.get_host()}|{request.get_full_path()}"
    return PAGE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def next_change_key(publication_id):
    return f"{NEXT_CHANGE_PREFIX}{publication_id}"


def seconds_until_next_change(publication_id):
    """Seconds until a scheduled story or embargo of this publication goes live, if any."""
    from articles.models import Article

    key = next_change_key(publication_id)
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

# Set in the WSGI environ by PageCacheApplication when it looked a page up and found no
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
    found = cache().get_many([key, *(_gen_key(k) for k in hint)])
    entry = found.get(key)
    if entry is None:
        return None
    keys, stored_generations = entry[0], entry[1]
    if keys != hint:
        remember_keys(key, keys)
        found = cache().get_many([_gen_key(k) for k in keys])
    if tuple(found.get(_gen_key(k)) for k in keys) != stored_generations:
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
    Behind gunicorn, ``PageCacheApplication`` has usually served the hit before Django's
    handler ran; this middleware then only builds and stores what it missed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Before anything is read: whatever this request builds (the page, its parts) is
        # kept only if nothing it shows changed after this moment (``generations_since``).
        request.newsroom_started = _now()
        if not (settings.NEWSROOM_PAGE_CACHE and is_cacheable_request(request)):
            return self.get_response(request)
        key = _page_key(request)
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


class PageCacheApplication:
    """The page cache's front door: a WSGI application around Django's.

    A reader's request for a page with a current cached copy is answered here, before
    Django's handler runs: no request signals, no middleware, no response object, only
    the lookup (one MGET) and the stored status, headers and bytes. Everything else, and
    every page it does not find, goes on to Django unchanged; a miss is marked in the
    environ so the middleware does not look the page up a second time.

    It decides what is cacheable and names the page exactly as the middleware does (the
    same request object, ``is_cacheable_request`` and ``_page_key``), and serves only
    entries the middleware stored, so a host Django would refuse never matches one.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if settings.NEWSROOM_PAGE_CACHE and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            served = self.serve(environ, start_response)
            if served is not None:
                return served
        return self.application(environ, start_response)

    def serve(self, environ, start_response):
        request = WSGIRequest(environ)
        try:
            if not is_cacheable_request(request):
                return None
            key = _page_key(request)
            entry = find_page(key)
        except DisallowedHost:
            return None  # Django answers 400 and logs it
        except Exception:
            # Redis unreachable, say: Django's handler goes on and reports it properly.
            logger.warning("Page cache lookup failed", exc_info=True)
            return None
        if entry is None:
            environ[LOOKED_UP_AND_MISSED] = key
            return None
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            response = response_from_entry(request, entry)
            start_response(
                f"{response.status_code} {response.reason_phrase}", list(response.items())
            )
            return [response.content]
        _, _, status, headers, content = entry
        start_response(
            f"{status} {HTTPStatus(status).phrase}", [*headers, ("X-Newsroom-Cache", "hit")]
        )
        return [content]


class HttpCacheHeadersMiddleware:
    """Cache-Control for browsers and a CDN, with surrogate keys naming the content."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        keys = sorted(getattr(request, "surrogate_keys", ()))
        if not keys or response.status_code != 200 or not is_cacheable_request(request):
            return response
        if "Cache-Control" in response:
            return response  # the view decided (previews are private, for example)
        response["Surrogate-Key"] = " ".join(keys)
        response["Cache-Tag"] = ",".join(keys)
        patch_cache_control(
            response,
            public=True,
            max_age=settings.NEWSROOM_BROWSER_CACHE_SECONDS,
            s_maxage=settings.NEWSROOM_CDN_CACHE_SECONDS,
            stale_while_revalidate=settings.NEWSROOM_STALE_WHILE_REVALIDATE_SECONDS,
        )
        patch_vary_headers(response, ["Cookie"])
        if "Last-Modified" not in response and hasattr(request, "last_modified"):
            response["Last-Modified"] = http_date(request.last_modified.timestamp())
        return response
