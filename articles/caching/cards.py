"""Story cards on listing pages, each cached as a part of pages (``articles.caching.fragments``).

A listing page shows 20 to 50 cards, and rendering them (pictures, bylines, dates) is most
of the cost of building the page. A card changes only when its story, section, authors or
picture do, not when another story is published, so after a publish the home page needs
one new card, not fifty.

Cards are rendered in two passes. While the page's template renders, ``{% card %}`` writes
a placeholder and notes the card; once the page is rendered, ``fill`` looks every noted
card up at once (one lookup for the page), builds the missing ones, stores them together
and puts each in its place. The placeholder carries a token drawn for this request, so no
text in a story can pose as one.

A page may name its stories by id alone (``Listed``): while their cards are in the cache it
needs nothing more of them, and the stories whose cards have to be built are loaded whole,
together, once the page knows which. The front page's list of the latest stories is made
of such parts too, one line per story (``latest_placeholder``).
"""

import re
import secrets
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from articles.caching import fragments, keys
from articles.models import Byline

TEMPLATE = "includes/article_card.html"
LATEST_TEMPLATE = "includes/latest_item.html"
# Where a page's template finds the batch its parts are gathered in (``collect``).
BATCH = "page_parts"
# A placeholder: the request's token, the part's position, which of its HTML strings. One
# pattern for every request (a pattern with the token in it was compiled for each page).
PLACEHOLDER = re.compile(r"<!--card:([0-9a-f]+):(\d+):(\w+)-->")


class Listed:
    """A story on a list page known by its id and the masthead listing it: all its card's
    name needs. Building a model instance per story (and its run, section and publication)
    was most of the cost of a front page whose cards were all in the cache."""

    __slots__ = ("pk", "masthead_id")

    def __init__(self, pk, masthead_id):
        self.pk, self.masthead_id = pk, masthead_id

    def __repr__(self):
        return f"<Listed story {self.pk} on masthead {self.masthead_id}>"


def options(*, lead=False, eager=False, level=2, hide_section=False):
    """How a card is shown: the lead story's card, an eager (above the fold) picture, the
    heading level, and whether the section is left out (on the section's own page)."""
    return {"lead": bool(lead), "eager": bool(eager), "level": int(level or 2),
            "hide_section": bool(hide_section)}


def masthead_id(article):
    """The masthead whose card this is: each masthead shows a story with its own section,
    address and headline (``Article.show_as``)."""
    if isinstance(article, Listed):
        return article.masthead_id
    run = article.shown_run
    return run.publication_id if run is not None else article.publication_id


# The card and line templates as Django's loader finds them, looked up once per process
# (``template``): the cached loader still cost a lookup per card.
_templates = {}


def template(name):
    """The template ``name`` (Django's own, as ``get_template(name).template``), looked up
    once per process; in DEBUG, each time, so that an edited template shows at once."""
    if settings.DEBUG:
        return get_template(name).template
    found = _templates.get(name)
    if found is None:
        found = _templates[name] = get_template(name).template
    return found


def build(article, shown):
    """The card's HTML and the keys of what it shows.

    The story's key covers its text and picture (a changed picture moves the key of every
    story it leads) and its runs (a masthead's headline or section for it). The section's
    name and address are the masthead's layout, whose key moves when a section changes;
    ``keys.section`` would be wrong here, as it moves with every story published into the
    section, and would throw away all its cards.
    """
    authors = article.authors()  # once: the card shows them and names their keys
    # What the template reads of the story, each read once, in a dict (a template finds a
    # dict's key at its first try; an attribute after failing to subscript the story). The
    # heading level as text: a number is localized each time it is written.
    card = {"url": article.get_absolute_url(), "image": article.lead_image,
            "kicker": article.kicker, "section": article.section,
            "headline": article.list_headline, "summary": article.summary,
            "published": article.publish_at, "heading": str(shown["level"])}
    html = template(TEMPLATE).render(Context(
        {"article": article, "authors": authors, "card": card, **shown}, autoescape=True))
    shows = {keys.article(article.pk), keys.layout(masthead_id(article))}
    shows.update(keys.person(person.pk) for person in authors)
    return {"html": html}, shows


def build_latest(article):
    """A story's line in the front page's list of the latest stories, and its keys: the
    story's (its time, headline and address on this masthead) and the masthead's layout
    (its section's name)."""
    line = {"url": article.get_absolute_url(), "section": article.section,
            "headline": article.list_headline, "published": article.publish_at}
    html = template(LATEST_TEMPLATE).render(
        Context({"article": article, "line": line}, autoescape=True))
    return {"html": html}, {keys.article(article.pk), keys.layout(masthead_id(article))}


# What of a story no card or line reads: its text and the editors' side of it. Left
# unread, a story loads four of its six time stamps fewer (each made an aware datetime, a
# fifth of loading the stories) and no long text. A card that read one of them would cost
# a query per card, which the tests of query counts show (tests/test_reading_pages.py,
# tests/test_card_stories.py).
UNREAD = ("body", "dek", "dateline", "review_note", "seo_title", "seo_description",
          "canonical_url", "embargo_until", "first_published_at", "updated_at", "modified_at",
          # Only a story without a publish time (never a public one) is dated by it.
          "created_at")
# Nor of what is loaded with a story: its picture's words and time stamp, its run's times
# and its section's description and order. A time stamp left unread is an aware datetime
# fewer to make for each of them.
UNREAD_WITH = ("lead_image__caption", "lead_image__credit", "lead_image__created_at",
               "run__publish_at", "run__created_at",
               "run__section__description", "run__section__order")
# What a card reads of a byline: its role, and its person's name and address (the author
# page's). A person is loaded without the rest (the bios, the portrait, the time stamps):
# the portrait alone cost a file object and a signal's work for each person.
BYLINE_READ = ("article", "person", "role", "order", "person__full_name", "person__slug")


def for_building(stories):
    """``stories`` (a masthead's: ``on``) as the cards to be built read them: with their
    sections (their runs') and pictures, without what they never show (``UNREAD``,
    ``UNREAD_WITH``). Unlike ``for_cards``, not with their publications: a card or a line
    never shows it (a model instance less per story)."""
    return stories.select_related("lead_image").defer(*UNREAD, *UNREAD_WITH)


def bylines():
    """The bylines a card shows, with their people (prefetched as a story's ``bylines``),
    as much of them as a card reads (``BYLINE_READ``)."""
    return Byline.objects.select_related("person").only(*BYLINE_READ)


def load(articles):
    """The pictures and bylines of stories whose cards have to be built, in two queries
    whatever their number (the list itself loaded only what every page needs). Stories
    loaded with theirs already (``Batch``'s ``stories``) are left as they are."""
    pending = [article for article in articles
               if "bylines" not in getattr(article, "_prefetched_objects_cache", ())]
    prefetch_related_objects(pending, "lead_image", Prefetch("bylines", queryset=bylines()))


def render(article, shown):
    """One card, rendered at once (a page that does not collect its cards)."""
    load([article])
    return build(article, shown)[0]["html"]


@contextmanager
def building():
    """The current time zone and language, activated while a page's parts are built, as
    they were (the zone restored exactly; the language left active, as
    ``translation.override`` leaves it).

    A card reads the zone three times (its address's day, its time twice) and a card or a
    line the language once (``|stamp``). With none activated, which is every request's case,
    each read is a failed lookup in asgiref's ``Local``, an exception raised and caught:
    about three times the cost of finding an activated one, 190 of them on a front page
    built with every cache off."""
    with timezone.override(timezone.get_current_timezone()), \
            translation.override(translation.get_language()):
        yield


class Batch:
    """The parts of one page (cards, lines of the latest list, the masthead and footer),
    noted as the template renders and filled in afterwards, all looked up at once.
    ``stories(ids, carded)`` gives {id: story} of the page's ``Listed`` stories whose parts
    have to be built, as ``for_building`` loads them from the stories the page may show
    (none it may no longer show), those in ``carded`` (a card's, not only a Latest line's)
    with their ``bylines()`` prefetched."""

    def __init__(self, stories=None):
        self.token = secrets.token_hex(8)
        self.stories = stories
        # (name, story, options or None for a latest line), each name once; a part that is
        # not a story's has no story, and its ``build`` in place of the options.
        self.parts = []
        self.positions = {}
        # A page rendered from its skeleton (``articles.caching.skeletons``): the
        # skeleton's placeholders count its slots, and slot i is this batch's part remap[i].
        self.remap = None

    def _position(self, name, article, shown):
        position = self.positions.get(name)
        if position is None:
            position = self.positions[name] = len(self.parts)
            self.parts.append((name, article, shown))
        return position

    def _note(self, name, article, shown, field="html"):
        return f"<!--card:{self.token}:{self._position(name, article, shown)}:{field}-->"

    def placeholder_position(self, article, shown):
        return self._position(keys.card(article.pk, masthead_id(article), shown), article, shown)

    def latest_position(self, article):
        return self._position(keys.latest_item(article.pk, masthead_id(article)), article, None)

    def placeholder(self, article, shown):
        return f"<!--card:{self.token}:{self.placeholder_position(article, shown)}:html-->"

    def latest_placeholder(self, article):
        return f"<!--card:{self.token}:{self.latest_position(article)}:html-->"

    def part_placeholder(self, name, build, field):
        """Any other part of the page (the masthead and footer), looked up with the cards:
        ``build()`` gives its value and keys, as for ``fragments.cached``; ``field`` says
        which of its HTML strings goes here."""
        return self._note(name, None, build, field)

    def whole(self, needed):
        """{id: story} for the ``Listed`` among ``needed`` ([(story, options), …]), loaded
        whole (``stories``). A story no longer public since the page listed it is left out
        (its part is then empty)."""
        ids, carded = set(), set()
        for article, shown in needed:
            if isinstance(article, Listed):
                ids.add(article.pk)
                if shown is not None:
                    carded.add(article.pk)
        if not ids:
            return {}
        return self.stories(ids, carded)

    def fill(self, request, html):
        if not self.parts:
            return html
        missing = fragments.missing(request, [name for name, _article, _shown in self.parts])
        needed = [(article, shown) for name, article, shown in self.parts
                  if name in missing and article is not None]
        loaded = self.whole(needed)

        def story(article):
            return loaded.get(article.pk) if isinstance(article, Listed) else article

        load(story(article) for article, shown in needed
             if shown is not None and story(article) is not None)

        def builder(article, shown):
            if article is None:
                return shown  # not a story's part: its own build
            def make():
                whole = story(article)
                if whole is None:
                    return {"html": ""}, {keys.article(article.pk)}
                return build_latest(whole) if shown is None else build(whole, shown)
            return make

        with building() if missing else nullcontext():
            values = fragments.cached_many(request, [
                (name, builder(article, shown)) for name, article, shown in self.parts])

        remap = self.remap

        def part(match):
            if match[1] != self.token:
                return match[0]  # not this page's placeholder: left as it is
            position = int(match[2])
            return values[position if remap is None else remap[position]][match[3]]

        return PLACEHOLDER.sub(part, html)


def collect(request, response, stories=None):
    """Have ``{% card %}`` in this response's template collect its cards, and fill them in
    once the response is rendered (a TemplateResponse's post-render callback). ``stories``:
    a callable giving the page's ``Listed`` stories by id, loaded for their cards (``Batch``)."""
    batch = request._card_batch = Batch(stories)
    if isinstance(response.context_data, dict):
        # The page's own template gathers its masthead with the cards (``site_chrome``);
        # an error page rendered for this request instead never leaves it to a batch.
        response.context_data[BATCH] = batch

    def fill(rendered):
        if batch.parts:
            rendered.content = batch.fill(request, rendered.content.decode(rendered.charset))

    response.add_post_render_callback(fill)
    return response
