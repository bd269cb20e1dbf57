from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # The workflow's emails and cache purges, wired in one visible place.
        from . import notifications  # noqa: F401
