"""Connections the server makes on its own to addresses someone typed: only to the public
internet.

An import file names pictures to fetch and an admin names webhook endpoints; either could
point the server at itself or its private network (cloud metadata services, admin
consoles, the database). Every host name is resolved first and each of its addresses
checked; the connection then goes to the checked address itself, so a second DNS answer
cannot swap in a private one. Used by ``articles.importers.fetch`` and
``articles.webhooks.sending``.
"""

import http.client
import ipaddress
import socket
import ssl


class RefusedAddress(Exception):
    """The host cannot be resolved (``address`` is None), or resolves to ``address``,
    which is not public."""

    def __init__(self, host, address=None):
        self.host, self.address = host, address
        super().__init__(
            f"cannot resolve {host}" if address is None
            else f"{host} resolves to {address}, which is not a public internet address"
        )


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


def resolve_public(host, port, *, allowed=()):
    """The first address of ``host``, refusing the host if any address is not public.

    ``allowed`` names addresses accepted anyway (tests allow 127.0.0.1 for a receiver
    they start themselves; nothing else should).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedAddress(host) from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise RefusedAddress(host)
    for address in addresses:
        bare = address.split("%")[0]
        if bare not in allowed and not is_public_address(bare):
            raise RefusedAddress(host, address)
    return addresses[0]


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to ``host`` that connects to the already checked ``address``."""

    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked ``address``; the certificate is still checked against ``host``."""

    def __init__(self, host, address, **kwargs):
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def pinned_connection(scheme, host, address, *, port, timeout):
    """An HTTP(S) connection for ``scheme`` to ``host``, connecting to ``address``."""
    cls = PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
    return cls(host, address, port=port, timeout=timeout)
