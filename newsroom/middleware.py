"""Django's own middleware, doing the same for every request at less cost to those that do
not need it.

Every request that reaches Django goes through the whole stack, so a microsecond spent in
a middleware is spent on every page built, every API answer and every redirect. These
subclasses keep what Django's classes do to every response, and skip only the work whose
result nothing would use. Django's system checks accept a subclass where they look for
its class (the admin's ``admin.E409`` for messages).
"""

from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.middleware.http import ConditionalGetMiddleware as DjangoConditionalGetMiddleware
from django.utils.cache import set_response_etag
from django.utils.functional import SimpleLazyObject, empty

# The request headers that make a request conditional (RFC 9110, section 13.1).
CONDITIONAL_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                       "HTTP_IF_UNMODIFIED_SINCE")


class ConditionalGetMiddleware(DjangoConditionalGetMiddleware):
    """Django's: an ETag on every GET response, and 304 or 412 for a conditional request.

    A request that is not conditional gets its ETag without the comparison that would find
    nothing to compare (Django's ``get_conditional_response`` then returns the response as
    it is)."""

    def process_response(self, request, response):
        meta = request.META
        if any(header in meta for header in CONDITIONAL_HEADERS):
            return super().process_response(request, response)
        if (request.method == "GET" and self.needs_etag(response)
                and not response.has_header("ETag")):
            set_response_etag(response)
        return response


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's, with the storage made when something uses it.

    Django's makes a storage for every request (a cookie storage with its signer, and a
    session storage), though most requests neither add nor show a message: readers' pages
    never do. A storage never used has nothing to store, so the response is left alone."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
