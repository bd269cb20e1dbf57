"""WSGI entry point, served by gunicorn: ``gunicorn newsroom.wsgi``.

Django's application sits behind the page cache's front door, which answers readers'
requests for pages with a current cached copy before Django's handler runs
(``articles.caching.door.PageCacheApplication``).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

from articles.caching.door import PageCacheApplication  # noqa: E402  (needs Django set up)

application = PageCacheApplication(application)
