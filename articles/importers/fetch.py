"""Fetching a picture over HTTP for an import, only when asked, and only from the public
internet.

An export file names the addresses to fetch, so it could point the server at itself or
its private network (cloud metadata services, admin consoles). Every host name is
resolved first and each address checked; the connection then goes to the checked address
itself, so a second DNS answer cannot swap in a private one (``newsroom.outbound``, shared
with webhooks). Downloads stop at a size cap
and at a deadline: a server that answers one byte at a time, each within the per-read
timeout, would otherwise hold an import for ever.
"""

import contextlib
import http.client
import socket
import threading
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from articles.importers.report import ImportProblem
from newsroom.outbound import RefusedAddress, is_public_address, pinned_connection
from newsroom.outbound import resolve_public as _resolve_public

__all__ = ["fetch_url", "is_public_address", "read_capped", "resolve_public"]

MAX_REDIRECTS = 3
# Seconds one connect or read may wait; the whole download, redirects included, has
# settings.NEWSROOM_FETCH_SECONDS.
TIMEOUT = 15


def resolve_public(host, port):
    """The first address of ``host``, refusing the host if any address is not public
    (the check is ``newsroom.outbound``'s, shared with webhooks)."""
    try:
        return _resolve_public(host, port)
    except RefusedAddress as exc:
        if exc.address is None:
            raise ImportProblem(str(exc)) from exc
        raise ImportProblem(
            f"refused to fetch from {host}: it resolves to {exc.address}, which is not a "
            "public internet address"
        ) from exc


def read_capped(stream, max_bytes):
    """Read ``stream`` to the end, refusing anything longer than ``max_bytes``."""
    chunks, total = [], 0
    # read1: whatever has arrived, so the deadline is looked at between small reads.
    read = getattr(stream, "read1", stream.read)
    while True:
        chunk = read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise ImportProblem(f"the file is larger than the {max_bytes:,}-byte limit")
        chunks.append(chunk)


class Deadline:
    """Cuts a connection when the download's time is up, whatever it is waiting for (the
    connection, the headers, the body): the socket is shut down, so the blocked read ends
    at once, and ``expired`` tells the error apart from a server's own."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False

    def remaining(self):
        left = self.ends - time.monotonic()
        if left <= 0:
            self.expired = True
            raise self.problem()
        return left

    def problem(self):
        return ImportProblem(f"the download took longer than its {self.seconds:g}-second limit")

    def watch(self, conn):
        def cut():
            self.expired = True
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.remaining(), cut)
        timer.daemon = True
        timer.start()
        return timer


def fetch_url(url, *, max_bytes):
    """GET ``url`` from a public address and return its bytes (at most ``max_bytes``,
    within ``settings.NEWSROOM_FETCH_SECONDS`` in all)."""
    deadline = Deadline(settings.NEWSROOM_FETCH_SECONDS)
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImportProblem(f"only http and https addresses are fetched, not {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve_public(parts.hostname, port)
        conn = pinned_connection(parts.scheme, parts.hostname, address, port=port,
                                 timeout=min(TIMEOUT, deadline.remaining()))
        timer = None
        try:
            conn.connect()
            timer = deadline.watch(conn)
            path = parts.path or "/"
            conn.request("GET", f"{path}?{parts.query}" if parts.query else path,
                         headers={"User-Agent": "Newsroom importer"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise ImportProblem(f"{url} answered HTTP {response.status}")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ImportProblem(f"the file is larger than the {max_bytes:,}-byte limit")
            data = read_capped(response, max_bytes)
            if deadline.expired:  # cut off: what arrived is not the whole file
                raise deadline.problem()
            return data
        except (OSError, http.client.HTTPException) as exc:
            if deadline.expired:
                raise deadline.problem() from exc
            raise ImportProblem(f"could not fetch {url}: {exc}") from exc
        finally:
            if timer is not None:
                timer.cancel()
            conn.close()
    raise ImportProblem(f"too many redirects fetching {url}")
