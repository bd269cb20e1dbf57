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

A story edited again and again (a live story saved every few seconds) would make every
list showing it be rebuilt by every reader at once. So a page gone stale through a *save*
is still served, for at most ``NEWSROOM_PAGE_CACHE_STALE_SECONDS`` after that save, while
one request (the one that takes ``keys.rebuilding``) builds it again; the others get the
copy they had. A page that missed an unpublish or a deletion (a *hard* change,
``articles.caching.invalidation``), or a story going live, is never served again.

Behind gunicorn, the front door (``articles.caching.door``) serves most hits before
Django's handler runs; this module's middleware builds and stores what it missed. With
``NEWSROOM_PAGE_FILES_DIR`` set, a current page is also written as a file that nginx
serves without reaching Python (``articles.caching.page_files``).

Nothing is read from the cache before its journal has been applied
(``articles.caching.journal``): a refresh Redis missed while it was out of reach is made
before any page it held is served.
"""

import time
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from articles.caching import generations, journal, page_files
from articles.caching import keys as cache_keys
from articles.caching.generations import cache, generations_as_of, now
from newsroom.lazy import never_used

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
    is read again (so is one whose generation the cache lost).
    """
    from articles.models import Article

    key = cache_keys.next_change(publication_id)
    changed_key = cache_keys.generation(cache_keys.publication(publication_id))
    found = cache().get_many([key, changed_key])
    entry, changed = found.get(key), found.get(changed_key)
    if entry is not None and changed is not None:  # None: lost, or out of reach
        since, read_at, when = entry
        if since <= moment and (when is None or moment < when) and read_at >= changed:
            return when
    read_at = generations.now()
    when = Article.objects.next_public_change(
        publication_id=publication_id, at=EPOCH + moment * MICROSECOND)
    when = as_generation(when) if when else None
    cache().set(key, (moment, read_at, when), timeout=3600)
    return when


def is_current(valid_until, now=None):
    """Whether something stored with ``valid_until`` (a generation, or None for no limit)
    may still be served at ``now`` (a generation; by default now: a page checking many
    entries at once takes one moment for them all)."""
    return valid_until is None or (generations.now() if now is None else now) < valid_until


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
    # Without the cookie nobody is logged in, unless this very request logged someone in
    # (``login()`` puts the user on the request). A user nothing has looked up yet is not
    # looked up for this: it would make the reader a session (and a Vary: Cookie) to say
    # "anonymous" on every page built.
    user = getattr(request, "user", None)
    if user is not None and not never_used(user) and user.is_authenticated:
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

# When this process last found each page current: ``(the entry's start, the time)``. A
# page current at that time has missed no change made before it, which bounds how stale it
# can be (``stale_or_rebuild``). Bounded like the hints.
verified_at = {}

# This process's last verdict on each stale page: ``(its generations then, the entry's
# start, when)``, for a page found servable stale. While its generations have not moved
# again (no change since, hard or soft), the verdict holds for STALE_VERDICT_SECONDS: a
# stale copy then costs one round trip, as a hit does, not two. Bounded like the hints.
stale_verdicts = {}
STALE_VERDICT_SECONDS = 0.1

# Set in the WSGI environ by the front door (``articles.caching.door``) when it looked a
# page up and found no current copy, so that the middleware goes straight to building it
# (a client cannot set these: request headers arrive as HTTP_* keys). The second says
# that this request took the page's rebuilding (``keys.rebuilding``) and must give it back.
LOOKED_UP_AND_MISSED = "newsroom.page_cache.missed"
LOOKED_UP_AND_REBUILDING = "newsroom.page_cache.rebuilding"

# What a lookup found (``Lookup.state``), and the X-Newsroom-Cache header of a page served.
HIT = "hit"  # current: served
STALE = "stale"  # stale after a save, another request rebuilding it: served meanwhile
WAIT = "wait"  # too old to serve stale, another request rebuilding it: wait for its copy
REBUILD = "rebuild"  # stale after a save: this request rebuilds it (and took keys.rebuilding)
MISS = "miss"  # not kept, or may not be served: built
UNCHECKED = "unchecked"  # the journal must be applied first (the front door leaves it to Django)

# The shortest time between two rebuilds of a page in a storm of saves (seconds; the cache
# counts whole ones; ``PageCacheMiddleware.hand_back``). Less than
# NEWSROOM_PAGE_CACHE_STALE_SECONDS, or stale copies would run out before the next rebuild.
REBUILD_EVERY = 1

# How long a reader waits for the request rebuilding a page whose stale copy is too old to
# serve, before building it too (seconds). On a busy machine a build can take longer than
# the stale window: if every reader then built the page, builds would slow each other down
# further and never catch up. Waiting costs no CPU, so the one build finishes sooner.
REBUILD_WAIT = 1.0
REBUILD_WAIT_STEP = 0.025

# What ``PageCacheMiddleware.store`` did with a page.
KEPT = "kept"
RACED = "raced"

# Stored for a key that changed while the page was being built: it matches no generation
# (those are times, or minus times), so such a page is never current, only stale.
CHANGED_WHILE_BUILT = 0


class Lookup(NamedTuple):
    state: str
    entry: tuple | None = None


def remember_keys(key, keys):
    if len(key_hints) >= HINTS_MAX:
        key_hints.clear()
    key_hints[key] = keys


def remember_verified(key, started, when):
    if len(verified_at) >= HINTS_MAX:
        verified_at.clear()
    verified_at[key] = (started, when)


def find_page(key, *, catch_up=True, again=True):
    """What the cache holds for a page, as a ``Lookup``.

    An entry is ``(keys, generations, started, status, headers, content, valid_until)``:
    ``started`` is when the request that built it began, ``valid_until`` when a scheduled
    story of its publication goes live (``change_deadline``; None: none is scheduled). It is
    current (``HIT``) while every key still has the generation it had when the page was
    built, and until ``valid_until``. ``catch_up=False`` (the front door, which runs before
    Django's handler) leaves the journal to Django: ``UNCHECKED``.
    """
    hint = key_hints.get(key, ())
    names = [cache_keys.JOURNAL_CHECKED, key, *(cache_keys.generation(k) for k in hint)]
    found = cache().get_many(names)
    if not journal.trusted(found):
        if not generations.is_available():
            return Lookup(MISS)
        if not catch_up:
            return Lookup(UNCHECKED)
        if not journal.catch_up():
            return Lookup(MISS)
        found = cache().get_many(names)
    entry = found.get(key)
    if entry is None or not is_current(entry[6]):  # a story has gone live since
        return Lookup(MISS)
    keys, stored_generations, started = entry[0], entry[1], entry[2]
    if keys != hint:
        remember_keys(key, keys)
        found = cache().get_many([cache_keys.generation(k) for k in keys])
    current = tuple(found.get(cache_keys.generation(k)) for k in keys)
    if current == stored_generations:
        remember_verified(key, started, now())
        return Lookup(HIT, entry)
    found = stale_or_rebuild(key, entry, current)
    if found.state == WAIT:
        if again and rebuilt_meanwhile(key, started):
            return find_page(key, catch_up=catch_up, again=False)
        return Lookup(MISS)
    if found.state == REBUILD and again:
        # Another request may have stored the page again between this lookup and taking
        # the rebuilding: then it is that copy that counts.
        newer = cache().get(key)
        if newer is not None and newer[2] != started:
            cache().delete(cache_keys.rebuilding(key))
            return find_page(key, catch_up=catch_up, again=False)
    return found


def stale_or_rebuild(key, entry, current):
    """A page whose keys have moved on: ``STALE`` (served while another request rebuilds
    it), ``REBUILD`` (this request rebuilds it), ``WAIT`` (too old to serve, and another
    request is rebuilding it) or ``MISS``.

    It may be served only if every change it misses is an ordinary save made at most
    ``NEWSROOM_PAGE_CACHE_STALE_SECONDS`` ago. The changes it misses came after it was
    built (``started``), and after this process last found it current: the later of the
    two must be that recent. None of them may be hard (an unpublish, a deletion).
    """
    seconds = settings.NEWSROOM_PAGE_CACHE_STALE_SECONDS
    keys, _stored, started = entry[0], entry[1], entry[2]
    if not seconds or None in current:  # a generation lost or out of reach: unknown
        return Lookup(MISS)
    entry_started, verified = verified_at.get(key, (None, 0))
    known_current = max(started, verified if entry_started == started else 0)
    moment = now()
    rebuilding, waiting = cache_keys.rebuilding(key), cache_keys.waiting(key)
    if moment - known_current > seconds * 1_000_000:
        # Too old to serve: still built by one request at a time, the others waiting.
        if cache().add(rebuilding, 1, timeout=rebuilding_seconds()):
            return Lookup(REBUILD, entry)
        return Lookup(WAIT, entry)
    verdict = stale_verdicts.get(key)
    if (verdict is not None and verdict[:2] == (current, started)
            and moment - verdict[2] < STALE_VERDICT_SECONDS * 1_000_000):
        return Lookup(STALE, entry)  # nothing changed since it was found servable
    hard, found = generations.hard_generations(keys, rebuilding, waiting)
    if not generations.is_available() or any(h is not None and h > started
                                             for h in hard.values()):
        return Lookup(MISS)
    if found.get(rebuilding) is None and cache().add(rebuilding, 1,
                                                     timeout=rebuilding_seconds()):
        return Lookup(REBUILD, entry)
    if found.get(waiting) is None:
        cache().add(waiting, 1, timeout=REBUILD_EVERY)
    if len(stale_verdicts) >= HINTS_MAX:
        stale_verdicts.clear()
    stale_verdicts[key] = (current, started, moment)
    return Lookup(STALE, entry)


def rebuilding_seconds():
    """How long a rebuilding is held at most: for the whole build, however slow (a build
    that outlived it would let a second one start beside it, and on a busy machine each
    would slow the other), until its copy would be too old to serve anyway; or until the
    process building it died. ``PageCacheMiddleware.hand_back`` gives it back sooner."""
    return max(REBUILD_EVERY, settings.NEWSROOM_PAGE_CACHE_STALE_SECONDS)


def rebuilt_meanwhile(key, started):
    """Whether the page was stored again (a copy other than the one built at ``started``)
    while this request waited, up to ``REBUILD_WAIT``, for the request rebuilding it."""
    rebuilding = cache_keys.rebuilding(key)
    deadline = time.monotonic() + REBUILD_WAIT
    while time.monotonic() < deadline:
        time.sleep(REBUILD_WAIT_STEP)
        found = cache().get_many([rebuilding, key])
        newer = found.get(key)
        if newer is not None and newer[2] != started:
            return True
        if found.get(rebuilding) is None:
            return False  # given back with nothing stored (or the cache is out of reach)
    return False


def served_headers(entry, state):
    """The stored headers of a page served as ``state`` (``HIT`` or ``STALE``). A stale copy
    tells a CDN or browser not to keep it without asking again."""
    headers = entry[4]
    if state == STALE:
        headers = [(n, v) for n, v in headers if n.lower() != "cache-control"]
        headers.append(("Cache-Control", "no-cache"))
    return [*headers, ("X-Newsroom-Cache", state)]


def response_from_entry(request, entry, state=HIT):
    """The stored page as a response, or 304 for a browser or CDN revalidating its copy."""
    status, content = entry[3], entry[5]
    response = HttpResponse(content, status=status)
    for name, value in served_headers(entry, state):
        response.headers[name] = value
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

    Behind gunicorn, the front door (``articles.caching.door``) has usually served the hit
    before Django's handler ran; this middleware then only builds and stores what it missed.
    Every other request (a session, the admin, a POST) goes on, and the cache's journal is
    made sure of just before it first uses the cache, as what it builds may come from the
    cache too (parts of pages, the site table); one that never uses it pays nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (settings.NEWSROOM_PAGE_CACHE and is_cacheable_request(request)):
            # Before anything is read (see below). Should the journal's check, made later,
            # move generations, what this request builds is then only not kept.
            request.newsroom_started = now()
            # Set and reset around the request, not a context manager: every request
            # that reaches Django pays for it.
            check = journal.check_before_first_use()
            try:
                response = self.get_response(request)
                if response.streaming and generations.check_pending():
                    # Its content is made after this returns, outside the check's reach.
                    journal.ensure_trusted()
            finally:
                generations.no_check_pending(check)
            return response
        key = cache_keys.page(request)
        if request.META.get(LOOKED_UP_AND_MISSED) == key:
            state = REBUILD if request.META.get(LOOKED_UP_AND_REBUILDING) else MISS
        else:
            lookup = find_page(key)
            if lookup.state in (HIT, STALE):
                if lookup.state == HIT:
                    # nginx had no file of it (the front door left it here for this).
                    page_files.write(request, lookup.entry)
                return response_from_entry(request, lookup.entry, lookup.state)
            state = lookup.state
        # Before anything the page shows is read (and after the journal, which may move
        # generations): what this request builds (the page, its parts) is current only if
        # nothing it shows changed after this moment.
        request.newsroom_started = now()
        stored = None
        try:
            response = self.get_response(request)
            stored = self.store(request, response, key, request.newsroom_started)
        finally:
            if state == REBUILD:
                self.hand_back(key, stored, request.newsroom_started)
        response["X-Newsroom-Cache"] = "miss" if stored else "pass"
        return response

    def hand_back(self, key, stored, started):
        """After a rebuild, let the next one start at once, unless this one was in a storm:
        readers were given stale copies while it ran (``keys.waiting``), or a save came in
        while it ran (``RACED``). Then the rebuilding is kept for the rest of
        ``REBUILD_EVERY`` from when it was taken (``started``), and the page is rebuilt
        once a second at most, however often it is saved, instead of once per save, or back
        to back by one request after another when saves come faster than builds. A page
        that could not be kept, or whose build took the whole second, is handed back."""
        rebuilding, waiting = cache_keys.rebuilding(key), cache_keys.waiting(key)
        # The cache counts whole seconds: the rest, rounded, or none.
        rest = round(REBUILD_EVERY - (now() - started) / 1_000_000)
        if rest > 0 and (stored == RACED or (stored and cache().get(waiting) is not None)):
            cache().delete(waiting)  # readers in the next second say so again
            cache().touch(rebuilding, rest)
        else:
            cache().delete_many([rebuilding, waiting])

    def store(self, request, response, key, started):
        """Keep the page built: ``KEPT``, ``RACED`` (kept, but as a stale copy only: a key
        it shows changed while it was built), or False."""
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
        found = generations_as_of(keys, started)
        if None in found.values():  # the cache is out of reach
            return False
        changed = {k for k in keys if found[k] > started}
        # A page that may miss a change made while it was built is kept only as a stale
        # copy (never current), for readers to have while it is built again.
        if changed and not settings.NEWSROOM_PAGE_CACHE_STALE_SECONDS:
            return False
        generations_kept = tuple(CHANGED_WHILE_BUILT if k in changed else found[k]
                                 for k in keys)
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
        entry = (keys, generations_kept, started, response.status_code, headers,
                 response.content, valid_until)
        cache().set(key, entry, timeout=timeout)
        remember_keys(key, keys)
        if changed:
            return RACED
        page_files.write(request, entry)
        return KEPT
