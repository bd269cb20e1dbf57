"""Generations: when each surrogate key last changed, kept in the shared cache.

Every surrogate key (``articles.caching.keys``) has a *generation* in the shared cache:
the time it last changed. Whatever is cached (a page, a part of a page) remembers the
generations of its keys; when any of them has moved on, it is stale and is built again.
Changing a story moves the generations of the story, its section, tags, authors and
publication (see ``articles.caching.invalidation``), after the transaction commits, so the
next request anywhere sees the change. Nothing lives in process memory: several gunicorn
servers sharing one Redis behave as one site.

A key also has a *hard generation*: the time something it names last left readers' view
(an unpublish, a deletion). A page gone stale through an ordinary save may be served for a
few seconds while one request rebuilds it (``articles.caching.pages``); one that missed a
hard change never is.

The cache may be out of reach (``newsroom.redis_cache``): reads then find nothing, so
nothing is served from it, and ``bump`` says the change did not get through, so that the
journal (``articles.caching.journal``) keeps it until it does.
"""

import contextlib
import logging
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.utils.module_loading import import_string

from articles.caching import keys as cache_keys

logger = logging.getLogger(__name__)


# What must be done before the cache is next used in this context (a thread, or a task):
# ``before_first_use``.
_first_use = ContextVar("newsroom_cache_first_use", default=None)


def cache():
    """The shared cache that pages, their parts and generations live in.

    Everything that uses it asks here, so that a check set with ``before_first_use`` (the
    cache's journal, ``articles.caching.journal.check_before_first_use``) runs before the
    first use, whoever makes it."""
    check = _first_use.get()
    if check is not None:
        _first_use.set(None)  # the check uses the cache itself
        try:
            check()
        except BaseException:
            _first_use.set(check)  # not done: the next use tries again
            raise
    return caches[settings.NEWSROOM_PAGE_CACHE_ALIAS]


class _Check:
    """A check waiting for the first use of the cache, and what it reads, if it can be
    read with that first use (``read_many``): ``(key, satisfied)``."""

    __slots__ = ("check", "reads_with")

    def __init__(self, check, reads_with):
        self.check, self.reads_with = check, reads_with

    def __call__(self):
        return self.check()


def before_first_use(check, *, reads_with=None):
    """Run ``check()`` when this context next uses the cache (``cache()``), not before: a
    request that uses nothing from the cache pays nothing. Returns a token for
    ``no_check_pending``.

    ``reads_with=(key, satisfied)``: the check is passed when ``satisfied(found)`` holds of
    what a ``get_many`` that asked for ``key`` found, so a first use through ``read_many``
    reads ``key`` in its own round trip instead of one before it."""
    return _first_use.set(_Check(check, reads_with))


def read_many(names):
    """``cache().get_many(names)``; made first in its context, it also reads the pending
    check's key (``before_first_use``) in the same round trip. What it found is used only
    if that satisfies the check; otherwise the check runs in full and ``names`` are read
    again."""
    pending = _first_use.get()
    reads_with = getattr(pending, "reads_with", None)
    if reads_with is None:
        return cache().get_many(names)
    key, satisfied = reads_with
    _first_use.set(None)
    try:
        found = caches[settings.NEWSROOM_PAGE_CACHE_ALIAS].get_many([key, *names])
        passed = satisfied(found)
    except BaseException:
        _first_use.set(pending)
        raise
    if not passed:
        _first_use.set(pending)
        return cache().get_many(names)  # the check first, in full
    found.pop(key, None)
    return found


def no_check_pending(token):
    """Forget the check set with the ``before_first_use`` that returned ``token``, if it
    has not run (the request is over)."""
    _first_use.reset(token)


def check_pending():
    """Whether a check set with ``before_first_use`` has not run yet."""
    return _first_use.get() is not None


def is_available():
    """False while the cache is known to be out of reach (``newsroom.redis_cache``'s
    breaker is open): everything read from it is a miss."""
    return getattr(cache(), "is_available", lambda: True)()


def outages():
    """How many times this process has found the cache out of reach (0 for caches that
    cannot be)."""
    return getattr(cache(), "outages", 0)


def now():
    """A generation: the time in whole microseconds (an int, stored without pickling)."""
    return time.time_ns() // 1000


def bump(keys, *, hard=False):
    """Mark ``keys`` changed now: every page showing any of them is stale. ``hard``:
    something left readers' view, and no page that showed it may be served again.

    True when the cache has it. The write is tried even while the cache is thought out of
    reach (a change is worth a timeout); False when it did not get through."""
    keys = sorted(set(keys))
    if not keys:
        return True
    changed = now()
    values = {cache_keys.generation(k): changed for k in keys}
    if hard:
        values.update({cache_keys.hard_generation(k): changed for k in keys})
    try:
        with getattr(cache(), "trying", contextlib.nullcontext)():
            failed = cache().set_many(values, timeout=None)
    except Exception:  # a cache of files on a full disk, say
        logger.exception("Could not store the generations of %s", keys)
        failed = True
    hook = settings.NEWSROOM_PURGE_HOOK
    if hook:
        try:
            import_string(hook)(keys)
        except Exception:  # a CDN outage must not break publishing
            logger.exception("Purge hook %s failed for %s", hook, keys)
    return not failed


def as_time(generation):
    """When a key with this generation last changed: None for one that records no change
    (below zero, see ``generations_since``) or that the cache could not give."""
    if isinstance(generation, int) and generation > 0:
        return datetime.fromtimestamp(generation / 1_000_000, UTC)
    return None


def generations(keys):
    """The current generation of each key (None for a key never seen)."""
    found = cache().get_many([cache_keys.generation(k) for k in keys])
    return {k: found.get(cache_keys.generation(k)) for k in keys}


def hard_generations(keys, *also):
    """The hard generation of each key (None if nothing it names ever left readers'
    view), and the entries named in ``also``, in one round trip."""
    found = cache().get_many([*(cache_keys.hard_generation(k) for k in keys), *also])
    return {k: found.get(cache_keys.hard_generation(k)) for k in keys}, found


def generations_since(keys, started):
    """The generations of ``keys`` (a tuple) for something built from time ``started``.

    None when any of them changed after ``started``: what was built may show the old
    version and must not be kept. None too when the cache is out of reach.

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
    change (see ``generations_since``). None for a key whose generation the cache could not
    give (out of reach)."""
    found = generations(keys)
    missing = [k for k, v in found.items() if v is None]
    if missing:
        for k in missing:
            cache().add(cache_keys.generation(k), -started, timeout=None)
        found = generations(keys)
    return found


def unchanged_since(values, started):
    return all(v is not None and v <= started for v in values)


def current_generations(keys):
    """The generations of ``keys`` (a tuple), giving any key without one a new one, so
    that a key lost from Redis never brings back a value seen before it changed.

    With the cache out of reach, a key's generation is unknown, and it is given a value
    nothing else ever had: whatever is derived from it (a feed's ETag) never matches."""
    found = generations_as_of(keys, now())
    return tuple(found[k] if found[k] is not None else f"unknown-{uuid.uuid4().hex}"
                 for k in keys)


def forget_everything():
    """Empty the cache: every page, part, card and generation it holds. False when the
    cache could not be reached (``articles.caching.journal.forget_everything`` keeps it
    for later).

    For what changes rows without the signals that move generations, above all a restore,
    which loads whole tables at once: a page cached before it would otherwise still match.
    Losing generations is safe (a key seen anew gets one no stored page has).
    """
    with getattr(cache(), "trying", contextlib.nullcontext)():
        return cache().clear() is not False  # Django's own caches return None
