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
"""

import re
import secrets

from django.db.models import Prefetch, prefetch_related_objects
from django.template import Context
from django.template.loader import get_template

from articles.caching import fragments, keys
from articles.models import Byline

TEMPLATE = "includes/article_card.html"


def options(*, lead=False, eager=False, level=2, hide_section=False):
    """How a card is shown: the lead story's card, an eager (above the fold) picture, the
    heading level, and whether the section is left out (on the section's own page)."""
    return {"lead": bool(lead), "eager": bool(eager), "level": int(level or 2),
            "hide_section": bool(hide_section)}


def masthead_id(article):
    """The masthead whose card this is: each masthead shows a story with its own section,
    address and headline (``Article.show_as``)."""
    run = article.shown_run
    return run.publication_id if run is not None else article.publication_id


def build(article, shown):
    """The card's HTML and the keys of what it shows.

    The story's key covers its text and picture (a changed picture moves the key of every
    story it leads) and its runs (a masthead's headline or section for it). The section's
    name and address are the masthead's layout, whose key moves when a section changes;
    ``keys.section`` would be wrong here, as it moves with every story published into the
    section, and would throw away all its cards.
    """
    authors = article.authors()  # once: the card shows them and names their keys
    html = get_template(TEMPLATE).template.render(
        Context({"article": article, "authors": authors, **shown}, autoescape=True))
    shows = {keys.article(article.pk), keys.layout(masthead_id(article))}
    shows.update(keys.person(person.pk) for person in authors)
    return {"html": html}, shows


def load(articles):
    """The pictures and bylines of stories whose cards have to be built, in two queries
    whatever their number (the list itself loaded only what every page needs)."""
    prefetch_related_objects(
        list(articles), "lead_image",
        Prefetch("bylines", queryset=Byline.objects.select_related("person")),
    )


def render(article, shown):
    """One card, rendered at once (a page that does not collect its cards)."""
    load([article])
    return build(article, shown)[0]["html"]


class Batch:
    """The cards of one page, noted as the template renders and filled in afterwards."""

    def __init__(self):
        self.token = secrets.token_hex(8)
        self.cards = []  # (name, article, options), each name once
        self.positions = {}

    def placeholder(self, article, shown):
        card = keys.card(article.pk, masthead_id(article), shown)
        if card not in self.positions:
            self.positions[card] = len(self.cards)
            self.cards.append((card, article, shown))
        return f"<!--card:{self.token}:{self.positions[card]}-->"

    def fill(self, request, html):
        if not self.cards:
            return html
        missing = fragments.missing(request, [card for card, _article, _shown in self.cards])
        load(article for card, article, _shown in self.cards if card in missing)
        values = fragments.cached_many(request, [
            (card, lambda article=article, shown=shown: build(article, shown))
            for card, article, shown in self.cards
        ])
        pattern = re.compile(rf"<!--card:{self.token}:(\d+)-->")
        return pattern.sub(lambda match: values[int(match[1])]["html"], html)


def collect(request, response):
    """Have ``{% card %}`` in this response's template collect its cards, and fill them in
    once the response is rendered (a TemplateResponse's post-render callback)."""
    batch = request._card_batch = Batch()

    def fill(rendered):
        if batch.cards:
            rendered.content = batch.fill(request, rendered.content.decode(rendered.charset))

    response.add_post_render_callback(fill)
    return response
