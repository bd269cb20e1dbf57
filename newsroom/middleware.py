"""Django's own middleware, doing the same for every request at less cost to those that do
not need it.

Every request that reaches Django goes through the whole stack, so a microsecond spent in
a middleware is spent on every page built, every API answer and every redirect. These
subclasses keep what Django's classes do to every response, and skip only the work whose
result nothing would use. Django's system checks accept a subclass where they look for
its class (the admin's ``admin.E409`` for messages); the security checks that look for
Django's security and clickjacking middleware by name are run for the subclasses below
(``check_security_middleware_as_djangos``).

The headers these classes give every response are worked out once per process
(``prepared_headers``) and written where the response has none of its own
(``set_default_headers``), the same names, values and order as Django's
``response.headers.setdefault`` writes them, without checking and encoding each of them
again on every response. ``tests/test_middleware.py`` compares each class's responses
with Django's own, header by header, over a matrix of responses and settings.
"""

import hashlib
from functools import partial

from django.conf import settings
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.auth.middleware import auser, get_user
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core import checks
from django.http.response import ResponseHeaders
from django.middleware.clickjacking import (
    XFrameOptionsMiddleware as DjangoXFrameOptionsMiddleware,
)
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGetMiddleware
from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware

from newsroom.lazy import LazyValue, never_used

try:
    from _md5 import md5 as small_md5  # CPython's own MD5, without OpenSSL's set-up
except ImportError:  # a Python built without it
    small_md5 = None

# The request headers that make a request conditional (RFC 9110, section 13.1).
CONDITIONAL_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                       "HTTP_IF_UNMODIFIED_SINCE")

# Up to this many bytes, CPython's own MD5 hashes faster than OpenSSL's, whose set-up
# (about 2.5 µs) costs more than hashing a short body; beyond it OpenSSL's is the faster.
# Both give the same digest.
SMALL_BODY_BYTES = 4096


def prepared_headers(pairs):
    """Headers (name, value) as a response keeps them, checked and converted once, for
    ``set_default_headers``: a header Django would refuse is refused here, at start-up."""
    headers = ResponseHeaders({})
    for name, value in pairs:
        headers[name] = value
    return tuple(headers._store.items())


def set_default_headers(response, prepared):
    """``response.headers.setdefault(name, value)`` for each of ``prepared``
    (``prepared_headers``): the same dictionary entries Django's ``ResponseHeaders`` makes,
    keyed by the lower-case name, written straight into it."""
    store = response.headers._store
    for lowered, header in prepared:
        if lowered not in store:
            store[lowered] = header


def response_etag(content):
    """Django's ETag for a body (``django.utils.cache.set_response_etag``): its MD5 in
    hexadecimal, quoted (``quote_etag`` adds the quotes to a digest, which has none)."""
    if small_md5 is not None and len(content) <= SMALL_BODY_BYTES:
        digest = small_md5(content).hexdigest()
    else:
        digest = hashlib.md5(content, usedforsecurity=False).hexdigest()
    return f'"{digest}"'


class CalledDirectly:
    """Django's ``MiddlewareMixin.__call__`` for a class with both ``process_request`` and
    ``process_response``, without asking on every request whether it has them."""

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        response = self.process_request(request) or self.get_response(request)
        return self.process_response(request, response)


class ConditionalGetMiddleware(DjangoConditionalGetMiddleware):
    """Django's: an ETag on every GET response, and 304 or 412 for a conditional request.

    A request that is not conditional gets its ETag without the comparison that would find
    nothing to compare (Django's ``get_conditional_response`` then returns the response as
    it is)."""

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        return self.process_response(request, self.get_response(request))

    def process_response(self, request, response):
        if request.method != "GET":
            return response
        if not request.META.keys().isdisjoint(CONDITIONAL_HEADERS):
            return super().process_response(request, response)
        store = response.headers._store
        if ("etag" not in store and not response.streaming
                and ("cache-control" not in store or self.needs_etag(response))):
            content = response.content
            if content:
                store["etag"] = ("ETag", response_etag(content))
        return response


class SecurityMiddleware(CalledDirectly, DjangoSecurityMiddleware):
    """Django's: the redirect to HTTPS, and its headers on every response (HSTS on a secure
    request), the same headers in the same order, worked out once."""

    def __init__(self, get_response):
        super().__init__(get_response)
        sts = None
        if self.sts_seconds:
            sts = f"max-age={self.sts_seconds}"
            if self.sts_include_subdomains:
                sts += "; includeSubDomains"
            if self.sts_preload:
                sts += "; preload"
        self.sts_headers = prepared_headers([("Strict-Transport-Security", sts)] if sts else [])
        constant = []
        if self.content_type_nosniff:
            constant.append(("X-Content-Type-Options", "nosniff"))
        if self.referrer_policy:
            # A comma-separated string or a list of values, as Django accepts.
            constant.append(("Referrer-Policy", ",".join(
                [v.strip() for v in self.referrer_policy.split(",")]
                if isinstance(self.referrer_policy, str) else self.referrer_policy)))
        if self.cross_origin_opener_policy:
            constant.append(("Cross-Origin-Opener-Policy", self.cross_origin_opener_policy))
        self.constant_headers = prepared_headers(constant)

    def process_request(self, request):
        if self.redirect:
            return super().process_request(request)
        return None

    def process_response(self, request, response):
        if self.sts_headers and request.is_secure():
            set_default_headers(response, self.sts_headers)
        set_default_headers(response, self.constant_headers)
        return response


class XFrameOptionsMiddleware(DjangoXFrameOptionsMiddleware):
    """Django's: X-Frame-Options on every response that has none and is not exempt, its
    value (``get_xframe_options_value``) worked out once."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.header = prepared_headers(
            [("X-Frame-Options", self.get_xframe_options_value(None, None))])

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        return self.process_response(request, self.get_response(request))

    def process_response(self, request, response):
        if not getattr(response, "xframe_options_exempt", False):
            set_default_headers(response, self.header)
        return response


class SessionMiddleware(CalledDirectly, DjangoSessionMiddleware):
    """Django's, with the session of a request that has no session cookie made when
    something uses it.

    Readers have no session. Django's makes one for each of their requests, and, when
    nothing used it, leaves the response as it is: nothing to save, no cookie to set or
    delete, nothing accessed to vary on. A request with a session cookie (even an empty
    one, whose cookie Django deletes) gets its session as Django makes it."""

    def process_request(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return super().process_request(request)
        request.session = LazyValue(self.SessionStore)
        return None

    def process_response(self, request, response):
        if never_used(getattr(request, "session", None)):
            return response
        return super().process_response(request, response)


class CommonMiddleware(CalledDirectly, DjangoCommonMiddleware):
    """Django's: forbidden user agents, PREPEND_WWW and APPEND_SLASH redirects, the host
    checked (``request.get_host()``) on every request, and a Content-Length on every
    response that is not streamed, written straight into the response's headers."""

    def process_response(self, request, response):
        if response.status_code == 404:
            return super().process_response(request, response)  # perhaps a redirect
        store = response.headers._store
        if not response.streaming and "content-length" not in store:
            store["content-length"] = ("Content-Length", str(len(response.content)))
        return response


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's: ``request.user``, found when first used (``LazyValue``)."""

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        self.process_request(request)
        return self.get_response(request)

    def process_request(self, request):
        if not hasattr(request, "session"):
            return super().process_request(request)  # refuses: sessions come first
        request.user = LazyValue(lambda: get_user(request))
        request.auser = partial(auser, request)
        return None


class MessageMiddleware(CalledDirectly, DjangoMessageMiddleware):
    """Django's, with the storage made when something uses it.

    Django's makes a storage for every request (a cookie storage with its signer, and a
    session storage), though most requests neither add nor show a message: readers' pages
    never do. A storage never used has nothing to store, so the response is left alone."""

    def process_request(self, request):
        request._messages = LazyValue(lambda: default_storage(request))
        return None

    def process_response(self, request, response):
        if never_used(getattr(request, "_messages", None)):
            return response
        return super().process_response(request, response)


# Django's deploy checks find its security, clickjacking and session middleware by their
# names in MIDDLEWARE: with the subclasses above they would find them missing (security.W001
# and W002, and W010 or W013 instead of W012 or W015) and skip every check of their
# settings. The settings silence those (SILENCED_SYSTEM_CHECKS); the checks run here again
# with each subclass under its Django name, so every one of them still runs, and what they
# find under a silenced id comes back under Newsroom's.
DJANGO_NAMES = {
    f"{__name__}.SecurityMiddleware": "django.middleware.security.SecurityMiddleware",
    f"{__name__}.XFrameOptionsMiddleware":
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    f"{__name__}.SessionMiddleware": "django.contrib.sessions.middleware.SessionMiddleware",
}
SILENCED_AS_MISSING = ("security.W001", "security.W002", "security.W010", "security.W011",
                       "security.W012", "security.W013", "security.W014", "security.W015")


@checks.register(checks.Tags.security, deploy=True)
def check_security_middleware_as_djangos(app_configs, **kwargs):
    from django.core.checks.security import base, sessions
    from django.test.utils import override_settings

    djangos = [base.check_security_middleware, base.check_xframe_options_middleware,
               base.check_sts, base.check_sts_include_subdomains, base.check_sts_preload,
               base.check_content_type_nosniff, base.check_ssl_redirect,
               base.check_xframe_deny, base.check_referrer_policy,
               base.check_cross_origin_opener_policy, sessions.check_session_cookie_secure,
               sessions.check_session_cookie_httponly]
    middleware = [DJANGO_NAMES.get(name, name) for name in settings.MIDDLEWARE]
    if middleware == settings.MIDDLEWARE:
        return []  # Django's own classes: Django's checks see them
    with override_settings(MIDDLEWARE=middleware):
        found = [message for check in djangos for message in check(app_configs)]
    # Django's messages are its module's constants: new ones, never those changed.
    return [type(message)(message.msg, hint=message.hint, obj=message.obj,
                          id=message.id.replace("security.", "newsroom."))
            if message.id in SILENCED_AS_MISSING else message
            for message in found]
