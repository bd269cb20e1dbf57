"""The stories whose cards have to be built, loaded by id in SQL compiled once per process.

A list page whose cards are not all in the cache (every page, with the fragment cache off)
loads the missing cards' stories by id once it is rendered (``cards.Batch``): those still
public on its masthead, as cards read them (``cards.for_building``), then the bylines of
those shown as cards (``cards.bylines``). Both queries are the same on every request but for
the time, the masthead and the ids, and building them through the ORM (``published().on()``'s
filters and filtered join, a prefetch) and compiling them cost more Python than the
database took to answer them. So each is compiled once per process and database
(``articles.reading.compiled``), for a few lengths of list, with stand-ins that each
request's values replace. What they select is still decided by ``published().on()`` and
``articles.caching.cards`` alone: the SQL is theirs, compiled by Django.
"""

from collections import defaultdict
from datetime import UTC, datetime

from django.db import router

from articles.caching import cards
from articles.models import Article
from articles.reading.compiled import CompiledQuery, keep_prefetched, list_size, listed

# Values no real parameter ever equals: a time no story is stamped with, ids below zero.
_NOW = datetime(1903, 4, 5, 6, 7, 8, 912, tzinfo=UTC)
_MASTHEAD = -7_300_000
_FIRST_ID = -7_300_001

_stories = {}  # (database, list size) -> CompiledQuery
_bylines = {}  # (database, list size) -> CompiledQuery


def _stand_in_ids(size):
    return listed("id", range(_FIRST_ID, _FIRST_ID - size, -1), size)


def _compiled_stories(alias, size):
    ids = _stand_in_ids(size)
    stories = cards.for_building(Article.objects.published(at=_NOW).on(_MASTHEAD))
    # The ids, unordered. Prepared: planning its joins and its list of ids cost PostgreSQL
    # more than running it, and its plan is the same whatever the ids.
    return CompiledQuery(stories.among(ids.values()).order_by(),
                         {"now": _NOW, "masthead": _MASTHEAD, **ids}, using=alias,
                         prepared=True)


def _compiled_bylines(alias, size):
    ids = _stand_in_ids(size)
    # As the bylines' prefetch runs it for that many stories.
    return CompiledQuery(cards.bylines().filter(article__in=list(ids.values())), ids,
                         using=alias, prepared=True)


def _query(compiled, compile_, alias, count):
    size = list_size(count)
    query = compiled.get((alias, size))
    if query is None:
        query = compiled[alias, size] = compile_(alias, size)
    return query, size


def stories(masthead_id, ids, carded, *, now):
    """{id: story} of the stories ``ids`` public on masthead ``masthead_id`` at ``now``,
    loaded for their cards, those in ``carded`` with their bylines prefetched (as
    ``cards.load`` prefetches them)."""
    if not ids:
        return {}
    alias = router.db_for_read(Article)
    query, size = _query(_stories, _compiled_stories, alias, len(ids))
    found = {story.pk: story for story in query.results(
        now=now, masthead=masthead_id, **listed("id", ids, size))}
    carded = [found[pk] for pk in carded if pk in found]
    if carded:
        query, size = _query(_bylines, _compiled_bylines, alias, len(carded))
        credited = defaultdict(list)
        for byline in query.results(**listed("id", [story.pk for story in carded], size)):
            credited[byline.article_id].append(byline)
        for story in carded:
            keep_prefetched(story, "bylines", credited[story.pk])
    return found

