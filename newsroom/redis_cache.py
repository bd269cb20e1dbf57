"""Django's Redis cache backend, for a Redis that is a cache and never a dependency.

**A failure is a miss.** Redis refusing connections, not answering (a frozen server, a lost
network) or refusing a write (out of memory) makes a read answer "not cached" and a write
do nothing, never an exception: every page can be built from the database, and is.
``set_many`` returns the keys it could not write (Django's contract for it), so code that
must know whether a write landed (``articles.caching.generations.bump``) can tell.

**A failure is paid once.** Connecting and each reply have short timeouts (50 and 100
milliseconds: Redis on the local network answers in well under one, and a reply later than
that is a server frozen, cut off, or starved of CPU), and no retries. After a connection
error, a timeout or a refused command, a *breaker* shared by every thread of the process
opens: every call fails at once, without touching the network, instead of each paying the
timeout; half a second later calls try again, and while they keep failing the breaker stays
open longer each time, up to ``retry_after`` seconds. ``trying()`` lets the calls inside it through an open breaker (a change
that has to reach the cache is worth a timeout); ``outages`` counts the times the breaker
opened, so code that must not trust what Redis kept across an outage can tell that one
happened (``articles.caching.journal``).

Two things are also faster than Django's own backend. Its ``RedisCacheClient`` builds a
new ``redis.Redis`` object for every cache call, copying redis-py's table of some 170
response callbacks, which cost more than the round trip to Redis: a ``redis.Redis`` object
is safe to share between threads, so one is built per connection pool and kept. And the
check that keys would suit memcached (which walks every character of every key; a cached
page reads dozens) is skipped: Redis takes any key. A value is read as Django's serializer
reads it (``RedisSerializer``), without first trying each pickled one as a number, and
``get_many`` names its keys without Django's two calls per key.
"""

import contextlib
import logging
import pickle
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import default_key_func
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.core.cache.backends.redis import RedisSerializer as DjangoRedisSerializer
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Defaults for a Redis on the same machine or network; CACHES' OPTIONS may say otherwise
# (settings.py reads REDIS_CONNECT_TIMEOUT_MS, REDIS_TIMEOUT_MS and REDIS_RETRY_SECONDS).
CONNECT_TIMEOUT = 0.05
TIMEOUT = 0.1
RETRY_AFTER = 3.0


class Breaker:
    """Whether a Redis server may be asked: shared by every thread of the process.

    Closed, every call goes through. A failure opens it: every call fails at once, for half
    a second at first. Then calls go through again; the first that succeeds closes it, a
    failure opens it again for twice as long, up to ``retry_after`` seconds. A blip (a
    server too busy to answer in time for a moment) costs half a second of building pages;
    an outage is asked about every few seconds.
    """

    FIRST_WAIT = 0.5

    def __init__(self, name, retry_after):
        self.name = name
        self.retry_after = retry_after
        self.open_until = 0.0  # time.monotonic(); 0 when closed
        self.wait = 0.0  # how long it last opened for
        self.outages = 0  # how many times it opened (after being closed)
        self.lock = threading.Lock()

    def allows(self):
        return time.monotonic() >= self.open_until

    def is_closed(self):
        return not self.open_until

    def failed(self, error):
        with self.lock:
            if self.is_closed():
                self.outages += 1
                self.wait = min(self.FIRST_WAIT, self.retry_after)
                logger.warning("Redis at %s failed (%s): going on without the cache, trying "
                               "again in %s s", self.name, error, self.wait)
            elif self.allows():  # the try after a wait failed too: wait longer
                self.wait = min(self.wait * 2, self.retry_after)
            self.open_until = time.monotonic() + self.wait

    def succeeded(self):
        if self.open_until:  # read without the lock: closed is the common case
            with self.lock:
                if self.open_until:
                    self.open_until = 0.0
                    logger.warning("Redis at %s answers again: the cache is back", self.name)


# One breaker per Redis server and process (Django makes a cache backend per thread).
_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(servers, retry_after):
    with _breakers_lock:
        if servers not in _breakers:
            # Never a password in the logs: host and port are enough to say which.
            name = ", ".join(urlsplit(s).netloc.rpartition("@")[2] or s for s in servers)
            _breakers[servers] = Breaker(name, retry_after)
        return _breakers[servers]


_trying = threading.local()

# How every pickle of protocol 2 or later begins (Django's serializer pickles with the
# highest protocol): a number is stored as its digits, which never begin so.
PICKLE_START = b"\x80"


class RedisSerializer(DjangoRedisSerializer):
    """Django's: a whole number stored as its digits, anything else pickled. Django's
    ``loads`` tries every value as a number first: for a pickle that failure builds an
    error message quoting the whole value (a cached part of a page: kilobytes), which
    cost more than unpickling it; a page built from parts reads a hundred of them."""

    def loads(self, data):
        if data[:1] == PICKLE_START:
            return pickle.loads(data)
        return super().loads(data)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        retry_after = float(options.pop("retry_after", RETRY_AFTER))
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", TIMEOUT)
        # redis-py's own retries would multiply every timeout; the breaker decides instead.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        options.setdefault("serializer", RedisSerializer)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = RedisCacheClient
        self.breaker = breaker_for(tuple(self._servers), retry_after)

    @property
    def outages(self):
        """How many times this process has found Redis out of reach."""
        return self.breaker.outages

    def is_available(self):
        """False while the breaker is open: every call fails at once."""
        return self.breaker.allows()

    @contextlib.contextmanager
    def trying(self):
        """Calls made inside go to Redis even while the breaker is open."""
        before = getattr(_trying, "active", False)
        _trying.active = True
        try:
            yield
        finally:
            _trying.active = before

    def _guarded(self, call, failed):
        """``call()``, or ``failed`` if Redis cannot be reached or refuses."""
        breaker = self.breaker
        if not breaker.allows() and not getattr(_trying, "active", False):
            return failed
        try:
            result = call()
        except (RedisConnectionError, RedisTimeoutError) as error:
            breaker.failed(error)
            return failed
        except RedisError as error:  # answered, but refused (out of memory, read-only…)
            logger.warning("Redis at %s refused a command: %s", breaker.name, error)
            return failed
        breaker.succeeded()
        return result

    def validate_key(self, key):
        pass

    def get(self, key, default=None, version=None):
        return self._guarded(lambda: super(RedisCache, self).get(key, default, version),
                             default)

    def get_many(self, keys, version=None):
        return self._guarded(lambda: self._get_many(keys, version), {})

    def _get_many(self, keys, version):
        """Django's ``get_many`` (one MGET), each key made once, by Django's own format
        when the cache has no KEY_FUNCTION of its own (the keys are never validated)."""
        if self.key_func is default_key_func:
            prefix = f"{self.key_prefix}:{self.version if version is None else version}:"
            named = {f"{prefix}{key}": key for key in keys}
        else:
            named = {self.make_key(key, version=version): key for key in keys}
        client = self._cache
        values = client.get_client(None).mget(list(named))
        loads = client._serializer.loads
        return {named[k]: loads(v) for k, v in zip(named, values, strict=True) if v is not None}

    def has_key(self, key, version=None):
        return self._guarded(lambda: super(RedisCache, self).has_key(key, version), False)

    def add(self, key, value, *args, **kwargs):
        return self._guarded(lambda: super(RedisCache, self).add(key, value, *args, **kwargs),
                             False)

    def set(self, key, value, *args, **kwargs):
        self._guarded(lambda: super(RedisCache, self).set(key, value, *args, **kwargs), None)

    def set_many(self, data, *args, **kwargs):
        """Django's ``set_many``; the keys not written are returned (all of them, when
        Redis could not be reached)."""
        done = self._guarded(
            lambda: super(RedisCache, self).set_many(data, *args, **kwargs) == [], False)
        return [] if done else list(data)

    def touch(self, key, *args, **kwargs):
        return self._guarded(lambda: super(RedisCache, self).touch(key, *args, **kwargs),
                             False)

    def delete(self, key, version=None):
        return self._guarded(lambda: super(RedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        self._guarded(lambda: super(RedisCache, self).delete_many(keys, version), None)

    def incr(self, key, delta=1, version=None):
        missing = object()
        found = self._guarded(lambda: super(RedisCache, self).incr(key, delta, version),
                              missing)
        if found is missing:
            raise ValueError(f"Key '{key}' not found (Redis out of reach).")
        return found

    def clear(self):
        return self._guarded(lambda: super(RedisCache, self).clear(), False)
