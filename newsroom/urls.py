from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    # The read-only content API (docs/api.md).
    path("api/v1/", include("articles.api.urls")),
    path("", include("articles.urls")),
]

if settings.NEWSROOM_BENCHMARK:
    from newsroom.benchmark import floor

    urlpatterns.insert(0, path("_bench/floor/", floor))

if settings.SERVE_MEDIA:
    # Uploads on a machine with no front server (the demo, a laptop). Production serves
    # MEDIA_ROOT from the proxy or object storage instead.
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

# A database outage answers 503 with Retry-After, not 500 (newsroom/errors.py).
handler500 = "newsroom.errors.server_error"
