from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # Page-cache invalidation follows every content change (see articles/invalidation.py).
        from . import invalidation

        invalidation.connect()
