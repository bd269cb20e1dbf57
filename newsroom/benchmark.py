"""Hooks used only by the benchmark (NEWSROOM_BENCHMARK=true): never on in a real site."""

from django.db import connections
from django.http import HttpResponse


def floor(request):
    """The floor: the cheapest response Django can give, through the same middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


class QueryCountMiddleware:
    """Adds X-Newsroom-Queries: how many SQL queries the request ran."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Newsroom-Queries"] = str(count)
        return response
