"""What a request gets when something it needs is down.

Django sends every exception no view or middleware handled to ``handler500``. When that
exception says the database cannot be reached (PostgreSQL restarting, connections dropped,
too many clients), the answer is not "something went wrong" but 503 with ``Retry-After``:
proxies and crawlers come back later instead of taking the page for gone, readers are told
to try again in a minute, and an editor whose save failed is told that nothing was saved
and that the same form can be sent again. Pages cached before the outage keep being served
by the page cache, which never reaches this point.

Neither page needs the database: they render without the request's context processors
(which would ask for the publication, a session, a user).
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 30


def database_unavailable(exc):
    """Is ``exc`` (or what caused it) the database being out of reach, rather than a bug?"""
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        if isinstance(exc, DatabaseError) and "connection" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request, template_name="500.html"):
    exc = sys.exc_info()[1]
    if not database_unavailable(exc):
        return django_server_error(request, template_name)
    is_admin = request.path.startswith("/admin/")
    template = loader.get_template(
        "admin/database_unavailable.html" if is_admin else "503.html")
    context = {"retry_after": RETRY_AFTER_SECONDS, "site_header": "Newsroom",
               "was_post": request.method == "POST", "path": request.path}
    response = HttpResponse(template.render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
