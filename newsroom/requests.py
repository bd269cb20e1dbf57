"""Django's request, whose host is checked against ``ALLOWED_HOSTS`` once per process for
each host a client names, not once per question.

Every request that reaches Django asks for its host: CommonMiddleware, to refuse one that
``ALLOWED_HOSTS`` does not list (``DisallowedHost``, a 400), then the masthead lookup, the
page cache's key and each absolute address, every time with the whole check again (the
settings read through their lazy object, a regular expression, each pattern compared): some
35,000 instructions, the largest single cost of the middleware stack. The answer depends
only on the host the client sent and on settings that do not change while the process runs,
so a host that passed is remembered (``_passed``). A host that failed is never remembered:
it goes through Django's check, and is refused, every time. A change of those settings (in
tests, ``override_settings``) forgets every host (``connect``).

``newsroom/wsgi.py`` serves Django with this request, and the page cache's front door
(``articles/caching/door.py``) makes the same.
"""

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import setting_changed

# With a wildcard pattern (".example.com") any number of names pass: a process remembers
# this many, so that what clients send cannot grow its memory. Past it, a new host is
# checked each time, as Django checks every host.
REMEMBERED_HOSTS = 256

# What Django's check reads besides the request: the host (Host, or X-Forwarded-Host and
# X-Forwarded-Port if trusted, or the server's name and port) and the patterns.
HOST_SETTINGS = frozenset({"ALLOWED_HOSTS", "DEBUG", "USE_X_FORWARDED_HOST",
                           "USE_X_FORWARDED_PORT"})

_passed = set()


class Request(WSGIRequest):
    def get_host(self):
        """Django's ``get_host()``: the host, or ``DisallowedHost`` for one that
        ``ALLOWED_HOSTS`` does not list."""
        raw = self._get_raw_host()  # what Django's check starts from, as Django finds it
        if raw in _passed:
            return raw
        host = super().get_host()  # raises for a host not allowed
        if len(_passed) < REMEMBERED_HOSTS:
            _passed.add(host)
        return host


class Handler(WSGIHandler):
    """Django's WSGI handler, making ``Request``s."""

    request_class = Request


def forget_hosts(*, setting, **kwargs):
    if setting in HOST_SETTINGS:
        _passed.clear()


def connect():
    """Wire the receiver (``ArticlesConfig.ready``, where every receiver is connected)."""
    setting_changed.connect(forget_hosts, dispatch_uid="newsroom.requests.forget_hosts")
