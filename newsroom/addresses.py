"""Page addresses reversed once per process.

A listing page links every story, section and author it shows, two or three times each,
and Django's ``reverse`` walks the URL patterns every time: a front page asked for 137
addresses. An address depends only on the route, its arguments, the URL configuration
and the script prefix the site is served under, so it is remembered under all four.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def address(viewname, **kwargs):
    """``reverse(viewname, kwargs=kwargs)``, remembered."""
    return _reversed(settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), viewname,
                     tuple(sorted(kwargs.items())))


@functools.lru_cache(maxsize=50_000)
def _reversed(_root_urlconf, urlconf, _prefix, viewname, kwargs):
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
