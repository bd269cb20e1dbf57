"""The admin site: Django's, with every search it runs kept within bounds.

Django's admin turns each word of a search into a condition on every search field, joined
in one expression: a pasted page of 1,500 words made an expression SQLite refuses ("Expression
tree is too large", a 500), and on PostgreSQL a NUL character in a search is an error too.
Every admin view goes through ``admin_view``, so the changelist search box (``q``) and the
autocomplete of every foreign-key widget (``term``) are capped here, for our ModelAdmins
and third-party ones (users, groups, tags, lockouts) alike.
"""

from functools import wraps

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.utils.text import smart_split

SEARCH_PARAMETERS = ("q", "term")


def capped_search(text):
    """``text`` without control characters, cut to the configured length and number of
    words (a quoted phrase counts as one, as Django's search reads it)."""
    text = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    text = text[: settings.NEWSROOM_ADMIN_SEARCH_MAX_CHARS]
    terms = list(smart_split(text))
    if len(terms) > settings.NEWSROOM_ADMIN_SEARCH_MAX_TERMS:
        text = " ".join(terms[: settings.NEWSROOM_ADMIN_SEARCH_MAX_TERMS])
    return text


class NewsroomAdminSite(admin.AdminSite):
    site_header = "Newsroom"
    site_title = "Newsroom admin"
    index_title = "Newsroom"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def bounded(request, *args, **kwargs):
            given = {name: request.GET[name] for name in SEARCH_PARAMETERS if name in request.GET}
            changed = {name: capped_search(value) for name, value in given.items()
                       if capped_search(value) != value}
            if changed:
                request.GET = request.GET.copy()  # the request's own is immutable
                for name, value in changed.items():
                    request.GET[name] = value
                if "q" in changed and hasattr(request, "_messages"):
                    messages.info(request, (
                        f"Searches read at most {settings.NEWSROOM_ADMIN_SEARCH_MAX_TERMS} "
                        f"words and {settings.NEWSROOM_ADMIN_SEARCH_MAX_CHARS} characters: "
                        f"this one searched for “{changed['q']}”."))
            return inner(request, *args, **kwargs)

        return bounded


class NewsroomAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``NewsroomAdminSite`` as its default site."""

    default_site = "newsroom.admin_site.NewsroomAdminSite"

    def ready(self):
        super().ready()
        # The project's own app config: it registers the deploy checks of Newsroom's
        # middleware (newsroom/middleware.py), which no request may have imported yet.
        from newsroom import middleware  # noqa: F401
