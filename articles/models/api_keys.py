"""API keys for partners of the content API (``articles.api``).

Anyone may read the API within the anonymous rate; a partner (a sister masthead's app, an
agency, a syndication client) gets a key with a rate of its own. The key is shown once,
when it is made; only its first characters (the *prefix*, to tell keys apart in the admin)
and a SHA-256 hash of the whole are kept, so a copy of the database gives no one a key.
A key has 256 random bits, so a fast hash is enough: there is nothing to guess.
"""

import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

# A key reads "nr_<prefix>_<secret>": the prefix finds the row, the whole key is checked.
KEY_START = "nr_"
PREFIX_LENGTH = 8


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def validate_rate(value):
    """A rate as REST framework writes it: a number of requests per second, minute, hour
    or day, e.g. 1000/minute."""
    count, _, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in (
            "second", "minute", "hour", "day", "sec", "min", "s", "m", "h", "d"):
        raise ValidationError("Write a rate like 1000/minute or 50000/day.")


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def matching(self, key):
        """The active key ``key`` is, or None (compared in constant time)."""
        if not isinstance(key, str) or not key.startswith(KEY_START):
            return None
        prefix = key[len(KEY_START):len(KEY_START) + PREFIX_LENGTH]
        found = self.active().filter(prefix=prefix).first()
        if found is None or not hmac.compare_digest(found.key_hash, hash_key(key)):
            return None
        return found


class ApiKey(models.Model):
    name = models.CharField(
        max_length=120, help_text="Who uses the key, e.g. Valley Ledger mobile app."
    )
    prefix = models.CharField(
        max_length=PREFIX_LENGTH, unique=True, editable=False,
        help_text="The key's first characters, to tell keys apart; the rest is never kept.",
    )
    key_hash = models.CharField(max_length=64, editable=False)
    rate = models.CharField(
        max_length=30, default="1000/minute", validators=[validate_rate],
        help_text="Requests this key may make, e.g. 1000/minute or 50000/day. Answers "
        "already in the page cache are not counted.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(
        "revoked", null=True, blank=True,
        help_text="A revoked key is refused from that moment on.",
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({KEY_START}{self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None

    def issue(self):
        """Give this (unsaved) key a fresh secret and return the key to show, once."""
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        while ApiKey.objects.filter(prefix=prefix).exists():  # one chance in four billion
            prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
        self.prefix, self.key_hash = prefix, hash_key(key)
        return key
