"""Page addresses reversed once per process.

A listing page links every story, section and author it shows, two or three times each,
and Django's ``reverse`` walks the URL patterns every time: a front page asked for 137
addresses. An address depends only on the route, its arguments, the URL configuration
and the script prefix the site is served under, so it is remembered under all four.

Templates' ``{% url %}`` comes here too (``newsroom.url_tag``, a builtin of TEMPLATES):
a story page's chrome, tags and In Other News asked ``reverse`` fourteen times.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString


def address(viewname, **kwargs):
    """``reverse(viewname, kwargs=kwargs)``, remembered."""
    return _reversed(settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), viewname,
                     (), tuple(sorted(kwargs.items())), None)


def reversed_address(viewname, args=(), kwargs=None, current_app=None):
    """``reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)``, remembered
    when every argument is a plain string or number (what an address is made of); any
    other value (a model, a lazy string) is reversed as Django reverses it, each time."""
    kwargs = kwargs or {}
    if all(type(value) in _PLAIN for value in (*args, *kwargs.values())):
        return _reversed(settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(),
                         viewname, tuple(args), tuple(sorted(kwargs.items())), current_app)
    return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)


_PLAIN = {str, SafeString, int}


@functools.lru_cache(maxsize=50_000)
def _reversed(_root_urlconf, urlconf, _prefix, viewname, args, kwargs, current_app):
    return reverse(viewname, urlconf=urlconf, args=args, kwargs=dict(kwargs),
                   current_app=current_app)
