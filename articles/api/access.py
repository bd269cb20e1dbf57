"""Who reads the API, and how often: optional API keys and the rate limits.

Anyone may read without a key, within ``NEWSROOM_API_ANON_RATE`` per client address. A
partner sends its key (``Authorization: Api-Key nr_…`` or ``X-Api-Key: nr_…``) and gets the
key's own rate instead. A key that is wrong or revoked is refused with 401, never quietly
read as anonymous, so a partner finds out at once.

Answers served from the page cache are not counted: the front door serves them before
Django runs, and they cost next to nothing. Every request that reaches the database is.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.throttling import SimpleRateThrottle

from articles.caching import generations, keys
from articles.models import ApiKey

KEYWORD = "Api-Key"


def key_sent(request):
    """The key a request carries, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    keyword, _, value = header.partition(" ")
    if keyword.lower() == KEYWORD.lower() and value.strip():
        return value.strip()
    return request.META.get("HTTP_X_API_KEY", "").strip() or None


class ApiKeyAuthentication(BaseAuthentication):
    """A partner's key: ``request.auth`` is its ApiKey; ``request.user`` stays anonymous
    (a key reads what everyone may read, only more often)."""

    def authenticate(self, request):
        sent = key_sent(request)
        if sent is None:
            return None
        api_key = ApiKey.objects.matching(sent)
        if api_key is None:
            raise exceptions.AuthenticationFailed("This API key is not valid (or was revoked).")
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return KEYWORD  # a 401 says which scheme to use (WWW-Authenticate)


class ClientRateThrottle(SimpleRateThrottle):
    """Per client address without a key, per key with one (at the key's own rate).

    The address is the connection's, or with ``NEWSROOM_API_TRUSTED_PROXIES`` set, the one
    the front put in X-Forwarded-For (REST framework's NUM_PROXIES)."""

    scope = "anonymous"

    @property
    def cache(self):
        # REST framework's own is Django's cache object itself; this one is the same cache,
        # asked for through ``generations.cache()`` like every other use of it, so that the
        # cache's journal is made sure of first (articles/caching/journal.py).
        return generations.cache()

    def allow_request(self, request, view):
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        self.scope = "key" if api_key else "anonymous"
        self.rate = api_key.rate if api_key else settings.NEWSROOM_API_ANON_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            return keys.throttle("key", request.auth.pk)
        return keys.throttle("anonymous", self.get_ident(request))

    def get_rate(self):
        return settings.NEWSROOM_API_ANON_RATE  # replaced per request in allow_request


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the schema describes a key: optional, in the Authorization header."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Optional: `Api-Key nr_…` (or the X-Api-Key header) for a "
                "partner's own rate. Without one, the anonymous rate per address applies."}
