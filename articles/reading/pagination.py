"""Pagination whose cost does not grow with the archive.

Django's Paginator counts every matching row and lets a reader ask for page 40,000,
whose OFFSET makes the database walk past 800,000 stories. Listings here go back at most
``MAX_PAGES`` pages; readers go further back through the date archives, which are bounded
by date.

Story listings do not count at all (``OpenEndedPaginator``): a page reads one story more
than it shows, which says whether an older page exists. Counting even a capped thousand
stories of a tag or an author makes the database gather every one of their stories first
(a bitmap of all 22,000 of an author's bylines at a million stories), so the count, not the
page, was what grew with the archive. ``CappedPaginator`` counts up to the cap, for lists
whose total readers are shown (search results, already in memory).
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
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


class OpenEndedPage(Page):
    """A page that knows whether another follows, not how many do."""

    def __init__(self, object_list, number, paginator, *, more):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more

    def next_page_number(self):
        if not self.more:
            raise EmptyPage("That page contains no results")
        return self.number + 1

    def start_index(self):
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class OpenEndedPaginator(CappedPaginator):
    """Pages of a listing read without counting it (``count`` and ``num_pages`` still work,
    capped, for whoever asks, such as ``?page=last``; the pages never ask)."""

    def validate_number(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > MAX_PAGES:
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage("That page contains no results")
        more = len(rows) > self.per_page and number < MAX_PAGES
        return OpenEndedPage(rows[: self.per_page], number, self, more=more)
