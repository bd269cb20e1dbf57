"""Cache-Control and surrogate keys on public responses, for browsers and a CDN.

The page cache (``articles.caching.pages``) keeps pages on the server; this tells what is
outside it how long to keep a copy, and names what the copy shows (the ``Surrogate-Key``
and ``Cache-Tag`` headers), so a purge by key (``NEWSROOM_PURGE_HOOK``) reaches it too.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from articles.caching.pages import is_cacheable_request


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
            response,
            public=True,
            max_age=settings.NEWSROOM_BROWSER_CACHE_SECONDS,
            s_maxage=settings.NEWSROOM_CDN_CACHE_SECONDS,
            stale_while_revalidate=settings.NEWSROOM_STALE_WHILE_REVALIDATE_SECONDS,
        )
        patch_vary_headers(response, ["Cookie"])
        if "Last-Modified" not in response and hasattr(request, "last_modified"):
            response["Last-Modified"] = http_date(request.last_modified.timestamp())
        return response
