"""Cursor pagination over (time, id), newest first: no OFFSET, no count.

A page asks the database for the rows after the last one it showed, ``WHERE time <= t AND
(time < t OR id < i) ORDER BY time DESC, id DESC LIMIT n + 1``: the first condition bounds
the index scan, so the millionth story's page costs what the first one does. The one row
more than shown says whether there is a next page. The cursor is opaque to clients (and
means nothing outside the list and filters it came with): a time and an id in base64. A
cursor that cannot be read is a 400, never a 500.
"""

import base64
import binascii
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

CURSOR = "cursor"
PAGE_SIZE = "page_size"


def encode_cursor(when, pk):
    return base64.urlsafe_b64encode(f"{when.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(text):
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        when, pk = raw.split("|")
        when, pk = datetime.fromisoformat(when), int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError({CURSOR: "This cursor is not one this list gave."}) from None
    if when.tzinfo is None or pk < 1:
        raise ValidationError({CURSOR: "This cursor is not one this list gave."})
    return when, pk


class KeysetPagination(BasePagination):
    """Newest first by ``time_field``, then id; ``?page_size=`` up to ``max_page_size``."""

    time_field = "publish_at"
    page_size = 20
    max_page_size = 100

    @classmethod
    def on(cls, time_field, value_of=None):
        """The same pagination, newest first by another time (``value_of(row)`` reads it
        from a row, when it is not the row's attribute of that name)."""
        extra = {"time_field": time_field}
        if value_of:
            extra["value_of"] = staticmethod(value_of)
        return type(f"KeysetPaginationOn_{time_field}", (cls,), extra)

    def value_of(self, row):
        return getattr(row, self.time_field)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        # A row without the time is in no list; saying so lets the walk start past them.
        queryset = queryset.filter(**{f"{self.time_field}__isnull": False}).order_by(
            f"-{self.time_field}", "-pk")
        if CURSOR in request.query_params:
            when, pk = decode_cursor(request.query_params[CURSOR])
            queryset = queryset.filter(**{f"{self.time_field}__lte": when}).filter(
                Q(**{f"{self.time_field}__lt": when}) | Q(pk__lt=pk))
        rows = list(queryset[: size + 1])
        self.has_next = len(rows) > size
        self.page = rows[:size]
        return self.page

    def get_page_size(self, request):
        value = request.query_params.get(PAGE_SIZE)
        if value is None:
            return self.page_size
        if not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError(
                {PAGE_SIZE: f"A whole number from 1 to {self.max_page_size}."})
        return int(value)

    def next_link(self):
        if not self.has_next:
            return None
        params = {k: v for k, v in self.request.query_params.items() if k != CURSOR}
        params[CURSOR] = self.cursor_of(self.page[-1])
        return self.request.build_absolute_uri(self.request.path + "?" + urlencode(params))

    def cursor_of(self, last):
        return encode_cursor(self.value_of(last), last.pk)

    def get_paginated_response(self, data):
        return Response({"next": self.next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": ["string", "null"], "format": "uri",
                         "description": "The next page, or null on the last one."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": CURSOR, "in": "query", "required": False, "schema": {"type": "string"},
             "description": "Where the page starts: take it from the previous page's next."},
            {"name": PAGE_SIZE, "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
             "description": f"Items per page (default {self.page_size})."},
        ]


class IdPagination(KeysetPagination):
    """Oldest first by id, for lists without a time (tags, people): the cursor is an id."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        queryset = queryset.order_by("pk")
        if CURSOR in request.query_params:
            queryset = queryset.filter(pk__gt=decode_id(request.query_params[CURSOR]))
        rows = list(queryset[: size + 1])
        self.has_next = len(rows) > size
        self.page = rows[:size]
        return self.page

    def cursor_of(self, last):
        return encode_id(last.pk)


def encode_id(pk):
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def decode_id(text):
    try:
        return int(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError({CURSOR: "This cursor is not one this list gave."}) from None
