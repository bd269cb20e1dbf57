"""Django's Redis cache backend, with one Redis client per connection pool.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` object for every cache call.
Each one copies redis-py's table of some 170 response callbacks, which costs more than
the round trip to Redis itself: a cached page (one GET, one MGET) spent over half its time
there. A ``redis.Redis`` object is safe to share between threads (each command borrows a
connection from the pool), so it is built once per pool and kept. Everything else is
Django's backend unchanged.

It also skips Django's check that keys would suit memcached (no spaces or control
characters, at most 250 characters): it walks every character of every key, and a cached
page reads dozens of keys. Redis takes any key, and this backend only ever talks to Redis.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


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
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        pass
