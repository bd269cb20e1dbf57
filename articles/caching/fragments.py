"""Pieces of pages kept in the shared cache, exactly as fresh as whole pages.

When a page has to be built (a reader with a session, the page cache off, or just after a
publish moved the publication's lists on), most of it has not changed: a story's own text
changes when someone edits that story, not when another story is published. So the parts
of a page that change for different reasons are cached apart, each under the surrogate
keys of what it shows (``articles.caching.keys``). A part is served only while every one of its
keys has the generation it had when the part was built, so it can never be staler than
the page cache itself: a change bumps the keys, and the next request builds the part anew.

Each part also reports its keys to the request, so the page sends the right
``Surrogate-Key`` header and the page cache knows what the page shows, hit or miss.
"""

from django.conf import settings
from django.utils.safestring import SafeString

from articles.caching import generations
from articles.caching import keys as cache_keys
from articles.caching.pages import add_keys, change_deadline, is_current, keep_seconds

# The surrogate keys each part had when this process last read it, so that one MGET fetches
# the parts and the generations of their keys together. A hint only says what to fetch,
# never what to serve: each entry names its own keys, and those the hints missed are
# fetched with a second MGET. Bounded, and cleared when full.
key_hints = {}
HINTS_MAX = 50_000


def remember_keys(name, keys):
    if key_hints.get(name) != keys:
        if len(key_hints) >= HINTS_MAX:
            key_hints.clear()
        key_hints[name] = keys


def prefetch(request, names):
    """Look up several parts of one page at once: one round trip to the cache for all of
    them, their entries and the generations of their keys (a second one only for keys
    this process has not seen them with)."""
    if not settings.NEWSROOM_FRAGMENT_CACHE:
        return
    entry_names = [cache_keys.fragment(name) for name in names]
    hinted = {k for name in names for k in key_hints.get(name, ())}
    generation_names = {k: cache_keys.generation(k) for k in hinted}
    found = generations.cache().get_many([*entry_names, *generation_names.values()])
    entries = {}
    for name, entry_name in zip(names, entry_names, strict=True):
        entry = found.get(entry_name)
        if entry is not None:
            entries[name] = entry
            remember_keys(name, entry[0])
    current = {k: found.get(generation_name) for k, generation_name in generation_names.items()}
    unhinted = sorted({k for entry in entries.values() for k in entry[0]} - hinted)
    if unhinted:
        current.update(generations.generations(unhinted))
    checked = request.__dict__.setdefault("_fragments", {})
    # One moment for every part of the lookup (``is_current``), taken once it has answered.
    moment = generations.now()
    generation_of = current.__getitem__
    for name in names:
        entry = entries.get(name)
        valid = (entry is not None and tuple(map(generation_of, entry[0])) == entry[1]
                 and is_current(entry[3], moment))
        checked[name] = entry if valid else None


def cached(request, name, build, *, enabled=True):
    """The value of part ``name`` (a dict of HTML strings), built by ``build`` when needed.

    ``build()`` returns ``(value, keys)``: what the part shows and the surrogate keys that
    name it. ``enabled=False`` always builds (a preview must never store a draft).
    """
    if not enabled:
        value, keys = build()
        add_keys(request, *keys)
        return value
    return cached_many(request, [(name, build)])[0]


def missing(request, names):
    """Which of ``names`` have to be built: looks them up (once per request) and returns
    those not in the cache or no longer current; all of them with the cache off."""
    if not settings.NEWSROOM_FRAGMENT_CACHE:
        return set(names)
    checked = request.__dict__.setdefault("_fragments", {})
    unknown = list(dict.fromkeys(name for name in names if name not in checked))
    if unknown:
        prefetch(request, unknown)
    return {name for name in names if checked[name] is None}


def current(request, name):
    """The value of part ``name`` if ``missing`` found it current (and its keys go to the
    request, as for any part a page shows), else None."""
    entry = getattr(request, "_fragments", {}).get(name)
    if entry is None:
        return None
    add_keys(request, *entry[0])
    return _served(entry)


def _served(entry):
    """A stored part's value as it was built: strings of HTML (``cached_many`` stores
    ``str(v)``), marked safe as mark_safe would, without its check for lazy and callable
    values (fifty on a feed)."""
    return {k: SafeString(v) for k, v in entry[2].items()}


def cached_many(request, parts):
    """The values of several parts of one page, ``parts`` being ``[(name, build), …]``.

    Like ``cached``, but for many parts at once (the story cards of a listing page): one
    lookup for all of them, and whatever had to be built is stored in one write.
    """
    if not settings.NEWSROOM_FRAGMENT_CACHE:
        values = []
        for _name, build in parts:
            value, keys = build()
            add_keys(request, *keys)
            values.append(value)
        return values
    missing(request, [name for name, _build in parts])
    checked = request._fragments
    # Parts are built from what the view read earlier (a card from the listing's query):
    # they count from the start of the request, so a change made since is never stored
    # under the new generation.
    started = getattr(request, "newsroom_started", None) or generations.now()
    values, built, shown = [], {}, []
    for name, build in parts:
        entry = checked[name]
        if entry is not None:
            # ``current``'s value and keys, the keys given to the request all at once.
            shown.extend(entry[0])
            values.append(_served(entry))
            continue
        value, keys = build()
        keys = tuple(sorted(set(keys)))
        add_keys(request, *keys)
        built[name] = (value, keys)
        values.append(value)
    add_keys(request, *shown)
    valid_until = change_deadline(request) if built else None
    timeout = keep_seconds(request, settings.NEWSROOM_FRAGMENT_CACHE_SECONDS, valid_until)
    if built and timeout:
        every_key = tuple(sorted({k for _value, keys in built.values() for k in keys}))
        generation = generations.generations_as_of(every_key, started)
        # A part any of whose keys changed while it was built may show the old version:
        # it is not kept (the others are).
        keep = {
            cache_keys.fragment(name): (keys, tuple(generation[k] for k in keys),
                                        {k: str(v) for k, v in value.items()}, valid_until)
            for name, (value, keys) in built.items()
            if generations.unchanged_since((generation[k] for k in keys), started)
        }
        if keep:
            generations.cache().set_many(keep, timeout=timeout)
            for name, (_value, keys) in built.items():
                remember_keys(name, keys)
    return values
