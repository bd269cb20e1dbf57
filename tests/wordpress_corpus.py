"""The WordPress export corpus (``tests/data/wordpress/``) and what its tests share.

The exports are written the way WordPress writes them, about fictional newsrooms:

- ``harbor-wxr-1.2-https.xml``: WXR 1.2 under the https namespace; every post status,
  a password, sticky posts, two posts sharing a GUID, pages, comments, menu items, a
  reusable block, an unused attachment, entities in names, a malformed author login.
- ``ledger-classic-wxr-1.1.xml``: classic-editor bodies (bare newlines, [caption],
  [gallery] with and without ids, [audio], [video], [playlist], [embed], <video>,
  h1/h5/h6, a table with <tfoot>).
- ``gazette-blocks-wxr-1.2.xml``: block-editor bodies (<!-- wp:… --> blocks).
- ``hosted-wordpress-com.xml``: a WordPress.com export: media addresses without
  /wp-content/uploads/, attachments without _wp_attached_file, an image CDN address.
- ``courier-wxr-1.0.xml``: WXR 1.0 as WordPress 2.9 wrote it.
- ``herald.xml``, ``broken.xml``: the first corpus (WXR 1.2 and 1.1, damaged records).
- ``plain-rss-feed.xml``, ``pages-only.xml``, ``empty.xml``, ``truncated.xml``,
  ``billion-laughs.xml``, ``external-entity.xml``: files that import nothing.
"""

import io
from pathlib import Path

from django.core.management import call_command

from articles.models import Article

from .factories import image_bytes

DATA = Path(__file__).parent / "data" / "wordpress"

EXPORTS = [
    "harbor-wxr-1.2-https.xml", "ledger-classic-wxr-1.1.xml", "gazette-blocks-wxr-1.2.xml",
    "hosted-wordpress-com.xml", "courier-wxr-1.0.xml", "herald.xml", "broken.xml",
]

# What a copy of the sites' uploads holds (path → size). Some pictures the exports show
# are missing on purpose: 2024/03/breakwater.jpg, 2023/11/gone-missing.jpg.
UPLOADS = {
    "2024/03/ferry-dawn.jpg": (150, 100),
    "2024/04/pier-storm.png": (120, 80),
    "2019/07/festival-boats.jpg": (150, 100),
    "2019/07/festival-stage.png": (120, 90),
    "2019/08/festival-crowd.jpg": (150, 100),
    "2024/02/kelp-forest.jpg": (150, 100),
    "2024/02/otters.jpg": (120, 90),
    "2023/11/pier-lights.jpg": (150, 100),
    "2023/11/boardwalk.jpg": (150, 100),
    "2023/11/ferry-lights.jpg": (120, 80),
}


def make_uploads(folder, uploads=UPLOADS):
    """A copy of the uploads folder with a small real picture at each path."""
    for path, size in uploads.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(image_bytes(fmt="PNG" if path.endswith(".png") else "JPEG",
                                       size=size))
    return folder


def run(export, *args):
    """``manage.py import_wordpress`` on a corpus file (or a path); its printed report."""
    out = io.StringIO()
    path = export if isinstance(export, Path) else DATA / export
    call_command("import_wordpress", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def story(slug):
    return Article.objects.get(slug=slug)
