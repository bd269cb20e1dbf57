"""The address a request came from, for per-address limits (login throttling).

Without a proxy it is the connection's address. Behind ``NEWSROOM_PROXY_COUNT`` proxies
of our own, each appends the address it saw to X-Forwarded-For, so the client's is the
entry that many places from the right; anything further left was written by the client
and may be anything.
"""

from django.conf import settings


def client_ip(request):
    count = settings.NEWSROOM_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    # The last proxy is the connection itself; the ones before it are in the header.
    return forwarded[-count] if len(forwarded) >= count else remote
