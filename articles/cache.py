"""Full-page caching for anonymous readers, invalidated exactly and at once.

Each public response names what it shows with *surrogate keys*: ``article:12``,
``section:3``, ``tag:7``, ``person:5``, ``publication:1`` (anything listing that
publication's stories: home, archives, feeds, sitemaps, search). The keys go out in the
``Surrogate-Key`` and ``Cache-Tag`` headers for a CDN, and into the cache entry.

Every key has a *generation* in the shared cache: the time it last changed. A cached page
remembers the generations of its keys; when any of them has moved on, the page is stale and
is rendered again. Changing a story moves the generations of the story, its section, tags,
authors and publication (see ``articles.invalidation``), after the transaction commits,
so the next request anywhere sees the change. Nothing lives in process memory: several
gunicorn servers sharing one Redis behave as one site.

A story scheduled for later goes live without any save, so a page is never kept past the
next scheduled publish or embargo time of its publication.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PAGE_PREFIX = "newsroom:page:"
GEN_PREFIX = "newsroom:gen:"
NEXT_CHANGE_PREFIX = "newsroom:next-change:"


def cache():
    return caches[settings.NEWSROOM_PAGE_CACHE_ALIAS]


def add_keys(request, *keys):
    """Name what this response shows (views call it; the middleware sends the keys)."""
    if not hasattr(request, "surrogate_keys"):
        request.surrogate_keys = set()
    request.surrogate_keys.update(k for k in keys if k)


def article_keys(article):
    """The keys of everything a story appears with."""
    keys = {f"article:{article.pk}", f"publication:{article.publication_id}"}
    if article.section_id:
        keys.add(f"section:{article.section_id}")
    return keys


def _gen_key(key):
    return GEN_PREFIX + key


def bump(keys):
    """Mark ``keys`` changed now: every page showing any of them is stale."""
    keys = sorted(set(keys))
    if not keys:
        return
    now = time.time()
    cache().set_many({_gen_key(k): now for k in keys}, timeout=None)
    hook = settings.NEWSROOM_PURGE_HOOK
    if hook:
        try:
            import_string(hook)(keys)
        except Exception:  # a CDN outage must not break publishing
            logger.exception("Purge hook %s failed for %s", hook, keys)


def _generations(keys):
    found = cache().get_many([_gen_key(k) for k in keys])
    return {k: found.get(_gen_key(k)) for k in keys}


def _page_key(request):
    raw = f"{request.get_host()}|{request.get_full_path()}"
    return PAGE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def next_change_key(publication_id):
    return f"{NEXT_CHANGE_PREFIX}{publication_id}"


def seconds_until_next_change(publication_id):
    """Seconds until a scheduled story or embargo of this publication goes live, if any."""
    from .models import Article

    key = next_change_key(publication_id)
    when = cache().get(key)
    if when is None:
        when = Article.objects.next_public_change(publication_id=publication_id)
        when = when.timestamp() if when else 0
        cache().set(key, when, timeout=3600)
    if not when:
        return None
    return max(0, when - time.time())


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


class PageCacheMiddleware:
    """Serves and stores whole pages for readers without a session (near the top of the
    middleware stack, so a hit skips everything below it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (settings.NEWSROOM_PAGE_CACHE and is_cacheable_request(request)):
            return self.get_response(request)
        key = _page_key(request)
        entry = cache().get(key)
        if entry and _generations(entry["keys"]) == entry["generations"]:
            response = entry["response"]
            response["X-Newsroom-Cache"] = "hit"
            request.surrogate_keys = set(entry["keys"])  # for the CDN headers
            return response
        started = time.time()
        response = self.get_response(request)
        stored = self.store(request, response, key, started)
        response["X-Newsroom-Cache"] = "miss" if stored else "pass"
        return response

    def store(self, request, response, key, started):
        keys = sorted(getattr(request, "surrogate_keys", ()))
        if (
            response.status_code != 200
            or response.streaming
            or not keys
            or response.cookies
            or "private" in response.get("Cache-Control", "")
            or "no-store" in response.get("Cache-Control", "")
        ):
            return False
        generations = _generations(keys)
        missing = {k: started for k, v in generations.items() if v is None}
        if missing:
            for k, v in missing.items():
                cache().add(_gen_key(k), v, timeout=None)
            generations = _generations(keys)
        # Something this page shows changed while it was being rendered: the page may hold
        # the old version, so it is not kept.
        if any(v is None or v > started for v in generations.values()):
            return False
        timeout = settings.NEWSROOM_PAGE_CACHE_SECONDS
        publication = getattr(request, "publication", None)
        if publication:
            soon = seconds_until_next_change(publication.pk)
            if soon is not None:
                timeout = min(timeout, int(soon) + 1)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        cache().set(key, {"response": response, "keys": keys, "generations": generations},
                    timeout=timeout)
        return True


class HttpCacheHeadersMiddleware:
    """Cache-Control for browsers and a CDN, with surrogate keys naming the content."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        keys = sorted(getattr(request, "surrogate_keys", ()))
        if not keys or response.status_code != 200 or not is_cacheable_request(request):
            return response
        if "Cache-Control" in response:
            return response  # the view decided (previews are private, for example)
        response["Surrogate-Key"] = " ".join(keys)
        response["Cache-Tag"] = ",".join(keys)
        patch_cache_control(
            response, public=True, max_age=settings.NEWSROOM_BROWSER_CACHE_SECONDS,
            s_maxage=settings.NEWSROOM_CDN_CACHE_SECONDS,
            stale_while_revalidate=settings.NEWSROOM_STALE_WHILE_REVALIDATE_SECONDS,
        )
        patch_vary_headers(response, ["Cookie"])
        if "Last-Modified" not in response and hasattr(request, "last_modified"):
            response["Last-Modified"] = http_date(request.last_modified.timestamp())
        return response
