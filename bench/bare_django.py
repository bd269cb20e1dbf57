"""A bare Django application for the benchmark: one view returning a constant response,
no middleware, no database, no cache. gunicorn serves it beside Newsroom
(``bench/run.py``), so the floor, the same view behind Newsroom's whole stack, can be
compared with what Django itself costs on this machine at that minute.

    gunicorn --pythonpath bench bare_django:application
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-django-benchmark-only",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("_bench/floor/", floor)]

application = get_wsgi_application()
