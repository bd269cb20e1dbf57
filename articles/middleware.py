from django.utils.functional import SimpleLazyObject

from .models import Publication


class PublicationMiddleware:
    """Sets ``request.publication`` from the host, looked up only when a view asks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.publication = SimpleLazyObject(lambda: Publication.for_host(request.get_host()))
        return self.get_response(request)
