"""Which publication a host is, and its sections, without a query on every request.

Every page needs both (the masthead, the section menu). They change rarely, so they are
kept in the shared cache under a *generation* that any change to a publication or a
section moves on (``articles.caching.invalidation``). Nothing is kept in process memory, so
every server sees a change at once.
"""

import time

from articles.caching import keys
from articles.caching.generations import cache
from articles.models import Publication


def bump():
    cache().set(keys.SITE_GENERATION, time.time(), timeout=None)


def site_for_host(host):
    """(publication, [sections…]) for ``host``; the default publication for unknown hosts."""
    host = (host or "").split(":")[0].lower()
    key = keys.site(host)
    found = cache().get_many([key, keys.SITE_GENERATION])
    generation, entry = found.get(keys.SITE_GENERATION), found.get(key)
    if entry is not None and generation is not None and entry["generation"] == generation:
        return entry["publication"], entry["sections"]
    if generation is None:
        cache().add(keys.SITE_GENERATION, time.time(), timeout=None)
        generation = cache().get(keys.SITE_GENERATION)
    # Read after taking the generation: a change made meanwhile moves the generation on,
    # and this entry is then never served.
    publication = Publication.for_host(host)
    sections = list(publication.sections.all()) if publication else []
    cache().set(key, {"generation": generation, "publication": publication,
                      "sections": sections}, timeout=24 * 3600)
    return publication, sections
