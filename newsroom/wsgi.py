"""WSGI entry point, served by gunicorn: ``gunicorn newsroom.wsgi``.

Django's application sits behind the page cache's front door, which answers readers'
requests for pages with a current cached copy before Django's handler runs
(``articles.caching.door.PageCacheApplication``). Django's handler is
``django.core.wsgi.get_wsgi_application()``'s, making requests that check their host once
per process (``newsroom.requests``).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup(set_prefix=False)  # as get_wsgi_application() does

from newsroom.requests import Handler  # noqa: E402  (needs Django set up)

application = Handler()

from articles.caching.door import PageCacheApplication  # noqa: E402  (needs Django set up)

application = PageCacheApplication(application)
