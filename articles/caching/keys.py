"""Every cache key and surrogate key, each built by one named function.

*Surrogate keys* name what a response shows: ``article:12``, ``section:3``, ``tag:7``,
``person:5``, ``publication:1`` (anything listing that publication's stories: home,
archives, feeds, sitemaps, search), ``layout:1`` (its masthead, sections and their menu),
``sitemap:1`` (the last change of each of its stories), ``corrections:1``, and ``people``
and ``tags`` (any person's or tag's name or address). They go out in the ``Surrogate-Key``
and ``Cache-Tag`` headers for a CDN, into every cache entry, and each has a generation
(``articles.caching.generations``).

*Cache-entry keys* say where something is kept in the shared cache: a page, a key's
generation, a part of a page, the site table, the sitemap index's counts.

A key is spelled where a page is stored and again where a change is announced; if the
two spellings drift apart, pages stay stale without any error. So each is spelled once,
here, and ``tests/test_cache_keys.py`` fails on a key built by hand anywhere else.
"""

import hashlib

from django.utils import timezone

# Surrogate keys of what every story may show by name, wherever it is listed.
PEOPLE = "people"  # any person's name or address (bylines, author pages and sitemaps)
TAGS = "tags"  # any tag's name or address (story pages, tag sitemaps)
# Which publication each host is, and its sections (``articles.caching.site``): moves with
# any publication or section. Never sent to a CDN (no response is made of it alone).
SITE = "site"
# Lists drawn from every masthead of the network (In Other News, when a masthead asks):
# moves with any story joining or leaving readers' view anywhere.
NETWORK = "network"


def article(pk):
    """A story: its own page, and every list and part that shows it."""
    return f"article:{pk}"


def section(pk):
    """A section's list of stories (moves with every story published into it)."""
    return f"section:{pk}"


def tag(pk):
    """A tag's list of stories."""
    return f"tag:{pk}"


def person(pk):
    """A person's page, bylines and list of stories."""
    return f"person:{pk}"


def publication(pk):
    """Anything listing a publication's stories: home, archives, feeds, sitemaps, search."""
    return f"publication:{pk}"


def layout(publication_pk):
    """A publication's masthead, sections and their menu: what every page of it shows,
    and what changes only when the publication or one of its sections does."""
    return f"layout:{publication_pk}"


def sitemap(publication_pk):
    """The last change of each of a publication's stories (``lastmod`` in its sitemaps)."""
    return f"sitemap:{publication_pk}"


def corrections(publication_pk):
    """A publication's corrections page."""
    return f"corrections:{publication_pk}"


def image(pk):
    """A library picture shown in stories' text (``articles.body_images``): the stories
    show its current renditions, whose names move with its focal point."""
    return f"image:{pk}"


def article_and_lists(instance):
    """The keys of everything a story (an ``Article``) appears with on its home masthead:
    itself, its publication's lists and its section's (``invalidation.masthead_keys`` adds
    the mastheads it runs on)."""
    found = {article(instance.pk), publication(instance.publication_id)}
    if instance.section_id:
        found.add(section(instance.section_id))
    return found


def publications_in(surrogate_keys):
    """The publication ids named by ``publication(pk)`` keys among ``surrogate_keys``."""
    prefix = publication("")
    return {k.removeprefix(prefix) for k in surrogate_keys if k.startswith(prefix)}


# Cache entries. A format's version is part of its prefix, so a deploy never reads an
# entry written in an older format.
PAGE_PREFIX = "newsroom:page:v4:"
GENERATION_PREFIX = "newsroom:gen:"
HARD_GENERATION_PREFIX = "newsroom:gen-hard:"
NEXT_CHANGE_PREFIX = "newsroom:next-change:v2:"
FRAGMENT_PREFIX = "newsroom:fragment:v2:"
SITE_PREFIX = "newsroom:site:v2:"
REBUILDING_PREFIX = "newsroom:rebuilding:"
WAITING_PREFIX = "newsroom:waiting:"
# Present while the cache's journal (``articles.caching.journal``) is known to have been
# applied: for a second or so after someone checked it.
JOURNAL_CHECKED = "newsroom:journal-checked"


# The one other representation an address may have, chosen by the Accept header: a story of
# the content API as IPTC ninjs (``articles.api.ninjs``), beside its JSON.
NEGOTIATED_MEDIA_TYPES = ("application/ninjs+json",)


def page(request):
    """A whole cached page: the same address on the same host and scheme, and, when the
    request asks for another representation by its Accept header, the same Accept."""
    raw = f"{request.scheme}|{request.get_host()}|{request.get_full_path()}"
    accept = request.META.get("HTTP_ACCEPT", "")
    if any(media_type in accept.lower() for media_type in NEGOTIATED_MEDIA_TYPES):
        raw += f"|{accept}"
    return PAGE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def generation(surrogate_key):
    """Where a surrogate key's generation (the time it last changed) is kept."""
    return GENERATION_PREFIX + surrogate_key


def hard_generation(surrogate_key):
    """Where the time a surrogate key last had something taken out of readers' view (an
    unpublish, a deletion) is kept."""
    return HARD_GENERATION_PREFIX + surrogate_key


def rebuilding(page_key):
    """Taken by the one request that rebuilds a page gone stale (``page(request)``)."""
    return REBUILDING_PREFIX + page_key.removeprefix(PAGE_PREFIX)


def waiting(page_key):
    """Left by a reader given a page's stale copy while it was being rebuilt: readers are
    waiting for it, so the page is not rebuilt again for a moment."""
    return WAITING_PREFIX + page_key.removeprefix(PAGE_PREFIX)


def next_change(publication_pk):
    """When a publication's next scheduled story or embargo goes live (kept with the
    generation of ``publication(pk)`` it was read under)."""
    return f"{NEXT_CHANGE_PREFIX}{publication_pk}"


def fragment(name):
    """Where a part of a page is kept; ``name`` is one of the part names below."""
    return FRAGMENT_PREFIX + name


def site(host):
    """Which publication a host is, and its sections."""
    return SITE_PREFIX + host


# Names of parts of pages (``articles.caching.fragments``), kept under ``fragment(name)``.


def chrome(publication, section=None):
    """The masthead and footer: per publication, per current section, per year (the
    footer's copyright line)."""
    section_id = getattr(section, "pk", None) or 0
    return f"chrome:{publication.pk}:{section_id}:{timezone.localtime().year}"


def origin(request):
    """The scheme and host that parts with absolute addresses are named for. Read once per
    request: a feed names fifty items with it, and each ``get_host()`` checks the host
    against ``ALLOWED_HOSTS`` again."""
    known = request.__dict__.get("_newsroom_origin")
    if known is None:
        known = request.__dict__["_newsroom_origin"] = f"{request.scheme}:{request.get_host()}"
    return known


def story(request, article_pk):
    """A story's own parts: its <head> metadata and its <article> element. They hold
    absolute addresses, so the scheme and host are part of the name."""
    return f"story:{article_pk}:{origin(request)}"


def other_news(request, article_pk):
    """A story's "In Other News" list (absolute addresses too)."""
    return f"other-news:{article_pk}:{origin(request)}"


def feed_item(request, article_pk):
    """A story's text and description as feeds carry them (absolute addresses: the
    scheme and host are part of the name)."""
    return f"feed-item:{article_pk}:{origin(request)}"


def feed_entry(request, feed_format, article_pk, last_change):
    """A story's whole item in this host's feeds, written as ``feed_format`` ("rss" or
    "atom") writes it. The host says which masthead (its headline, section and address for
    the story); every feed of the host (its own, a section's, a tag's, an author's) lists
    the same item. ``last_change`` (the item's updated date, read with the feed's list) is
    in the name too: an edit or a correction is a new item even before the story's key
    moves."""
    return (f"feed-entry:{feed_format}:{article_pk}:{last_change.isoformat()}:"
            f"{origin(request)}")


def story_address(publication_pk, slug):
    """Which story a slug is in a publication, its canonical path and its section."""
    return f"story-address:{publication_pk}:{slug}"


def card(article_pk, masthead_pk, shown):
    """A story's card on a masthead's listing pages (each masthead shows a story with its
    own section, address and headline), as ``shown`` (``articles.caching.cards.options``)."""
    return (f"card:{article_pk}:{masthead_pk}:{'1' if shown['lead'] else '0'}"
            f"{'1' if shown['eager'] else '0'}{'1' if shown['hide_section'] else '0'}"
            f"{shown['level']}")


def latest_item(article_pk, masthead_pk):
    """A story's line in a masthead's list of the latest stories on its front page (its
    time, headline, address and section there)."""
    return f"latest:{article_pk}:{masthead_pk}"


def api_story(request, article_pk):
    """A story as the content API lists it on this host (absolute addresses, so the scheme
    and host are part of the name; the host says which masthead)."""
    return f"api-story:{article_pk}:{origin(request)}"


def api_story_detail(request, article_pk, media_format):
    """A story's own record in the content API, in ``media_format`` ("json" or "ninjs")."""
    return f"api-story-detail:{article_pk}:{media_format}:{origin(request)}"


def filter_fields(publication_pk):
    """The story filter form's fields (search, all stories) while no filter is set."""
    return f"filter-fields:{publication_pk}"


# Other entries of the default cache.


def sitemap_index_stats(publication_pk, stamps):
    """How many authors and tags of a publication have public stories, and their latest
    change. ``stamps``: the times of its latest save and its newest live story, and the
    generation of its ``sitemap`` key (which the stories it runs from sister mastheads move
    too), so the entry is left behind by every save and every story going live."""
    latest_save, newest_live, runs_changed = stamps
    return f"sitemap-index:v5:{publication_pk}:{latest_save}:{newest_live}:{runs_changed}"


def sitemap_index_months(publication_pk, stamps, months_for, limit):
    """The sitemap index's month lines, as ``sitemap_index_stats``, written for one
    address of the site (``months_for``: the site and script prefix that start each line)
    and one sitemap size (``limit``: how many pages each month has)."""
    latest_save, newest_live, runs_changed = stamps
    site_address = hashlib.sha256(f"{months_for}|{limit}".encode()).hexdigest()[:32]
    return (f"sitemap-index-months:v3:{publication_pk}:{latest_save}:{newest_live}:"
            f"{runs_changed}:{site_address}")


def image_size(image_pk, file_name):
    """An upload's size in bytes: its file never changes under its name."""
    return f"image-size:{image_pk}:{file_name}"


def throttle(scope, ident):
    """A client's recent requests to the content API (``articles.api.access``): per client
    address, or per API key."""
    return f"newsroom:throttle:{scope}:{ident}"


def skeleton(request, page, shape):
    """A page's skeleton (``articles.caching.skeletons``): its template's output with slots
    in place of its stories' parts, per host (absolute addresses), per year (the footer's
    copyright line) and per *shape* (how many stories each list has, which sections, which
    page), never per story."""
    digest = hashlib.md5(repr(shape).encode(), usedforsecurity=False).hexdigest()
    return f"skeleton:{page}:{origin(request)}:{timezone.localtime().year}:{digest}"
