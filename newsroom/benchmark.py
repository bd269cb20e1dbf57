"""Hooks used only by the benchmark (NEWSROOM_BENCHMARK=true): never on in a real site."""

from django.db import connections
from django.http import HttpResponse


def floor(request):
    """The floor: the cheapest response Django can give, through the same middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


# The request header that asks for the count (``bench/run.py``'s ``probe`` sends it).
COUNT_QUERIES_HEADER = "X-Newsroom-Count-Queries"


class QueryCountMiddleware:
    """Adds X-Newsroom-Queries, how many SQL queries the request ran, when the request asks
    for it (``COUNT_QUERIES_HEADER``): the requests of a load test do not, so they pay
    nothing for instrumentation a real site lacks, and the floor is Newsroom's own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_NEWSROOM_COUNT_QUERIES" not in request.META:
            return self.get_response(request)
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Newsroom-Queries"] = str(count)
        return response
