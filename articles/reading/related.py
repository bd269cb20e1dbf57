""""In Other News": the stories listed under an article.

Curated items come first (an editor's own choice, in their order); automatic ones follow:
stories sharing the most tags, then stories from the same section, then the most recent.
Everything starts from ``Article.objects.published()``, so nothing unpublished, scheduled or
embargoed can appear, and the current story never lists itself.

The automatic items are the stories the masthead shows (``on``), or, when the masthead
draws In Other News from the whole network (``Publication.other_news_from_network``), the
stories of every masthead (``seen_from``): one this masthead does not run links to its page
on its home masthead.

Each batch costs the same queries whatever the number of tags or items (one; on
PostgreSQL, the ranking of the stories' ids, then the stories): the number of shared tags
is counted in a subquery, and one extra row is fetched to know whether more remain.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, connections, router
from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from articles.models import Article, Publication, TaggedArticle
from articles.reading.compiled import CompiledQuery, list_size, listed

BATCH_SIZE = 6
# Newest stories considered from each source (each tag, the section, the masthead). The box
# shows six and Load More pages on: thirty a source (up to 150 stories for a story with a
# section and three tags, some twenty-five batches) is more than a reader pages through,
# and a related box is about recent news; every candidate costs the query a story and a
# run lookup, so a hundred cost three times as much for batches nobody opens. Thirty fill
# every tag's list already on a small archive, so a larger one only makes the indexes
# deeper, not the lists longer; Load More still reaches the last candidate.
CANDIDATES = 30
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
    public, ranking, order = _ranking(article, publication, tag_ids)
    return (
        public.filter(_candidates(article, publication, tag_ids))
        .exclude(pk__in=[article.pk, *exclude_ids])
        .annotate(**ranking)
        .select_related("lead_image")
        .defer("body")  # an item never shows the text
        .order_by(*order)
    )


def _sources(publication, section_id, tag_ids, *, at=None, one_walk=False):
    """The lists candidates come from, each in the order of the index it is read from:
    for a story in section ``section_id`` (or None) with tags ``tag_ids``, as masthead
    ``publication`` shows it (at time ``at``, by default now). Two lists of lists: the
    masthead's newest (and the section's), and one for each tag; or, ``one_walk`` (for
    PostgreSQL), one for all the tags, which walks each tag's index in turn
    (``_latest_sql``): the same stories, from one relation to plan instead of one a tag."""
    published = Article.objects.published(at=at)
    here = published.on(publication)
    if publication.other_news_from_network:
        # Every masthead's stories, with this masthead's run where it has one.
        everywhere = published.seen_from(publication)
        sources = [everywhere.order_by("-publish_at", "-pk")]
    else:
        everywhere = here
        sources = [here.newest_first()]
    if section_id:
        sources.append(here.filter(run_section_id=section_id).newest_first())
    # Each tag's latest written stories are read from its index alone, a bounded walk the
    # planner cannot turn into joining every story that carries the tag (a LIMITed
    # subquery stays one); those of them this masthead shows are the tag's candidates.
    if one_walk:
        latest = RawSQL(f"SELECT l.id FROM ({_latest_sql()}) l",
                        (list(dict.fromkeys(tag_ids)), CANDIDATES))
        return sources, [everywhere.filter(pk__in=latest)]
    tag_lists = [
        everywhere.filter(pk__in=TaggedArticle.objects.filter(tag_id=tag_id)
                          .order_by("-content_object_id")
                          .values("content_object_id")[:CANDIDATES])
        .order_by("-pk")
        for tag_id in dict.fromkeys(tag_ids)
    ]
    return sources, tag_lists


def _latest_sql():
    """SQL of each tag's latest written stories, ``CANDIDATES`` of them: rows (tag id,
    story id), each tag's read in order from ``tagged_latest_idx`` and cut short (a
    bounded walk, however many stories carry the tag). Its parameters: the tags as one
    array, then the length of each list."""
    tagged = connection.ops.quote_name(TaggedArticle._meta.db_table)
    return ("SELECT r.tag, w.id FROM unnest(%s::bigint[]) r (tag), LATERAL (SELECT "
            f"content_object_id FROM {tagged} WHERE tag_id = r.tag ORDER BY 1 DESC LIMIT %s) "
            "w (id)")


def _ranking(article, publication, tag_ids, *, at=None):
    """(the public stories, the ranking annotations, the order) for ``article``'s In
    Other News on ``publication``: shared tags, then the same section, then the newest."""
    shares = Q(tag_id__in=tag_ids)
    # COUNT(*) over the story's rows without GROUP BY: one row, 0 when it shares none, a
    # subquery the planner plans as a plain aggregate (no grouping, no COALESCE of none).
    shared_tags = (
        TaggedArticle.objects.filter(shares, content_object_id=OuterRef("pk"))
        .order_by()
        .annotate(n=Func(function="COUNT", template="COUNT(*)", output_field=IntegerField()))
        .values("n")
    )
    same_section = (
        Case(When(run_section_id=article.section_id, then=Value(1)), default=Value(0),
             output_field=IntegerField())
        if article.section_id
        else Value(0, output_field=IntegerField())
    )
    published = Article.objects.published(at=at)
    public = (published.seen_from(publication) if publication.other_news_from_network
              else published.on(publication))
    ranking = {"shared_tags": Subquery(shared_tags, output_field=IntegerField()),
               "same_section": same_section}
    return public, ranking, ("-shared_tags", "-same_section", "-publish_at", "-pk")


def _candidates(article, publication, tag_ids):
    """A filter for the candidates: a bounded set, each read in order from an index, so
    the cost stays flat however large the archive grows: the masthead's newest (its runs'
    listing index) and its section's newest (the runs' section index), or drawn from the
    network the newest of every masthead (``article_network_idx``); and for each of the
    story's tags, its latest written stories (``tagged_latest_idx``, one tag at a time;
    the newest by publish time would mean joining and sorting every story that carries
    the tag, thousands of them on a large archive)."""
    lists, tag_lists = _sources(publication, article.section_id, tag_ids)
    sources = [source.values("pk")[:CANDIDATES] for source in [*lists, *tag_lists]]
    if connection.features.supports_slicing_ordering_in_compound:
        # One UNION of index-ordered LIMITs: the database looks up these few hundred
        # stories by id instead of testing every story against each list.
        return Q(pk__in=sources[0].union(*sources[1:]) if len(sources) > 1 else sources[0])
    candidates = Q()  # SQLite cannot LIMIT inside a UNION
    for source in sources:
        candidates |= Q(pk__in=source)
    return candidates


def curated_target_ids(related_items):
    return [item.target_id for item in related_items if item.target_id]


def automatic_batch(article, number, *, publication=None, exclude_ids=(), tag_ids=None,
                    size=BATCH_SIZE):
    """Batch ``number`` (from 1) of automatic items; Http404 for a page that cannot exist."""
    if number < 1 or number > MAX_PAGE:
        raise Http404("No such page.")
    start = (number - 1) * size
    publication = publication or article.publication
    if tag_ids is None:
        tag_ids = [tag.pk for tag in article.tags.all()]
    if connection.vendor == "postgresql":
        rows = _compiled_batch(article, publication, tag_ids,
                               [article.pk, *exclude_ids], start, size + 1)
    else:
        rows = list(
            automatic_candidates(article, publication=publication, exclude_ids=exclude_ids,
                                 tag_ids=tag_ids)[start : start + size + 1]
        )
    if number > 1 and not rows:
        raise Http404("No more stories.")
    return Batch(items=rows[:size], number=number, has_next=len(rows) > size)


# What an item never shows (templates/includes/other_news_item.html, the API's link to
# it): not loaded for a batch, so that its SQL stays under the 4,096 characters psycopg
# keeps parsed (a longer query is split for its parameters again on every request).
ITEM_UNREAD = ("body", "kicker", "dek", "dateline", "summary", "first_published_at",
               "updated_at", "priority", "seo_title", "seo_description", "canonical_url",
               "version", "created_by", "review_note", "created_at", "modified_at",
               "status", "embargo_until", "lead_image__caption", "lead_image__credit",
               "lead_image__created_at", "run__created_at", "run__section__description",
               "run__section__order")
# Drawn from the network, an item also names its story's home masthead and section (its
# link goes to the home masthead's address: ``Publication.url_for`` reads the domain).
NETWORK_ITEM_UNREAD = ("publication__slug", "publication__tagline", "publication__logo",
                       "publication__language", "publication__accent_color",
                       "publication__is_default", "section__publication", "section__slug",
                       "section__description", "section__order")


def _window_sql(article, publication, tag_ids, excluded, offset, limit, *, at=None):
    """(sql, params) of the ids of one batch, best match first, for PostgreSQL.

    Each source of candidates reads, from its index, the ids with what they are ranked on
    (publish time, section on this masthead); the ranking then looks at those hundred or
    so rows alone and never joins a candidate to its story again (the planner used to join
    the candidates to every public story of the archive to do so).

    A candidate's shared tags are counted from the tags' lists it appears in (each tag's
    list walked once more, ``_latest_sql``, and kept for the query): each tag's list holds
    every story carrying the tag written after the list's oldest (its latest written,
    ``CANDIDATES`` of them; all of them if fewer), so for a candidate written after the
    oldest of every full list, appearing in a tag's list is carrying the tag. Only a
    candidate written before that (one of the masthead's or section's newest that was
    written long ago, or one of a tag's older than another tag's list) is looked up in the
    tags' unique index, a B-tree that reads one page more for each level the archive's
    growth adds. (The candidates' stories and runs are looked up through hash indexes,
    one bucket page at any size: migration 0022.)"""
    union_sql, union_params = _union_sql(publication, article.section_id, tag_ids, at=at)
    tagged = connection.ops.quote_name(TaggedArticle._meta.db_table)
    probe = f"SELECT COUNT(*) FROM {tagged} WHERE content_object_id = c.pk AND tag_id = ANY(%s)"
    # (Short: psycopg keeps the whole query parsed only under 4,096 characters.)
    sql = (
        f"WITH lists AS MATERIALIZED ({_latest_sql()}) "
        f"SELECT c.pk FROM ({union_sql}) c (pk, published, section) "
        "LEFT JOIN (SELECT id, COUNT(*) FROM lists GROUP BY id) n (pk, listed) USING (pk) "
        "WHERE NOT c.pk = ANY(%s) "
        # The id from which every tag's list is whole: the highest of the full lists'
        # oldest ids (None when no list is full: each then holds every story with its tag).
        "ORDER BY CASE WHEN c.pk < (SELECT MAX(f.m) FROM (SELECT CASE WHEN COUNT(*) = %s "
        "THEN MIN(id) END FROM lists GROUP BY tag) f (m)) "
        f"THEN ({probe}) ELSE COALESCE(n.listed, 0) END DESC, "
        "(c.section = %s) IS TRUE DESC, c.published DESC, c.pk DESC LIMIT %s OFFSET %s"
    )
    tags = list(dict.fromkeys(tag_ids))
    return sql, (tags, CANDIDATES, *union_params, list(excluded), CANDIDATES, tags,
                 article.section_id, limit, offset)


# One batch's query, and the union of the sources inside it, for each shape of story
# (drawn from the network or from one masthead, with a section or not), compiled once
# per process (articles/reading/compiled.py): compiling the union's querysets and the
# ranking around them cost more than PostgreSQL took to answer. They are compiled with
# stand-in values, and each story's own take their places (its tags as one array, so
# one query serves any number of them).
_STAND_IN_NOW = datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC)
_STAND_IN_ID = -7_000_000  # the masthead's; the section's is one less, the tag's two
_unions = {}


def _stand_ins(network, has_section):
    """(publication, section id, tag ids, {name: stand-in}) for one shape of story."""
    ids = [_STAND_IN_ID - n for n in range(3)]
    publication = Publication(pk=ids[0], other_news_from_network=network)
    section_id = ids[1] if has_section else None
    names = {"now": _STAND_IN_NOW, "publication": ids[0],
             **({"section": section_id} if has_section else {}), "tags": ids[2:]}
    return publication, section_id, ids[2:], names


def _values(publication, section_id, tag_ids, at):
    return {"now": at or timezone.now(), "publication": publication.pk,
            **({"section": section_id} if section_id else {}),
            "tags": list(dict.fromkeys(tag_ids))}


def _shape(publication, section_id):
    return (publication.other_news_from_network, bool(section_id), CANDIDATES)


def _union(publication, section_id, tag_ids, *, at=None):
    """The sources' candidates, each once: (id, publish time, section shown here)."""
    lists, tag_lists = _sources(publication, section_id, tag_ids, at=at, one_walk=True)
    sources = [
        source.annotate(shown_section=F("run_section_id"))
        .values_list("pk", "publish_at", "shown_section")[:CANDIDATES] for source in lists
    ] + [  # each tag's list is cut short already
        source.annotate(shown_section=F("run_section_id"))
        .values_list("pk", "publish_at", "shown_section").order_by() for source in tag_lists
    ]
    return sources[0].union(*sources[1:])


def _union_sql(publication, section_id, tag_ids, *, at=None):
    """(sql, params) of the union of the sources' candidates (id, publish time, section
    shown on this masthead), as ``_union`` builds it, at time ``at`` (by default now)."""
    shape = _shape(publication, section_id)
    if shape not in _unions:
        stand_in, section, tags, names = _stand_ins(*shape[:2])
        _unions[shape] = CompiledQuery(_union(stand_in, section, tags, at=_STAND_IN_NOW),
                                       names, using=router.db_for_read(Article))
    return _unions[shape].sql_with_params(**_values(publication, section_id, tag_ids, at))


def batch_sql(article, publication, tag_ids, excluded, offset, limit, *, at=None):
    """(sql, params) of the ids of one batch, ranked, as ``_compiled_batch`` runs it (at
    time ``at``, by default now): what bench/explain_other_news.py explains."""
    return _window_sql(article, publication, tag_ids, excluded, offset, limit, at=at)


def _compiled_batch(article, publication, tag_ids, excluded, offset, limit):
    """One batch's stories on PostgreSQL, in two queries: their ids, ranked
    (``batch_sql``), then those stories (``_items``), in that order.

    One query around both (the stories whose ids the ranking gives, ranked again to keep
    its order) took PostgreSQL half as long again to plan as the ranking alone (1.2 ms
    against 0.7 at 10,000 stories) and had it count each item's shared tags a second time;
    the second query is the same on every story page but for the ids, so it is prepared,
    and costs a lookup by key (the story page took 1.7 ms less in all)."""
    sql, params = batch_sql(article, publication, tag_ids, excluded, offset, limit)
    with connections[router.db_for_read(Article)].cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    return _items(publication, ids)


_items_by_id = {}  # (database, drawn from the network, list size) -> CompiledQuery


def _items(publication, ids):
    """The stories ``ids`` as In Other News shows them on ``publication`` (``ITEM_UNREAD``
    left unread), in the order of ``ids``: SQL compiled once per process, database, kind
    of masthead and length of list (``compiled.list_size``), and prepared."""
    if not ids:
        return []
    alias = router.db_for_read(Article)
    network = publication.other_news_from_network
    size = list_size(len(ids))
    query = _items_by_id.get((alias, network, size))
    if query is None:
        stand_ins = listed("id", range(_STAND_IN_ID - 200, _STAND_IN_ID - 200 - size, -1), size)
        query = _items_by_id[alias, network, size] = CompiledQuery(
            _items_queryset(_STAND_IN_ID, network, list(stand_ins.values())),
            {"publication": _STAND_IN_ID, **stand_ins}, using=alias, prepared=True)
    found = {story.pk: story for story in query.results(
        publication=publication.pk, **listed("id", ids, size))}
    return [found[pk] for pk in ids if pk in found]


def _items_queryset(publication_id, network, ids):
    """The stories ``ids`` (in no order) as In Other News loads them on masthead
    ``publication_id``: as it shows them, or, drawn from the network, each as its home
    masthead shows a story this one does not run. The ranking read them from
    ``published()`` already."""
    if network:
        shown = Article.objects.seen_from(publication_id)
        unread = (*ITEM_UNREAD, *NETWORK_ITEM_UNREAD)
    else:
        shown = Article.objects.on(publication_id)
        unread = ITEM_UNREAD
    return shown.among(ids).select_related("lead_image").defer(*unread).order_by()


def page_number(value):
    """A ``?page=`` value as a positive whole number, or Http404."""
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        raise Http404("No such page.") from None
    if not 1 <= number <= MAX_PAGE:
        raise Http404("No such page.")
    return number
