"""The signature a receiver checks: HMAC-SHA256 over the timestamp and the body.

``X-Newsroom-Signature: t=<unix seconds>,v1=<hex of hmac_sha256(secret, f"{t}.{body}")>``.
Signing the time with the body lets a receiver refuse an old delivery replayed by someone
who captured it (docs/api.md shows the receiver's check, rejecting anything older than
five minutes).
"""

import hashlib
import hmac
import time

HEADER = "X-Newsroom-Signature"


def signature(secret, body, timestamp):
    message = f"{timestamp}.".encode() + (body.encode() if isinstance(body, str) else body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret, body, *, timestamp=None):
    """The header's value for ``body`` signed now (or at ``timestamp``)."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp},v1={signature(secret, body, timestamp)}"
