"""One POST to a partner's endpoint, to a checked public address, within a deadline.

The address is checked like an import's fetch (``newsroom.outbound``): resolved, refused
if any address is loopback, private, link-local, multicast or reserved, and connected to
as checked. Redirects are not followed (a 3xx is a failed try): the signature was made
for this endpoint, and a redirect could point anywhere. Each socket operation waits at most
``TIMEOUT`` seconds and the whole exchange at most ``DEADLINE``: a receiver that answers
one byte at a time cannot hold the worker.
"""

import contextlib
import http.client
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from articles.webhooks.signing import HEADER, signature_header
from newsroom.outbound import RefusedAddress, pinned_connection, resolve_public

TIMEOUT = 5  # seconds, for connecting and for each read
DEADLINE = 10  # seconds, for the whole exchange
EXCERPT_BYTES = 300


@dataclass
class Outcome:
    ok: bool
    response_code: int | None = None
    error: str = ""
    response_excerpt: str = ""


def post(delivery, *, timestamp=None):
    """Send ``delivery``'s body to its endpoint, signed now; never raises for the network."""
    endpoint = delivery.endpoint
    parts = urlsplit(endpoint.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Outcome(False, error="only http and https addresses are called")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        address = resolve_public(parts.hostname, port,
                                 allowed=settings.NEWSROOM_WEBHOOK_ALLOWED_ADDRESSES)
    except RefusedAddress as exc:
        return Outcome(False, error=f"refused: {exc}"[:300])
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Newsroom webhooks",
        "X-Newsroom-Event": delivery.event,
        "X-Newsroom-Delivery": str(delivery.event_id),
        HEADER: signature_header(endpoint.secret, body, timestamp=timestamp),
    }
    conn = pinned_connection(parts.scheme, parts.hostname, address, port=port,
                             timeout=TIMEOUT)
    expired = threading.Event()
    watchdog = threading.Timer(DEADLINE, _cut, args=(conn, expired))
    watchdog.start()
    try:
        path = parts.path or "/"
        conn.request("POST", f"{path}?{parts.query}" if parts.query else path, body=body,
                     headers=headers)
        response = conn.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        return Outcome(200 <= response.status < 300, response.status,
                       response_excerpt=excerpt)
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            return Outcome(False, error=f"no answer within {DEADLINE} seconds")
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        watchdog.cancel()
        conn.close()


def _cut(conn, expired):
    """The deadline passed: shut the socket so the blocked read returns at once. The
    event is set first: the read may fail before this thread has finished."""
    expired.set()
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
