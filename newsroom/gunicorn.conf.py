"""gunicorn's settings for ``make serve`` and ``make run`` (``gunicorn -c newsroom/gunicorn.conf.py``).

Threads, not sync workers: a sync worker belongs to one connection until its request is
read, so two clients that send their headers slowly took a two-worker server offline. A
thread waits instead, and there are many; production still puts nginx in front, which reads
whole requests before gunicorn sees them (docs/deploying.md).
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# A request that takes longer than this has something wrong with it; the worker restarts.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
