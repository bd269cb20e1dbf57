"""Model instances made from database rows without ``Model.__init__``'s general path.

A list page with every cache off loads some two hundred instances (its stories, their runs,
sections and pictures, their bylines and people), and Django's ``from_db`` makes each through
``Model.__init__``: a loop over every concrete field that assigns each value through its
descriptor, padding the deferred ones with a marker first. That was a fifth of building a
front page. For a row, the instance that loop leaves is simple: the loaded values in its
``__dict__`` under their attribute names, a state saying where it came from, and the
``pre_init``/``post_init`` signals sent. ``LoadedPlainly`` makes exactly that.

It does so only for a model whose fields' descriptors store a freshly made instance's value
as it is (Django's own for plain fields, foreign keys and files, which is every field of
ours); a model with any other descriptor is made by Django's path, as before.
"""

from django.db import models
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor, ImageFileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute

# How the descriptors of Django's fields assign a value (None: they don't, and the value goes
# to the instance's ``__dict__``). On an instance being made, each of these comes to
# ``__dict__[attname] = value``: a foreign key's drops a cached related object (a new
# instance has none), a file's wraps the value only when it is read, and an image's
# measures it only when it replaces an earlier value.
PLAIN_ASSIGNMENTS = {None, ForeignKeyDeferredAttribute.__set__, FileDescriptor.__set__,
                     ImageFileDescriptor.__set__}


def stores_plainly(model):
    """Whether every concrete field of ``model`` keeps a value assigned to a new instance
    as it is."""
    return all(
        getattr(type(getattr(model, field.attname, None)), "__set__", None) in PLAIN_ASSIGNMENTS
        for field in model._meta.concrete_fields)


class LoadedPlainly(models.Model):
    """A model whose instances are made from rows as ``Model.from_db`` would make them,
    without its general path (see the module's docstring)."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        plain = cls.__dict__.get("_stores_plainly")
        if plain is None:
            plain = stores_plainly(cls)
            cls._stores_plainly = plain  # on this class: a subclass decides for itself
        if not plain or signals.pre_init.has_listeners(cls):
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        state = new._state = ModelState()
        state.adding, state.db = False, db
        # field_names are the loaded fields' attribute names, in the order of values; a
        # deferred field is not there, and reading it loads it, as Django's path leaves it.
        new.__dict__.update(zip(field_names, values, strict=True))
        signals.post_init.send(sender=cls, instance=new)
        return new
