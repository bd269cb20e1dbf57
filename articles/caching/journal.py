"""The cache's journal: no change is lost because Redis was out of reach when it was made.

A change commits in the database, then moves the generations of its surrogate keys in
Redis (``articles.caching.generations``). With Redis out of reach the second step fails,
and when Redis comes back *with the data it had* (it was frozen, the network between was
cut, it restarted from a snapshot), every page it holds looks current. So each change is
also written to the database, in its own transaction, as a ``PendingInvalidation``
(``record``); the row is deleted once the generations have moved, and a row still there is
a refresh the cache has not had. ``catch_up`` applies every such row.

Nothing read from the cache is trusted before the journal has been applied:

- ``keys.JOURNAL_CHECKED`` is in the cache for ``NEWSROOM_CACHE_JOURNAL_SECONDS`` (1 s)
  after someone applied it. It is read with the page itself (the same round trip), and a
  request that finds it missing applies the journal first: one query a second for the
  whole site. Redis back after any outage longer than that has lost it (it expires on
  Redis's own clock, which runs on while the server is frozen, and a snapshot keeps the
  time it expires): the very next request applies the journal before anything is served.
- Any other request has it read just before its first use of the cache
  (``check_before_first_use``), whatever that use is: a part of a page, the site
  table, a feed's picture sizes, an API rate count; the site table reads it in its own
  round trip (``generations.read_many``). A request that uses nothing from the cache (a
  redirect, a static file, a health check) pays nothing.
- A process that has found Redis out of reach (``newsroom.redis_cache``'s breaker) applies
  it before trusting Redis again, whatever the key says.

What is left: an outage shorter than that second, noticed only by the process that made a
change, lets other processes serve pages without the change until the key expires: at
most ``NEWSROOM_CACHE_JOURNAL_SECONDS`` after the change committed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from articles.caching import generations, page_files
from articles.caching import keys as cache_keys
from articles.models import PendingInvalidation

logger = logging.getLogger(__name__)

# Rows applied per round of ``catch_up`` (a long outage may leave many).
BATCH = 500

# The number of outages (``generations.outages()``) this process had seen when it last
# applied the journal.
_applied_after = {"outages": 0}


def record(changed, *, hard=False):
    """Refresh the keys ``changed`` once the current transaction commits, and keep them in
    the journal, in that same transaction, until the cache has them."""
    row = PendingInvalidation.objects.create(keys=sorted(changed), hard=hard)
    transaction.on_commit(lambda: apply([(row.pk, row.keys, row.hard)]), robust=True)


def forget_everything():
    """Empty the cache (``generations.forget_everything``), or, with the cache out of reach,
    keep that in the journal: it is done before anything the cache kept is used again."""
    forgotten = generations.forget_everything()
    page_files.forget_all()
    if not forgotten:
        logger.warning("The cache could not be emptied: kept in the journal")
        PendingInvalidation.objects.create(keys=[EVERYTHING], hard=True)


# A journal row's only key when the whole cache must go (``forget_everything``).
EVERYTHING = "*"


def apply(rows):
    """Move the generations of every key in ``rows`` (``(pk, keys, hard)``) and take the
    rows out of the journal. False, rows kept, when the cache did not get them."""
    soft = {k for _pk, row_keys, hard in rows if not hard for k in row_keys}
    hard = {k for _pk, row_keys, is_hard in rows if is_hard for k in row_keys}
    if EVERYTHING in hard:
        forgotten = generations.forget_everything()
        page_files.forget_all()
        if not forgotten:
            return False
        soft, hard = set(), set()
    bumped = generations.bump(soft) and generations.bump(hard, hard=True)
    # After the generations (``page_files`` says why this order); nginx's copies of pages
    # cannot wait for Redis: without it, they all go.
    if bumped:
        page_files.forget(soft | hard)
    else:
        page_files.forget_all()
        logger.warning("The cache did not get a refresh of %d keys: kept in the journal",
                       len(soft | hard))
        return False
    try:
        PendingInvalidation.objects.filter(pk__in=[pk for pk, _keys, _hard in rows]).delete()
    except DatabaseError:  # applied again later: a second refresh costs one rebuild
        logger.warning("Could not take applied refreshes out of the journal", exc_info=True)
    return True


def trusted(found):
    """Whether what a ``get_many`` that asked for ``keys.JOURNAL_CHECKED`` found (``found``)
    may be used: the journal was applied lately, and not before an outage of this process."""
    return (found.get(cache_keys.JOURNAL_CHECKED) is not None
            and generations.outages() == _applied_after["outages"])


def catch_up():
    """Apply whatever the journal holds; True when the cache may be trusted again.

    With the database out of reach the journal cannot be read, and nothing can be saved
    either: the cache is trusted as it is, so that pages cached before keep being served."""
    outages = generations.outages()
    # Younger rows are mostly changes committed a moment ago whose own refresh is on its
    # way: applying them again costs one rebuild, and is not worth a warning.
    missed = timezone.now() - timedelta(seconds=settings.NEWSROOM_CACHE_JOURNAL_SECONDS)
    try:
        for _round in range(100):
            rows = list(PendingInvalidation.objects.values_list(
                "pk", "keys", "hard", "created_at")[:BATCH])
            if not rows:
                break
            old = sum(created_at < missed for *_row, created_at in rows)
            if old:
                logger.warning("Applying %d refreshes the cache missed", old)
            if not apply([row for *row, _created_at in rows]):
                return False
    except DatabaseError:
        logger.warning("The cache's journal cannot be read: trusting the cache as it is",
                       exc_info=True)
    if generations.cache().set_many({cache_keys.JOURNAL_CHECKED: 1},
                                    timeout=settings.NEWSROOM_CACHE_JOURNAL_SECONDS):
        return False  # the cache went out of reach meanwhile
    _applied_after["outages"] = outages
    return True


def ensure_trusted():
    """Make sure the journal has been applied before this request reads the cache; False
    when the cache cannot be trusted (it is out of reach: nothing is read from it)."""
    found = generations.cache().get_many([cache_keys.JOURNAL_CHECKED])
    if trusted(found):
        return True
    return generations.is_available() and catch_up()


def check_before_first_use():
    """Make sure of the journal (``ensure_trusted``) just before the cache is first used
    (``generations.cache()``), and not at all if it is not used; a first use through
    ``generations.read_many`` reads the journal's key with its own. Returns the token that
    ``generations.no_check_pending`` takes when the request is over."""
    return generations.before_first_use(
        ensure_trusted, reads_with=(cache_keys.JOURNAL_CHECKED, trusted))
