"""Library pictures inside a story's body.

A body refers to a picture of the library by its id, with the uploaded original as the
address: ``<img data-image-id="12" src="/media/images/2024/03/ferry.jpg" alt="…" width="…"
height="…">``. When the story is shown, each reference becomes a ``<picture>`` with the
picture's current renditions and ``srcset``, like a lead image.

Why a reference rather than the renditions' addresses: renditions are derived files whose
names change with a new focal point, a new upload or a new set of widths, and are deleted
with their picture; a body holding their addresses would go stale with any of those, and
again in a backup restored elsewhere. The reference is resolved on every render, so it
always names renditions that exist. The ``src`` is the uploaded original, which stays even
when the picture leaves the library: wherever the reference is not understood (an export,
a feed reader, an editor that drops unknown attributes, a deleted picture) the body still
shows the picture.
"""

import html
import re

ATTRIBUTE = "data-image-id"
REFERENCE = re.compile(r'<img\b[^>]*?\sdata-image-id="(\d+)"[^>]*>')
ALT = re.compile(r'\salt="([^"]*)"')
# Body pictures are as wide as the column (42rem) at most.
SIZES = "(min-width: 44rem) 42rem, 100vw"


def reference(image, alt):
    """The attributes of a body <img> that refers to ``image``."""
    return {
        ATTRIBUTE: image.pk,
        "src": image.file.url,
        "alt": alt,
        "width": image.width or None,
        "height": image.height or None,
    }


def image_ids(body):
    """The ids of the library pictures ``body`` shows, in order, each once."""
    return list(dict.fromkeys(int(pk) for pk in REFERENCE.findall(body or "")))


def missing_alt_text(body):
    """The library pictures in ``body`` that a reader who cannot see them would miss: no
    alt text in the body and none in the library."""
    from articles.models import Image

    described = set()
    for tag in REFERENCE.finditer(body or ""):
        alt = ALT.search(tag.group(0))
        if alt and html.unescape(alt.group(1)).strip():
            described.add(int(tag.group(1)))
    wanted = [pk for pk in image_ids(body) if pk not in described]
    if not wanted:
        return []
    return list(Image.objects.filter(pk__in=wanted).missing_alt_text().order_by("pk"))


def render(body, *, sizes=SIZES, absolute=None):
    """``body`` with each reference turned into a <picture> with renditions and srcset.

    With ``absolute`` (a function making a full address, for feeds), each becomes a plain
    <img> of the 640-pixel rendition at a full address instead: feed readers neither read
    <picture> nor know which site a relative address belongs to. A reference to a picture
    no longer in the library is left as it is (its original file stays)."""
    ids = image_ids(body)
    if not ids:
        return body
    from articles.models import Image
    from articles.templatetags.pictures import picture
    from newsroom import renditions

    images = Image.objects.in_bulk(ids)

    def replace(match):
        image = images.get(int(match.group(1)))
        if image is None or not image.width:
            return match.group(0)
        alt = ALT.search(match.group(0))
        # The body's own words for the picture if it has some, else the library's: a
        # picture put in before its alt text was written gets it once the library has it.
        alt = html.unescape(alt.group(1)).strip() if alt else ""
        alt = alt or image.alt_text
        if absolute is None:
            return str(picture(image, sizes=sizes, alt=alt)) or match.group(0)
        entries = renditions.renditions(image)
        if not entries:
            return match.group(0)
        chosen = entries[min(1, len(entries) - 1)]
        return (f'<img src="{html.escape(absolute(chosen.url))}" alt="{html.escape(alt)}" '
                f'width="{chosen.width}" height="{chosen.height}">')

    return REFERENCE.sub(replace, body)
