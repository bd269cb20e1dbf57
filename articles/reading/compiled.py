"""Queries the ORM compiles once per process, run with each request's own values.

Building a queryset (filters, filtered joins, subqueries) and compiling it to SQL can cost
more Python than the database takes to answer it, and for a page's fixed queries the SQL
is the same on every request but for a few values: the time, a masthead, a story's tags.
Such a query is built once with stand-in values, compiled by Django, and each stand-in's
place among the parameters is remembered; a request runs that SQL with its own values in
those places. What a query selects is still decided by the QuerySets alone: the SQL is
theirs, compiled by Django (each user's tests compare it with a fresh compile).

A stand-in must be a value no real parameter ever equals (a time no story is stamped
with, an id below zero), and each must reach the parameters: one the ORM wrote into the
SQL text itself would give every request the stand-in's value, so compiling refuses it.

A list of values (``pk__in``) is compiled for a few lengths only (``list_size``): each
request's list fills the stand-ins' places with its last value repeated (``listed``), which
selects the same rows, so a process keeps a query per power of two, not one per length.

A query whose plan is the same whatever its values (one row by its key, a story's bylines)
can be ``prepared``: PostgreSQL then parses it once per connection and plans it once too
(``newsroom.postgresql``), where planning cost it several times what running it did. A
prepared query is planned before it knows any parameter's value, so its constants (a
status, a masthead's id) are written into its SQL as literals, as the client would bind
them: the plan then knows them (which masthead's runs, how many stories are published), as
a plan made for each run's values did; only the stand-ins stay parameters.
"""

import copy
import re
from contextlib import nullcontext
from datetime import datetime

from django.db import connections


def _adapted(connection, value):
    # How a value stands among compiled parameters: a time as the backend writes it.
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def list_size(count):
    """How many places a list of ``count`` values is compiled with: the next power of two."""
    return 1 << max(count - 1, 0).bit_length()


def listed(name, values, size):
    """{name0: …, name1: …}: ``values`` in a list's ``size`` places (``list_size``), the
    last repeated in the places left over (``IN (3, 5, 5, 5)`` selects what ``IN (3, 5)``
    does)."""
    values = list(values)
    values += values[-1:] * (size - len(values))
    return {f"{name}{i}": value for i, value in enumerate(values)}


def keep_prefetched(article, name, objects):
    """Keep ``objects`` as ``article``'s ``name``, as ``prefetch_related_objects`` does:
    the relation's queryset holding them, each object knowing its story."""
    manager = getattr(article, name)
    field = getattr(manager, "field", None)  # a reverse foreign key's (tags have none)
    if field is not None:
        for obj in objects:
            field.set_cached_value(obj, article)
    queryset = manager.get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    article.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


# A placeholder in Django's SQL, or a percent sign written twice (a literal one).
_PLACEHOLDER = re.compile(r"%[%s]")


def _with_constants_written(connection, sql, slots):
    """(sql, slots) with the constants among ``slots`` written into ``sql`` as literals
    (Django's own quoting: ``compose_sql``), the stand-ins left as placeholders."""
    places = iter(slots)
    kept = []

    def place(match):
        if match[0] == "%%":
            return match[0]
        slot = next(places, None)
        if slot is None:
            raise RuntimeError("Compiled query: more placeholders than parameters")
        name, constant = slot
        if name is not None:
            kept.append(slot)
            return match[0]
        # Written into text that is still a query with placeholders: its % doubled.
        return connection.ops.compose_sql("%s", [constant]).replace("%", "%%")

    written = _PLACEHOLDER.sub(place, sql)
    if next(places, None) is not None:
        raise RuntimeError("Compiled query: more parameters than placeholders")
    return written, kept


class CompiledQuery:
    """``queryset``, built with the values ``stand_ins`` ({name: value}), compiled once
    for database ``using``; ``sql_with_params(**values)`` gives its SQL with each name's
    value in the stand-in's places."""

    def __init__(self, queryset, stand_ins, *, using, prepared=False):
        self.using = using
        self.prepared = prepared
        connection = connections[using]
        compiler = queryset.query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self._compiler = compiler
        self._queryset = queryset
        forms = {name: _adapted(connection, value) for name, value in stand_ins.items()}
        self._slots = [
            next(((name, None) for name, form in forms.items()
                  if type(param) is type(form) and param == form), (None, param))
            for param in params
        ]
        missing = set(stand_ins) - {name for name, _ in self._slots}
        if missing:
            raise RuntimeError(f"Compiled query: stand-ins not among the parameters: {missing}")
        # What runs: for a prepared query on PostgreSQL, its constants written as literals.
        self.executed_sql, self._executed_slots = self.sql, self._slots
        if prepared and connection.vendor == "postgresql":
            connection.ensure_connection()  # Django's quoting asks the connection
            self.executed_sql, self._executed_slots = _with_constants_written(
                connection, self.sql, self._slots)

    def _params(self, slots, values):
        connection = connections[self.using]
        return tuple(constant if name is None else _adapted(connection, values[name])
                     for name, constant in slots)

    def params(self, **values):
        return self._params(self._slots, values)

    def sql_with_params(self, **values):
        """The SQL and parameters as Django compiles the queryset with these values."""
        return self.sql, self.params(**values)

    def executed_sql_with_params(self, **values):
        """The SQL and parameters run for these values: ``sql_with_params``, but for a
        prepared query on PostgreSQL with its constants written as literals."""
        return self.executed_sql, self._params(self._executed_slots, values)

    def cursor(self):
        """A cursor of this query's database; one whose statements are prepared if the
        query is ``prepared`` and the database prepares (``newsroom.postgresql``'s
        ``prepared_cursor``)."""
        connection = connections[self.using]
        if self.prepared and hasattr(connection, "prepared_cursor"):
            return connection.prepared_cursor()
        return connection.cursor()

    def rows(self, **values):
        """The result's rows, as the database returns them (no field conversions)."""
        with self.cursor() as cursor:
            cursor.execute(*self.executed_sql_with_params(**values))
            return cursor.fetchall()

    def results(self, **values):
        """The result as iterating the queryset gives it (its own iterable class: model
        instances with their selected related objects and annotations), from this SQL."""
        compiler = copy.copy(self._compiler)  # as compiled: its columns and their places
        connection = compiler.connection = connections[self.using]  # this thread's
        sql_with_params = self.executed_sql_with_params(**values)
        compiler.as_sql = lambda *args, **kwargs: sql_with_params
        # The queryset as it stands, asking this compiler (copy.copy would run its query:
        # a QuerySet's state for copying is its results).
        shell = object.__new__(type(self._queryset))
        shell.__dict__.update(vars(self._queryset), _query=_Compiled(compiler), _db=self.using)
        preparing = getattr(connection, "preparing", None) if self.prepared else None
        with preparing() if preparing else nullcontext():
            return list(self._queryset._iterable_class(shell))


class _Compiled:
    """The query as the queryset's iterable class asks it for its compiler."""

    def __init__(self, compiler):
        self.compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self.compiler
