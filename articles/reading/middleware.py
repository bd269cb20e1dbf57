from articles.caching.site import site_for_host
from newsroom.lazy import LazyValue


class PublicationMiddleware:
    """Sets ``request.publication`` (and ``request.sections``, for the section menu) from
    the host, looked up only when something asks, and once for both.

    Once looked up, the request holds the masthead and its sections themselves: every
    attribute read through a lazy stand-in is a call in Python (``LazyObject``'s
    ``__getattribute__`` and ``__getattr__``), and a front page reads ``request.publication``
    some sixty times. Whoever kept the stand-in still reads the same objects through it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = []

        def site():
            if not found:
                found.extend(site_for_host(request.get_host()))
                request.publication, request.sections = found
            return found

        request.publication = LazyValue(lambda: site()[0])
        request.sections = LazyValue(lambda: site()[1])
        return self.get_response(request)
