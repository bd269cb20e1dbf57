from articles.caching.site import site_for_host
from newsroom.lazy import LazyValue


class PublicationMiddleware:
    """Sets ``request.publication`` (and ``request.sections``, for the section menu) from
    the host, looked up only when something asks, and once for both."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = []

        def site():
            if not found:
                found.append(site_for_host(request.get_host()))
            return found[0]

        request.publication = LazyValue(lambda: site()[0])
        request.sections = LazyValue(lambda: site()[1])
        return self.get_response(request)
