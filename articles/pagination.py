"""Pagination whose cost does not grow with the archive.

Django's Paginator counts every matching row and lets a reader ask for page 40,000,
whose OFFSET makes the database walk past 800,000 stories. Listings here count at most
``MAX_PAGES`` pages' worth of rows (a COUNT over a LIMIT subquery), so page 1 of a
section costs the same with ten thousand stories as with a million; readers go further
back through the date archives, which are bounded by date.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

MAX_PAGES = 50


class CappedPaginator(Paginator):
    @cached_property
    def count(self):
        limit = self.per_page * MAX_PAGES
        object_list = self.object_list
        if hasattr(object_list, "query"):
            # Only ids, unordered: ranking and snippets are not worked out to be counted.
            return object_list.order_by().values("pk")[:limit].count()
        return min(len(object_list), limit)
