""""In Other News": the stories listed under an article.

Curated items come first (an editor's own choice, in their order); automatic ones follow:
stories sharing the most tags, then stories from the same section, then the most recent.
Everything starts from ``Article.objects.published()``, so nothing unpublished, scheduled or
embargoed can appear, and the current story never lists itself.

The automatic items are the stories the masthead shows (``on``), or, when the masthead
draws In Other News from the whole network (``Publication.other_news_from_network``), the
stories of every masthead (``seen_from``): one this masthead does not run links to its page
on its home masthead.

Each batch costs one query, whatever the number of tags or items: the number of shared
tags is counted in a subquery, and one extra row is fetched to know whether more remain.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from articles.models import Article, TaggedArticle

BATCH_SIZE = 6
CANDIDATES = 300  # newest stories considered from each source (tags, section, all)
MAX_PAGE = 1000  # no reader pages this far; a bigger number is nonsense, not a query


@dataclass
class Batch:
    items: list
    number: int
    has_next: bool

    @property
    def next_number(self):
        return self.number + 1


def automatic_candidates(article, *, publication=None, exclude_ids=(), tag_ids=None):
    """Public stories for ``article``'s In Other News on ``publication`` (by default its
    home), best match first, never ``article`` itself. ``article.section_id`` is its section
    on that masthead (as ``on`` loads it)."""
    publication = publication or article.publication
    if tag_ids is None:
        tag_ids = [tag.pk for tag in article.tags.all()]
    shared_tags = (
        TaggedArticle.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=tag_ids)
        .order_by()
        .values("content_object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    same_section = (
        Case(When(run_section_id=article.section_id, then=Value(1)), default=Value(0),
             output_field=IntegerField())
        if article.section_id
        else Value(0, output_field=IntegerField())
    )
    published = Article.objects.published()
    here = published.on(publication)
    # Rank only a bounded set of candidates, the newest of each kind (sharing a tag, same
    # section, any), so the cost stays flat however large the archive grows. Drawn from
    # the network, the newest and those sharing a tag come from every masthead (the
    # network's newest-first index, ``article_network_idx``); a section is this masthead's.
    network = publication.other_news_from_network
    everywhere = published.newest_first() if network else here.newest_first()
    sources = [everywhere.values("pk")[:CANDIDATES]]
    if article.section_id:
        sources.append(here.filter(run_section_id=article.section_id)
                       .newest_first().values("pk")[:CANDIDATES])
    if tag_ids:
        sources.append(everywhere.filter(tagged_items__tag_id__in=tag_ids)
                       .values("pk")[:CANDIDATES])
    if connection.features.supports_slicing_ordering_in_compound:
        # One UNION of index-ordered LIMITs: the database looks up these few hundred
        # stories by id instead of testing every story against each list.
        candidates = Q(pk__in=sources[0].union(*sources[1:]) if len(sources) > 1
                       else sources[0])
    else:  # SQLite cannot LIMIT inside a UNION
        candidates = Q()
        for source in sources:
            candidates |= Q(pk__in=source)
    public = published.seen_from(publication) if network else here
    return (
        public.filter(candidates)
        .exclude(pk__in=[article.pk, *exclude_ids])
        .annotate(
            shared_tags=Coalesce(Subquery(shared_tags, output_field=IntegerField()), 0),
            same_section=same_section,
        )
        .select_related("lead_image")
        .order_by("-shared_tags", "-same_section", "-publish_at", "-pk")
    )


def curated_target_ids(related_items):
    return [item.target_id for item in related_items if item.target_id]


def automatic_batch(article, number, *, publication=None, exclude_ids=(), tag_ids=None,
                    size=BATCH_SIZE):
    """Batch ``number`` (from 1) of automatic items; Http404 for a page that cannot exist."""
    if number < 1 or number > MAX_PAGE:
        raise Http404("No such page.")
    start = (number - 1) * size
    rows = list(
        automatic_candidates(article, publication=publication, exclude_ids=exclude_ids,
                             tag_ids=tag_ids)[start : start + size + 1]
    )
    if number > 1 and not rows:
        raise Http404("No more stories.")
    return Batch(items=rows[:size], number=number, has_next=len(rows) > size)


def page_number(value):
    """A ``?page=`` value as a positive whole number, or Http404."""
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        raise Http404("No such page.") from None
    if not 1 <= number <= MAX_PAGE:
        raise Http404("No such page.")
    return number
