"""The largest request Newsroom reads, refused before its body is.

An upload larger than any image Newsroom accepts is refused as soon as its
``Content-Length`` says so: reading 500 MB only to reject them would hold a worker (and
the disk) for as long as the client cares to send. The same limit is set in the nginx
front (``client_max_body_size`` in newsroom/deploy/nginx.conf), which refuses such a
request before gunicorn sees it; this middleware is for servers without it.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat


class RequestTooLarge(HttpResponse):
    status_code = 413

    def __init__(self, limit):
        super().__init__(
            f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too large"
            f"</title></head><body><h1>That is too large to send</h1><p>Newsroom accepts "
            f"uploads of at most {filesizeformat(limit)}. Nothing was saved: go back, choose "
            f"a smaller file and send the form again.</p></body></html>")
        # The body was not read: the connection cannot carry another request.
        self["Connection"] = "close"


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats a malformed length as no body
        if length > settings.NEWSROOM_REQUEST_MAX_BYTES:
            return RequestTooLarge(settings.NEWSROOM_REQUEST_MAX_BYTES)
        return self.get_response(request)
