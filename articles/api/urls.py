"""/api/v1/: the resources, the OpenAPI 3.1 schema and its browsable docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from articles.api import views

router = SimpleRouter()
router.register("stories", views.StoryViewSet, basename="story")
router.register("sections", views.SectionViewSet, basename="section")
router.register("tags", views.TagViewSet, basename="tag")
router.register("people", views.PersonViewSet, basename="person")
router.register("corrections", views.CorrectionViewSet, basename="correction")

app_name = "api"

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
