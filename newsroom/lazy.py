"""A value worked out when first used, made cheaply enough to make one on every request.

Django's ``SimpleLazyObject`` is made through ``LazyObject``'s own ``__getattribute__`` and
``__setattr__``, written in Python, which cost more than a request that never uses the
value should pay (``request.publication``, ``request.sections``, ``request._messages``).
``LazyValue`` is the same object, made by setting its two attributes directly.
"""

from django.utils.functional import SimpleLazyObject, empty


class LazyValue(SimpleLazyObject):
    """Django's ``SimpleLazyObject``: ``func()`` when first used, then the same value."""

    def __init__(self, func):
        object.__setattr__(self, "_setupfunc", func)
        object.__setattr__(self, "_wrapped", empty)


def never_used(value):
    """Whether ``value`` is a ``LazyValue`` whose function never ran: nothing asked for it,
    so there is nothing it could have changed (a session to save, messages to store)."""
    return isinstance(value, LazyValue) and value._wrapped is empty
