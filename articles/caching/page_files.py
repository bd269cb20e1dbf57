"""Pages as files for nginx: a cached page answered without reaching Python at all.

Python's floor is a few thousand requests a second on a small machine; nginx sends a file
at tens of thousands. So with ``NEWSROOM_PAGE_FILES_DIR`` set, every page the page cache
holds as current for readers without a session (``articles.caching.pages``) is also
written as a file, and the production front (``newsroom/deploy/nginx.conf``) answers
from it with ``try_files``, falling back to gunicorn when there is none.

nginx checks no generation, so a file must be gone before anyone could be served it
stale. The folder holds one folder per ``BUCKET_SECONDS`` of the clock::

    <dir>/<bucket>/pages/<scheme>/<host><path>@page.html   the page
    <dir>/<bucket>/keys/<surrogate key>/<unique name>      "this bucket has <page> under <key>"

- **A change** removes, in the commit hook that moves its keys' generations
  (``journal.apply``), every file indexed under any of its keys, after the generations
  have moved (``forget``). A change whose generations did not reach Redis removes every
  file (``forget_all``): nothing may outlive a change the cache missed.
- **A page being written while a change commits** is written index first, file next, and
  then checked: are its keys' generations still the ones it was built with, and is the
  cache's journal empty? If not, it is removed again. Either the change's removal comes
  after the index entry (and removes it), or the check comes after the change moved the
  generations or wrote its journal row (and removes it); no order leaves a stale file.
- **A story going live at its time**, with no save: nginx serves only the folder of the
  bucket its own clock is in (``$msec`` cut to tens of seconds), and a page is written
  only into buckets that end at least ``CLOCK_MARGIN`` before the first scheduled
  go-live after it was built (``pages.change_deadline``). From the last bucket before
  the go-live on, Python serves the page, and checks the moment to the microsecond.
- **Disk use**: a page is written into the buckets of the next
  ``NEWSROOM_PAGE_FILES_SECONDS`` only (written again from the cache when Python next
  serves it), and a bucket's folder is deleted whole once it is past.

Only what nginx can serve exactly as Python would is written: a 200 HTML page, for a
request without a query string or another representation asked by Accept, whose path
nginx's ``$uri`` names byte for byte (no ``%``, ``@``, ``//`` or dot segment) and whose
host is nginx's ``$host`` (lower case, no port).
"""

import logging
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from django.conf import settings

from articles.caching import generations
from articles.caching import keys as cache_keys

logger = logging.getLogger(__name__)

# The width of a bucket, in seconds. nginx's map cuts the last digit of $msec's seconds:
# the two must change together.
BUCKET_SECONDS = 10
# nginx reads its clock once per round of its event loop, a moment late at worst: a page
# is not served from a file in the last second before a go-live.
CLOCK_MARGIN = 1_000_000  # microseconds, as generations count
# What ends every page's file name; a path with "@" is never written, so no page's file
# can be another page's folder.
SUFFIX = "@page.html"
HTML = "text/html; charset=utf-8"

SAFE_HOST = re.compile(r"[a-z0-9.-]+")
SAFE_KEY = re.compile(r"[a-z0-9:_-]+")
ODD_PATH = re.compile(r"[%@\\\x00-\x1f\x7f]|//|/\.\.?(/|$)")

# The last bucket whose past folders this process deleted.
_swept = {"bucket": None}


def enabled():
    return bool(settings.NEWSROOM_PAGE_FILES_DIR)


def root():
    return Path(settings.NEWSROOM_PAGE_FILES_DIR)


def bucket_of(moment):
    """The bucket a moment (a generation: microseconds) is in."""
    return moment // (BUCKET_SECONDS * 1_000_000)


def page_path(request):
    """Where nginx looks for this request's page, under a bucket's ``pages/``; None when
    nginx never answers it from a file (it goes to Python, which is exact for it)."""
    if request.META.get("QUERY_STRING"):
        return None
    accept = request.META.get("HTTP_ACCEPT", "").lower()
    if any(media_type in accept for media_type in cache_keys.NEGOTIATED_MEDIA_TYPES):
        return None
    host, path = request.get_host(), request.path
    if not SAFE_HOST.fullmatch(host) or not path.startswith("/") or ODD_PATH.search(path):
        return None
    if any(len(part.encode()) > 200 for part in path.split("/")):
        return None  # beyond a file name's 255 bytes
    return f"{request.scheme}/{host}{path}{SUFFIX}"


def buckets(valid_until):
    """The buckets a page may be served from nginx in: from the current one, those that
    end within NEWSROOM_PAGE_FILES_SECONDS and, if a story goes live at ``valid_until``,
    CLOCK_MARGIN before it."""
    moment = generations.now()
    limit = moment + settings.NEWSROOM_PAGE_FILES_SECONDS * 1_000_000
    if valid_until is not None:
        limit = min(limit, valid_until - CLOCK_MARGIN)
    first = bucket_of(moment)
    width = BUCKET_SECONDS * 1_000_000
    return [b for b in range(first, bucket_of(limit) + 1) if (b + 1) * width <= limit]


def wanted(request, entry):
    """The page's file when nginx could serve this cached page (an entry of
    ``pages.find_page``) and has no file of it now; None otherwise."""
    if not enabled():
        return None
    keys, _generations, _started, status, headers, _content, valid_until = entry
    if status != 200 or not all(SAFE_KEY.fullmatch(k) for k in keys):
        return None
    if {n.lower(): v for n, v in headers}.get("content-type") != HTML:
        return None
    relative = page_path(request)
    if relative is None or not buckets(valid_until):
        return None
    if (root() / str(bucket_of(generations.now())) / "pages" / relative).exists():
        return None
    return relative


def write(request, entry):
    """Write a current page (an entry of the page cache, found or just stored) where
    nginx serves it, if nginx may and has no copy. True when written and still current."""
    relative = wanted(request, entry)
    if relative is None:
        return False
    keys, kept_generations, *_rest, content, valid_until = entry
    try:
        written = _write(relative, keys, content, buckets(valid_until))
    except OSError:
        logger.exception("Could not write the page file %s", relative)
        return False
    if still_current(keys, kept_generations):
        return True
    for path in written:
        path.unlink(missing_ok=True)
    return False


def _write(relative, keys, content, into):
    base = root()
    (base / "tmp").mkdir(parents=True, exist_ok=True)
    _sweep(base)
    descriptor, temporary = tempfile.mkstemp(dir=base / "tmp")
    written = []
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            os.fchmod(file.fileno(), 0o644)  # nginx's workers run as another user
        for bucket in into:
            folder = base / str(bucket)
            name = uuid.uuid4().hex
            # The index first: a change that commits from now on finds the page.
            for key in keys:
                index = folder / "keys" / key
                index.mkdir(parents=True, exist_ok=True)
                (index / name).write_text(relative)
            target = folder / "pages" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            link = target.parent / f".{name}.tmp"
            os.link(temporary, link)
            os.replace(link, target)  # readers see the old file or the new, whole
            written.append(target)
    finally:
        os.unlink(temporary)
    return written


def still_current(keys, kept_generations):
    """Whether a page built or found with ``kept_generations`` has missed no change: its
    keys' generations have not moved, and no change waits in the cache's journal (one
    whose refresh did not reach Redis, or is on its way). Anything unknown is a no."""
    from articles.models import PendingInvalidation

    try:
        found = generations.generations(keys)
        if tuple(found[k] for k in keys) != tuple(kept_generations):
            return False
        return not PendingInvalidation.objects.exists()
    except Exception:
        logger.warning("Could not check a page file: removed", exc_info=True)
        return False


def forget(changed):
    """Remove every file of a page that shows any of the keys ``changed`` (after their
    generations have moved: see the module's docstring)."""
    if not enabled() or not changed:
        return
    try:
        _forget(root(), changed)
    except OSError:  # whatever could not be removed one by one goes with everything
        logger.exception("Could not remove the page files of %s: removing all", changed)
        forget_all()


def _forget(base, changed):
    for folder in _bucket_folders(base):
        for key in changed:
            if not SAFE_KEY.fullmatch(key):
                continue
            index = folder / "keys" / key
            try:
                names = os.listdir(index)
            except FileNotFoundError:
                continue
            for name in names:
                entry = index / name
                try:
                    relative = entry.read_text()
                except FileNotFoundError:
                    continue
                if relative:  # empty: being written; the writer's check removes it
                    (folder / "pages" / relative).unlink(missing_ok=True)
                entry.unlink(missing_ok=True)


def forget_all():
    """Remove every page file: for a change whose refresh did not reach Redis, and when
    the whole cache is emptied."""
    if not enabled():
        return
    base = root()
    for folder in _bucket_folders(base):
        _remove(base, folder)


def _bucket_folders(base):
    try:
        return [base / name for name in os.listdir(base) if name.isdigit()]
    except FileNotFoundError:
        return []


def _remove(base, folder):
    """Take a bucket's folder out of nginx's sight at once (a rename), then delete it."""
    trash = base / "tmp" / f"trash-{folder.name}-{uuid.uuid4().hex}"
    try:
        (base / "tmp").mkdir(parents=True, exist_ok=True)
        os.rename(folder, trash)
    except FileNotFoundError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def _sweep(base):
    """Delete the folders of past buckets (once per bucket and process); the one just past
    stays, for a request nginx began in it."""
    current = bucket_of(generations.now())
    if _swept["bucket"] == current:
        return
    _swept["bucket"] = current
    for folder in _bucket_folders(base):
        if int(folder.name) < current - 1:
            _remove(base, folder)
