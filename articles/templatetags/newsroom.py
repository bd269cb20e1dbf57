from django import template
from django.template.defaultfilters import date as django_date
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe

from articles import body_images
from articles.reading import typography
from articles.templatetags.pictures import _escaped

register = template.Library()


@register.filter
def people_links(people):
    """Linked names in English list form: "A", "A and B", "A, B and C". Escaped as
    ``format_html`` would (``_escaped``: without the lazy-string wrapper it cost more than
    the escaping, on every card with a byline)."""
    links = [f'<a href="{_escaped(p.get_absolute_url())}">{_escaped(p.full_name)}</a>'
             for p in people]
    if len(links) <= 2:
        return mark_safe(" and ".join(links))
    return mark_safe(f"{', '.join(links[:-1])} and {links[-1]}")


@register.simple_tag(takes_context=True)
def story_url(context, article):
    """Where a link to a story goes: its page on this masthead, or, for a story this
    masthead does not run (In Other News drawn from the network), its page on its home
    masthead."""
    if article.runs_here:
        return article.get_absolute_url()
    return article.home_url(context["request"])


@register.simple_tag(takes_context=True)
def other_news_item(context, story, title=None):
    """A story's line in "In Other News" (``articles.reading.other_news_items``): ``title``
    in place of its headline (a curated item's own)."""
    from articles.reading import other_news_items

    return other_news_items.render(story, context.get("request"), title)


@register.simple_tag
def story_body(article, absolute=None):
    """The sanitized body, with the dateline leading the first paragraph and library
    pictures shown with their renditions (``articles.body_images``; ``absolute`` makes
    full addresses, for feeds)."""
    # Cleaned on every save; quotes made typographic here, as the page is rendered.
    body = typography.smarten_html(body_images.render(article.body, absolute=absolute))
    dateline = article.dateline_display
    if not dateline:
        return mark_safe(body)
    marker = format_html('<span class="dateline">{}</span> ', dateline)
    if body.startswith("<p>"):
        return mark_safe(f"<p>{marker}{body[3:]}")
    return mark_safe(f"<p>{marker}</p>{body}")


@register.filter
def smartquotes(value):
    """“Typographic” quotes and apostrophes (``articles.reading.typography``): plain text
    stays plain (the template escapes it), HTML marked safe has only its text changed."""
    if isinstance(value, SafeData):
        return mark_safe(typography.smarten_html(str(value)))
    return typography.smarten_text(value)


@register.simple_tag(takes_context=True)
def share_links(context, article):
    """``{% share_links article as links %}``: [(label, href), …] for the story's canonical
    address (``articles.reading.sharing``): what its ``og:url`` and ``rel=canonical`` name,
    so a story shared from a sister masthead, or first published elsewhere, is counted
    and previewed as one story wherever it is shared from."""
    from articles.distribution.metadata import canonical_url
    from articles.reading import sharing

    url = canonical_url(article, context["request"])
    return {"url": url, "title": article.headline, "links": sharing.share_links(url, article.headline)}


@register.filter
def snippet_html(snippet):
    """A search snippet, escaped, with the matched words in <mark>."""
    from articles.reading.search import snippet_html as render

    return render(snippet)


# {(time, its zone, format, language): text} of ``stamp``; a card or a Latest line shows the
# same story's time on every build of a page. Bounded: emptied once it holds this many.
_STAMPS = {}
_STAMPS_KEPT = 4096


@register.filter(expects_localtime=True, is_safe=False)
def stamp(value, arg=None):
    """``|date``, remembered: the same text as ``{{ value|date:arg }}`` (the time in the
    current zone, names in the active language), formatted once per process for each time,
    zone, format and language (a format given as such, as "N j, Y"; one named in settings,
    as "DATE_FORMAT", is not remembered). Django's formatter cost a seventh of building a
    card."""
    if value in (None, ""):
        return ""
    if arg is None or arg in formats.FORMAT_SETTINGS:
        return django_date(value, arg)  # a format named in settings: read from them each time
    # The zone and its offset too: equal times in two zones, or either side of a change of
    # clocks, compare equal but read differently.
    utcoffset = getattr(value, "utcoffset", None)
    key = (type(value), value, getattr(value, "tzinfo", None), utcoffset and utcoffset(),
           arg, translation.get_language())
    try:
        text = _STAMPS.get(key)
    except TypeError:  # not hashable: not a date, and |date says what it says of it
        return django_date(value, arg)
    if text is None:
        if len(_STAMPS) >= _STAMPS_KEPT:
            _STAMPS.clear()
        text = _STAMPS[key] = django_date(value, arg)
    return text


@register.filter
def isotime(value):
    """A ``<time datetime>`` value in the newsroom's zone, to the second (HTML allows at
    most three digits of fractions; ``date:'c'`` gives six)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.simple_tag(takes_context=True)
def card(context, article, **shown):
    """A story's card: ``{% card article level=3 hide_section=True %}`` (options: lead,
    eager, level, hide_section). Cards are cached one by one (``articles.caching.cards``): on a
    page that collects them this writes a placeholder, filled in once the page is
    rendered; elsewhere the card is rendered here."""
    from articles.caching import cards

    shown = cards.options(**shown)
    batch = getattr(context.get("request"), "_card_batch", None)
    if batch is None:
        return mark_safe(cards.render(article, shown))
    return mark_safe(batch.placeholder(article, shown))


@register.simple_tag(takes_context=True)
def latest_item(context, article):
    """A story's line in the front page's list of the latest stories, cached one by one as
    cards are (``articles.caching.cards``); rendered here on a page that does not collect
    them."""
    from articles.caching import cards

    batch = getattr(context.get("request"), "_card_batch", None)
    if batch is None:
        return mark_safe(cards.build_latest(article)[0]["html"])
    return mark_safe(batch.latest_placeholder(article))


@register.simple_tag(takes_context=True)
def site_chrome(context, part):
    """The masthead with its section menu ("header") or the footer ("footer").

    The same on every page of a publication but for which section is current, so both are
    built once and cached together (``articles.caching.fragments``) under the publication's layout
    key, which any change to the publication or its sections moves on.
    """
    from django.template.loader import render_to_string

    from articles.caching import cards, fragments, keys

    request = context.get("request")
    publication = context.get("publication")
    section = context.get("section")

    def build(flat=None):
        flat = flat or chrome_context(context)
        value = {name: render_to_string(f"includes/site_{name}.html", flat, request)
                 for name in ("header", "footer")}
        return value, {keys.layout(publication.pk)}

    if request is None or not publication:  # no publication configured: a 404 page
        flat = chrome_context(context)
        return mark_safe(render_to_string(f"includes/site_{part}.html", flat, request))
    name = keys.chrome(publication, section)
    batch = context.get(cards.BATCH)
    if batch is not None:
        # Looked up with the page's cards, in one round trip; built, if it has to be, once
        # the page is rendered, from the context as it is here.
        flat = chrome_context(context)
        return mark_safe(batch.part_placeholder(name, lambda: build(flat), part))
    chrome = getattr(request, "_site_chrome", None)
    if chrome is None:
        chrome = request._site_chrome = fragments.cached(request, name, build)
    return chrome[part]


def chrome_context(context):
    """The page's context, flattened, for the chrome's templates, with the section menu's
    links as ``nav_links``: [(address, name, whether it is the page's section), …] of
    ``nav_sections``, worked out here once each. The menu's template read each through
    the section (an attribute is found after failing to subscript it) and looked for a
    current section on every page that has none: a tenth of building a story page."""
    flat = context.flatten()
    current = flat.get("section")
    current = getattr(current, "pk", None) if current else None
    flat["nav_links"] = [(s.get_absolute_url(), s.name, current is not None and current == s.pk)
                         for s in flat.get("nav_sections") or ()]
    return flat


@register.simple_tag(takes_context=True)
def filter_fields(context, filterset):
    """The fields of the story filter form (search, all stories).

    Their choices list every section and every author with a public story, which is
    slow to render and the same for every search, so while no filter is set they are
    cached (``articles.caching.fragments``) under the keys of those lists.
    """
    from django.template.loader import render_to_string

    from articles.caching import fragments, keys

    request = context.get("request")
    publication = context.get("publication")

    def render():
        return render_to_string("includes/filter_fields.html", {"filter": filterset}, request)

    def build():
        html = render()
        pk = publication.pk
        # Sections (layout), authors with a public story (publication, sitemap: bylines)
        # and their names (people).
        return {"html": html}, {keys.layout(pk), keys.publication(pk), keys.sitemap(pk),
                                keys.PEOPLE}

    filtering = any(filterset.data.get(name) for name in filterset.filters)
    if filtering or request is None or not publication:
        return mark_safe(render())
    return fragments.cached(request, keys.filter_fields(publication.pk), build)["html"]
