from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # The workflow's emails and cache purges, wired in one visible place.
        # Page-cache invalidation follows every content change (see articles/caching/invalidation.py).
        from articles.caching import invalidation
        from articles.editorial import notifications  # noqa: F401

        invalidation.connect()
