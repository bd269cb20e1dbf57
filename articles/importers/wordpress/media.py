"""Finding the file behind a picture's address in an export: in ``--media-dir``, by the
address's path, or downloaded (``--fetch-media``, public addresses only).

``--media-dir`` is a copy of the site's uploads. A self-hosted site's addresses look like
``https://site/wp-content/uploads/2024/03/ferry.jpg``; a hosted site's (WordPress.com) like
``https://site.files.wordpress.com/2024/03/ferry.jpg?w=1024``, or through its image CDN
``https://i0.wp.com/site.files.wordpress.com/2024/03/ferry.jpg``, and its attachments carry
no ``_wp_attached_file``. So a file is looked up by the end of the address's path, under any
host: the longest tail of the path that names a file in the folder wins, whether the folder
is ``uploads``, ``wp-content`` or the site's root. Bodies often show a resized copy
(``ferry-300x200.jpg``); the full-size original is preferred when the folder has it.
"""

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from articles.importers.fetch import fetch_url
from articles.importers.report import ImportProblem

SIZED = re.compile(r"-\d+x\d+(?=\.[^./]+$)")


def full_size(path):
    """``2024/03/ferry-300x200.jpg`` → ``2024/03/ferry.jpg``: WordPress's resized copies
    carry their size before the extension."""
    return SIZED.sub("", path)


def url_path(url):
    """The decoded path of ``url`` without host or query, e.g. ``/2024/03/ferry.jpg``."""
    return unquote(urlsplit(url or "").path)


class MediaFiles:
    def __init__(self, *, media_dir=None, fetch=False, max_bytes):
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        self.fetch = fetch
        self.max_bytes = max_bytes

    @property
    def enabled(self):
        return bool(self.media_dir or self.fetch)

    def candidates(self, url, relative=""):
        """Paths under --media-dir to try for ``url``, best first."""
        out = [relative.strip().lstrip("/")] if relative and relative.strip() else []
        parts = [p for p in PurePosixPath(url_path(url)).parts if p != "/"]
        tails = ["/".join(parts[i:]) for i in range(len(parts))]
        out += [full_size(t) for t in tails] + tails
        return list(dict.fromkeys(p for p in out if p))

    def find(self, url, relative=""):
        """The file in --media-dir for ``url``, or None."""
        for candidate in self.candidates(url, relative):
            if any(part in ("..", ".") for part in PurePosixPath(candidate).parts):
                if candidate == relative.strip().lstrip("/"):
                    raise ImportProblem(f"{candidate} points outside --media-dir")
                continue
            path = (self.media_dir / candidate).resolve()
            if not path.is_relative_to(self.media_dir):
                raise ImportProblem(f"{candidate} points outside --media-dir")
            if path.is_file():
                return path
        return None

    def read(self, url, relative=""):
        """The bytes and file name of the picture at ``url`` (``relative``: its path under
        the uploads folder, when the export says). ImportProblem says why there are none."""
        if self.media_dir:
            path = self.find(url, relative)
            if path is not None:
                if path.stat().st_size > self.max_bytes:
                    raise ImportProblem(f"{path.name} is larger than {self.max_bytes:,} bytes")
                return path.read_bytes(), path.name
        name = PurePosixPath(relative or url_path(url)).name or "image"
        if self.fetch and urlsplit(url or "").scheme in ("http", "https"):
            return fetch_url(url, max_bytes=self.max_bytes), name
        shown = relative or url_path(url).lstrip("/") or url or "its file"
        where = "in --media-dir" if self.media_dir else "(no --media-dir given)"
        raise ImportProblem(f"{shown} was not found {where}")
