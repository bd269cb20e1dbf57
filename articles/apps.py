from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # Every signal receiver of the project is connected here, in one visible place, and
        # none when its module is imported; each ``connect()`` gives its receivers a
        # dispatch_uid, so a second ready() connects nothing twice. (``people`` has no
        # receivers of its own: what its changes mean for articles is invalidation's job.)
        from articles.caching import invalidation
        from articles.editorial import notifications
        from articles.webhooks import outbox
        from newsroom import requests

        invalidation.connect()  # page caches follow every content change
        notifications.connect()  # the workflow's emails, and the purge when a story goes live
        outbox.connect()  # webhook deliveries for partners, recorded with each change
        requests.connect()  # hosts a request checked are forgotten when ALLOWED_HOSTS changes
