"""Which publication a host is, and its sections, without a query on every request.

Every page needs both (the masthead, the section menu). They change rarely, so they are
kept in the shared cache under the generation of ``keys.SITE``, which any change to a
publication or a section moves on (``articles.caching.invalidation``). Nothing is kept in
process memory, so every server sees a change at once.
"""

from articles.caching import keys
from articles.caching.generations import cache, generations_as_of, now, read_many
from articles.models import Publication


def site_for_host(host):
    """(publication, [sections…]) for ``host``; the default publication for unknown hosts."""
    host = (host or "").split(":")[0].lower()
    key, generation_key = keys.site(host), keys.generation(keys.SITE)
    # Usually a request's first use of the cache: the journal's check comes with it.
    found = read_many([key, generation_key])
    generation, entry = found.get(generation_key), found.get(key)
    if entry is not None and generation is not None and entry["generation"] == generation:
        return entry["publication"], entry["sections"]
    if generation is None:
        generation = generations_as_of((keys.SITE,), now())[keys.SITE]
    # Read after taking the generation: a change made meanwhile moves the generation on,
    # and this entry is then never served.
    publication = Publication.for_host(host)
    sections = list(publication.sections.all()) if publication else []
    if generation is not None:  # None: the cache is out of reach
        cache().set(key, {"generation": generation, "publication": publication,
                          "sections": sections}, timeout=24 * 3600)
    return publication, sections
