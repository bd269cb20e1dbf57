"""``{% picture %}``: a responsive <picture> from an Image's fixed renditions;
``{% portrait %}``: the same from a person's portrait squares."""

import html

from django import template
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from newsroom import portraits, renditions

register = template.Library()


def _srcset(entries):
    return ", ".join(f"{r.url} {r.width}w" for r in entries)


def _escaped(value):
    """``conditional_escape(value)`` without the lazy-string wrapper around Django's
    ``escape``: a list page shows two dozen pictures of ten values each, and the wrapper
    cost more than the escaping."""
    if isinstance(value, Promise) or hasattr(value, "__html__"):
        return conditional_escape(value)
    return html.escape(str(value))  # what ``escape`` does


# {(the storage, the picture's stored fields, the tag's options): the tag's HTML}: a list
# page shows the same pictures on every build, and making the tag (two lists of
# renditions, their srcsets, ten escaped attributes) was more than a quarter of building
# its cards. Bounded: emptied once it holds this many.
_PICTURES = {}
_PICTURES_KEPT = 4096
_TEXT = {str, SafeString}


@register.simple_tag
def picture(image, *, crop=False, sizes="100vw", lazy=True, alt=None, css_class=""):
    """WebP first, the original format as fallback; width and height from the largest
    rendition, so the browser reserves the space before the picture arrives.

    Remembered per process under everything the HTML is made of, as the renditions are
    (``newsroom.renditions``); a storage that signs its addresses, or an option that is
    neither a plain string nor a safe one (a lazy one), is made each time. A template's
    quoted option ("8rem") is a safe string, written as it is where a plain one is
    escaped: the key tells them apart."""
    if not image or not image.width:
        return ""
    storage = renditions.storage_key()
    alt = image.alt_text if alt is None else alt
    kinds = (type(sizes), type(alt), type(css_class))
    if storage is None or not _TEXT.issuperset(kinds):
        return _picture(image, crop, sizes, lazy, alt, css_class)
    key = (storage, image.pk, image.file.name, image.focal_x, image.focal_y, image.width,
           image.height, bool(crop), sizes, bool(lazy), alt, css_class, kinds)
    html = _PICTURES.get(key)
    if html is None:
        if len(_PICTURES) >= _PICTURES_KEPT:
            _PICTURES.clear()
        html = _PICTURES[key] = _picture(image, crop, sizes, lazy, alt, css_class)
    return html


def _picture(image, crop, sizes, lazy, alt, css_class):
    kind = "crop" if crop else "full"
    fallback = renditions.renditions(image, kind)
    webp = renditions.renditions(image, kind, ext="webp")
    if not fallback:
        return ""
    default = fallback[min(1, len(fallback) - 1)]  # 640 wide: fine for old browsers
    largest = fallback[-1]
    attrs = " ".join(f'{name}="{_escaped(value)}"' for name, value in (
        ("src", default.url),
        ("srcset", _srcset(fallback)),
        ("sizes", sizes),
        ("width", largest.width),
        ("height", largest.height),
        ("alt", alt),
        ("loading", "lazy" if lazy else "eager"),
        ("decoding", "async"),
        *([("class", css_class)] if css_class else []),
    ))
    return mark_safe(
        f'<picture><source type="image/webp" srcset="{_escaped(_srcset(webp))}" '
        f'sizes="{_escaped(sizes)}"><img {attrs}></picture>'
    )


@register.simple_tag
def portrait(person, width, *, alt="", lazy=True, css_class=""):
    """A person's photo shown ``width`` pixels square, from the portrait's squares
    (``newsroom.portraits``): the browser picks the square its screen needs, WebP first,
    instead of the whole uploaded photo. A photo whose size was never stored has no squares
    and is shown as it is."""
    if not person or not person.photo:
        return ""
    squares = portraits.renditions(person, portraits.formats(person)[-1])
    common = [("width", width), ("height", width), ("alt", alt),
              ("loading", "lazy" if lazy else "eager"), ("decoding", "async"),
              *([("class", css_class)] if css_class else [])]
    if not squares:
        return mark_safe(f"<img {_attributes([('src', person.photo.url), *common])}>")
    # The smallest square as large as the box, else the largest there is.
    default = next((r for r in squares if r.width >= width), squares[-1])
    sizes = f"{width}px"
    attrs = _attributes([
        ("src", default.url), ("srcset", _srcset(squares)), ("sizes", sizes), *common])
    webp = portraits.renditions(person, "webp")
    if webp == squares:  # a WebP photo: one format
        return mark_safe(f"<picture><img {attrs}></picture>")
    return mark_safe(
        f'<picture><source type="image/webp" srcset="{_escaped(_srcset(webp))}" '
        f'sizes="{_escaped(sizes)}"><img {attrs}></picture>'
    )


def _attributes(pairs):
    """``name="value" …``, each value escaped: what ``format_html_join(" ", '{}="{}"',
    pairs)`` gives for names that need no escaping, as ``picture`` writes them."""
    return " ".join(f'{name}="{_escaped(value)}"' for name, value in pairs)
