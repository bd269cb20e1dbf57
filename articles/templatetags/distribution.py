"""Tags for the metadata in <head>: JSON-LD blocks and the values OpenGraph tags need."""

from datetime import UTC

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.distribution import metadata

register = template.Library()


@register.simple_tag
def json_ld(data):
    """A <script type="application/ld+json"> block; nothing in ``data`` can break out of it."""
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(metadata.to_script_json(data))
    )


@register.simple_tag(takes_context=True)
def article_metadata(context, article):
    request = context["request"]
    known = metadata.story_facts(article, request)
    images = known["images"]
    return {
        "json_ld": metadata.news_article(article, request, known=known),
        "title": metadata.share_title(article),
        "canonical": known["canonical"],
        "description": known["description"],
        "modified": known["modified"],
        "image": images[0] if images else None,
        "author_urls": [
            request.build_absolute_uri(p.get_absolute_url()) for p in known["authors"]
        ],
    }


@register.simple_tag(takes_context=True)
def person_metadata(context, person):
    return metadata.profile_page(person, context["request"])


@register.simple_tag(takes_context=True)
def website_metadata(context, publication):
    return metadata.website(publication, context["request"])


@register.filter
def w3c_datetime(value):
    """A time as sitemaps want it (W3C Datetime), in UTC to the second."""
    if not value:
        return ""
    return value.astimezone(UTC).isoformat(timespec="seconds")


@register.filter
def og_locale(language):
    """OpenGraph writes locales as language_TERRITORY: "en-gb" -> "en_GB"."""
    parts = (language or "en").replace("_", "-").split("-")
    return "_".join([parts[0].lower(), *(p.upper() for p in parts[1:2])])
