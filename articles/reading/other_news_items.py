"""One story's line in "In Other News", as the story's page, a batch fetched by Load More
and the batch's own page list them (``{% other_news_item %}``).

Written here rather than by a template, as ``{% picture %}`` and the share links are: a
story page lists six lines or more, and a template spent on each some three and a half
thousand Python steps pushing contexts and looking up, localizing and escaping its seven
values; the line is written with the same values, escaped as a template escapes them.
"""

from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from articles.templatetags.newsroom import isotime, smartquotes, stamp, story_url
from articles.templatetags.pictures import _escaped, picture


def render(story, request, title=None):
    """The line of ``story``: linked to its page on this masthead, or on its home masthead
    for a story this masthead does not run (which also names that masthead), with its
    picture, section, headline (``title`` if given, a curated item's own) and publish
    day."""
    href = _escaped(story_url({"request": request}, story))
    image = story.lead_image
    thumb = (f'<a class="other-news-thumb" href="{href}" tabindex="-1" aria-hidden="true">'
             f'{picture(image, crop=True, sizes="8rem", alt="")}</a>' if image else "")
    section = story.section
    place = _escaped(section.name) if section else None
    if not story.runs_here:
        place = _escaped(story.publication.name) + (f" · {place}" if section else "")
    shown = f'<p class="other-news-section">{place}</p>' if place is not None else ""
    published = story.publish_at
    # As ``{{ …|stamp }}`` gets the time: in the current zone (``expects_localtime``).
    day = stamp(template_localtime(published), "N j, Y")
    return mark_safe(
        f'<li class="other-news-item">\n  {thumb}\n  <div class="other-news-text">\n'
        f'    {shown}\n'
        f'    <a class="other-news-headline" href="{href}">'
        f'{_escaped(smartquotes(title or story.list_headline))}</a>\n'
        f'    <time datetime="{_escaped(isotime(published))}">{_escaped(day)}</time>\n'
        "  </div>\n</li>\n")
