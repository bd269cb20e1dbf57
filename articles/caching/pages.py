"""Full-page caching for anonymous readers, invalidated exactly and at once.

Each public response names what it shows with surrogate keys (``articles.caching.keys``):
views call ``add_keys``, and the keys go out in the ``Surrogate-Key`` and ``Cache-Tag``
headers for a CDN (``articles.caching.headers``) and into the cache entry. A cached page
remembers the generations of its keys (``articles.caching.generations``); when any of them
has moved on, the page is stale and is rendered again.

A story scheduled for later goes live without any save, so a page is never served at or
after the first scheduled publish or embargo time of its publication that followed the
start of the request that built it (``change_deadline``). The entry carries that moment,
to the microsecond, and is checked against it on every hit: a cache's TTL counts whole
seconds, and a page built just before a story goes live must not outlive it by one.

Behind gunicorn, the front door (``articles.caching.door``) serves most hits before
Django's handler runs; this module's middleware builds and stores what it missed.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from articles.caching import generations
from articles.caching import keys as cache_keys
from articles.caching.generations import cache, generations_since

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def add_keys(request, *keys):
    """Name what this response shows (views call it; the middleware sends the keys)."""
    if not hasattr(request, "surrogate_keys"):
        request.surrogate_keys = set()
    request.surrogate_keys.update(k for k in keys if k)


def as_generation(moment):
    """A datetime in the generations' unit: whole microseconds since the epoch."""
    return (moment - EPOCH) // MICROSECOND


def change_deadline(request):
    """The moment (a generation) from which what this request builds may be out of date
    without anyone saving anything: the first scheduled story or embargo of its
    publication to go live after the request started. None: nothing is scheduled.

    Counted from the request's start, not from when its result is stored: a page read
    from the database just before a story went live, and stored just after, shows the
    world before and must not be kept at all.
    """
    publication = getattr(request, "publication", None)
    if not publication:
        return None
    started = getattr(request, "newsroom_started", None) or generations.now()
    return next_change_after(publication.pk, started)


def next_change_after(publication_id, moment):
    """The first scheduled publish or embargo time of a publication after ``moment``
    (generations, both), or None.

    Kept in the cache as ``(since, read_at, when)``: "the first change after ``since`` is
    ``when``", read from the database from ``read_at`` on. It answers for any moment from
    ``since`` until ``when``, as long as nothing was scheduled since it was read: a new
    schedule or embargo moves the publication's generation, and an entry read before that
    (even one stored after the change deleted the key) is read again.
    """
    from articles.models import Article

    key = cache_keys.next_change(publication_id)
    changed_key = cache_keys.generation(cache_keys.publication(publication_id))
    found = cache().get_many([key, changed_key])
    entry, changed = found.get(key), found.get(changed_key) or 0
    if entry is not None:
        since, read_at, when = entry
        if since <= moment and (when is None or moment < when) and read_at >= changed:
            return when
    read_at = generations.now()
    when = Article.objects.next_public_change(
        publication_id=publication_id, at=EPOCH + moment * MICROSECOND)
    when = as_generation(when) if when else None
    cache().set(key, (moment, read_at, when), timeout=3600)
    return when


def is_current(valid_until):
    """Whether something stored with ``valid_until`` (a generation, or None for no limit)
    may still be served now."""
    return valid_until is None or generations.now() < valid_until


def keep_seconds(request, seconds, valid_until=...):
    """How long to keep what this request built: ``seconds``, cut short at the change
    deadline (rounded up: the entry's own ``valid_until`` is what stops it being served
    on time; the expiry only frees the memory). 0 when the deadline has already passed."""
    if valid_until is ...:
        valid_until = change_deadline(request)
    if valid_until is None:
        return seconds
    left = valid_until - generations.now()
    if left <= 0:
        return 0
    return min(seconds, -(-left // 1_000_000))


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
    """The stored entry ``(keys, generations, status, headers, content, valid_until)`` of
    a page, if every key still has the generation it had when the page was rendered and
    no scheduled story has gone live since; else None."""
    hint = key_hints.get(key, ())
    found = cache().get_many([key, *(cache_keys.generation(k) for k in hint)])
    entry = found.get(key)
    if entry is None or not is_current(entry[5]):
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
    _, _, status, headers, content, _ = entry
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

    An entry is ``(keys, generations, status, headers, content, valid_until)``. It is served
    only while every key still has the generation it had when the page was rendered, and
    before ``valid_until``, when a scheduled story goes live (``find_page``).
    Behind gunicorn, the front door (``articles.caching.door``) has usually served the hit
    before Django's handler ran; this middleware then only builds and stores what it missed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Before anything is read: whatever this request builds (the page, its parts) is
        # kept only if nothing it shows changed after this moment (``generations_since``).
        request.newsroom_started = generations.now()
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
        valid_until = change_deadline(request)
        timeout = keep_seconds(request, settings.NEWSROOM_PAGE_CACHE_SECONDS, valid_until)
        if not timeout:
            return False  # a story went live while this page was built
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name.lower() not in UNSTORED_HEADERS
        )
        entry = (keys, found, response.status_code, headers, response.content, valid_until)
        cache().set(key, entry, timeout=timeout)
        remember_keys(key, keys)
        return True
