"""Fetching a picture over HTTP for an import, only when asked, and only from the public
internet.

An export file names the addresses to fetch, so it could point the server at itself or
its private network (cloud metadata services, admin consoles). Every host name is
resolved first and each address checked; the connection then goes to the checked address
itself, so a second DNS answer cannot swap in a private one. Downloads stop at a size cap
and at a deadline: a server that answers one byte at a time, each within the per-read
timeout, would otherwise hold an import for ever.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from articles.importers.report import ImportProblem

MAX_REDIRECTS = 3
# Seconds one connect or read may wait; the whole download, redirects included, has
# settings.NEWSROOM_FETCH_SECONDS.
TIMEOUT = 15


def is_public_address(address):
    """True for a globally routable unicast address; False for loopback, private,
    link-local, multicast, reserved and unspecified ones (IPv4 or IPv6)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )


def resolve_public(host, port):
    """The first address of ``host``, refusing the host if any address is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ImportProblem(f"cannot resolve {host}") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise ImportProblem(f"cannot resolve {host}")
    for address in addresses:
        if not is_public_address(address.split("%")[0]):
            raise ImportProblem(
                f"refused to fetch from {host}: it resolves to {address}, which is not a "
                "public internet address"
            )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is still checked against the host name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


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
        cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        conn = cls(parts.hostname, address, port=port,
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
