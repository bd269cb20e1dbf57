"""Pieces of pages kept in the shared cache, exactly as fresh as whole pages.

When a page has to be built (a reader with a session, the page cache off, or just after a
publish moved the publication's lists on), most of it has not changed: a story's own text
changes when someone edits that story, not when another story is published. So the parts
of a page that change for different reasons are cached apart, each under the surrogate
keys of what it shows (``articles.cache``). A part is served only while every one of its
keys has the generation it had when the part was built, so it can never be staler than
the page cache itself: a change bumps the keys, and the next request builds the part anew.

Each part also reports its keys to the request, so the page sends the right
``Surrogate-Key`` header and the page cache knows what the page shows, hit or miss.
"""

from django.conf import settings
from django.utils.safestring import mark_safe

from . import cache as page_cache

PREFIX = "newsroom:fragment:v1:"


def cached(request, name, build, *, enabled=True):
    """The value of part ``name`` (a dict of HTML strings), built by ``build`` when needed.

    ``build()`` returns ``(value, keys)``: what the part shows and the surrogate keys that
    name it. ``enabled=False`` always builds (a preview must never store a draft).
    """
    if not (enabled and settings.NEWSROOM_FRAGMENT_CACHE):
        value, keys = build()
        page_cache.add_keys(request, *keys)
        return value
    key = PREFIX + name
    entry = page_cache.cache().get(key)
    if entry is not None:
        keys, stored_generations, value = entry
        if page_cache.is_current(keys, stored_generations):
            page_cache.add_keys(request, *keys)
            return {k: mark_safe(v) for k, v in value.items()}
    started = page_cache._now()
    value, keys = build()
    keys = tuple(sorted(set(keys)))
    page_cache.add_keys(request, *keys)
    found = page_cache.generations_since(keys, started)
    if found is not None:
        timeout = page_cache.keep_seconds(request, settings.NEWSROOM_FRAGMENT_CACHE_SECONDS)
        page_cache.cache().set(key, (keys, found, {k: str(v) for k, v in value.items()}),
                               timeout=timeout)
    return value
