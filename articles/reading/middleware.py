from django.utils.functional import SimpleLazyObject

from articles.caching.site import site_for_host


class PublicationMiddleware:
    """Sets ``request.publication`` (and ``request.sections``, for the section menu) from
    the host, looked up only when something asks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        site = SimpleLazyObject(lambda: site_for_host(request.get_host()))
        request.publication = SimpleLazyObject(lambda: site[0])
        request.sections = SimpleLazyObject(lambda: site[1])
        return self.get_response(request)
