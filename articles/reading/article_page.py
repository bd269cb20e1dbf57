"""A story's page, assembled from parts cached apart (``articles.caching.fragments``).

The page is the story itself (its <head> metadata and its <article> element), which
changes when the story is edited, and its "In Other News" list, which changes whenever the
masthead's stories do (the network's, when the masthead draws it from every masthead); the masthead and footer are the site chrome, cached by the
``site_chrome`` tag. A third part, the story's *address*, says which story a slug is,
where it lives and in which section, so that while all three are current the page is
answered without a query (``cached_story``, ``cached_parts``).

``ArticleDetailView`` (``articles.reading.views``) decides when to use which; previews
build every part afresh and keep none.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, router
from django.db.models import (
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import JSONObject
from django.db.models.query import MAX_GET_RESULTS
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape
from taggit.models import Tag

from articles import body_images
from articles.caching import fragments, keys
from articles.models import (
    Article,
    Byline,
    Correction,
    MastheadBio,
    Publication,
    RelatedItem,
    Section,
    TaggedArticle,
)
from articles.reading import typography
from articles.reading.compiled import CompiledQuery, keep_prefetched
from articles.reading.related import automatic_batch, curated_target_ids


@dataclass(frozen=True)
class CachedStory:
    """The story a page is about when every part of the page comes from the cache.

    It stands in for the ``Article``, which is then never read from the database: it
    knows only what the page around the parts needs (which story, which publication and
    section, the canonical path), as kept in the story's address part.
    """

    pk: int
    publication_id: int
    section: Section | None
    path: str


def public_stories(publication, *, at=None):
    """The stories readers may open a page of on masthead ``publication`` at time ``at``
    (by default now), loaded as the page reads them (``as_the_page_reads``)."""
    return as_the_page_reads(Article.objects.published(at=at).on(publication))


def as_the_page_reads(stories):
    """``stories`` loaded as a story's page reads them: with the lead picture, the home
    publication (a sister masthead's page names it), and whether the story has curated
    items and corrections (``has_related_items``, ``has_corrections``)."""
    # Most stories have neither: knowing it with the story spares the page the query
    # for each (``prefetch_story``), two of its six round trips.
    annotations = {
        "has_related_items": Exists(RelatedItem.objects.filter(article=OuterRef("pk"))),
        "has_corrections": Exists(Correction.objects.filter(article=OuterRef("pk"))),
    }
    if connections[stories.db].vendor == "postgresql":
        # And its tags, by name as ``Article.tags`` orders them (``TAG_FIELDS`` of each, as
        # an array): a round trip fewer, which the ranking of In Other News, a query of
        # its own on PostgreSQL, takes back.
        annotations["tag_rows"] = ArraySubquery(
            TaggedArticle.objects.filter(content_object=OuterRef("pk"))
            .order_by("tag__name", "tag_id")
            .values(row=JSONObject(**{name: f"tag__{name}" for name in TAG_FIELDS})))
    return stories.select_related("lead_image", "publication").annotate(**annotations)


# What a story's page reads of each of its tags.
TAG_FIELDS = ("id", "name", "slug")


def loaded_tags(article):
    """The story's tags as ``as_the_page_reads`` loaded them with it, or None where it
    did not (a page on SQLite, a story loaded otherwise)."""
    rows = article.__dict__.get("tag_rows")
    if rows is None:
        return None
    alias = article._state.db
    return [Tag.from_db(alias, TAG_FIELDS, [row[name] for name in TAG_FIELDS]) for row in rows]


def public_story(publication, slug):
    """The story at ``slug`` among ``public_stories``, found as ``get_object_or_404``
    finds it (the same SQL, compiled once per process and database), or Http404."""
    alias = router.db_for_read(Article)
    if alias not in _stories:
        stand_ins = {"publication": _STAND_INS["publication"], "now": _STAND_INS["now"],
                     "slug": _STAND_IN_SLUG}
        found = public_stories(stand_ins["publication"], at=stand_ins["now"]).filter(
            run_slug=stand_ins["slug"])
        # As QuerySet.get runs it: unordered, and no more rows than it reads.
        # Prepared: a story by its address is planned alike for every address, and
        # planning its five joins cost PostgreSQL several times what running it did.
        _stories[alias] = CompiledQuery(found.order_by()[:MAX_GET_RESULTS], stand_ins,
                                        using=alias, prepared=True)
    stories = _stories[alias].results(publication=publication.pk, now=timezone.now(),
                                      slug=slug)
    if not stories:
        raise Http404(f"No {Article._meta.object_name} matches the given query.")
    if len(stories) > 1:
        raise Article.MultipleObjectsReturned(
            f"get() returned more than one {Article._meta.object_name} -- it returned "
            f"{len(stories)}!")
    return stories[0]


_STAND_IN_SLUG = "\x00stand-in slug"  # no slug has a NUL or a space
_stories = {}  # database -> CompiledQuery


def remember_address(request, article):
    """Which story a slug is and where it lives, kept as a part under the story's key."""
    address = keys.story_address(request.publication.pk, article.slug)
    fragments.cached(request, address, lambda: (
        {"pk": str(article.pk), "path": article.get_absolute_url(),
         "section": str(article.section_id or "")},
        {keys.article(article.pk), keys.layout(request.publication.pk)},
    ))


def cached_story(request, slug):
    """The story that ``slug`` names on this host, from its cached address; None when
    the address is not cached or no longer current.

    Only a public story's address is kept, and a story leaves readers' view only by being
    saved or deleted, which moves its key and so retires its address and parts at once
    (the rule whole cached pages live by).
    """
    if not request.publication:
        return None
    address = keys.story_address(request.publication.pk, slug)
    if fragments.missing(request, [address]):
        return None
    found = fragments.current(request, address)
    section = None
    if found["section"]:
        section = next((s for s in request.sections if str(s.pk) == found["section"]), None)
        if section is None:
            return None
    return CachedStory(pk=int(found["pk"]), publication_id=request.publication.pk,
                       section=section, path=str(found["path"]))


def cached_parts(request, story):
    """``{"story": …, "other_news": …}`` for a ``CachedStory`` while both parts are
    current, else None. The chrome is looked up in the same round trip, for the tag."""
    names = {"story": keys.story(request, story.pk),
             "other_news": keys.other_news(request, story.pk)}
    missing = fragments.missing(request, [*names.values(), keys.chrome(request.publication)])
    if missing & set(names.values()):
        return None
    return {part: fragments.current(request, name) for part, name in names.items()}


def add_parts(request, article, context, *, keep=True):
    """Put the story's parts in ``context`` (``story``, then ``other_news``, built from
    the context as it is by then), from the cache or built; ``keep=False`` always builds
    and stores nothing (a preview must never store a draft)."""
    story, other_news = keys.story(request, article.pk), keys.other_news(request, article.pk)
    if keep:
        fragments.missing(request, [story, other_news, keys.chrome(request.publication)])
    context["story"] = fragments.cached(
        request, story, lambda: build_story(request, article, context), enabled=keep)
    context["other_news"] = fragments.cached(
        request, other_news, lambda: build_other_news(request, article, context), enabled=keep)
    return context


def prefetch_story(request, article):
    """Everything both parts read about the story, loaded once for the two of them: what
    ``prefetch_related_objects`` loads for ``story_relations`` (and keeps as it keeps it:
    ``article.bylines.all()`` and the like read it), in the very SQL that prefetch runs,
    compiled once per process (``_compiled_relations``); none for the curated items or
    the corrections of a story loaded ``as_the_page_reads`` without them."""
    if not hasattr(article, "_story_prefetched"):
        alias = article._state.db or router.db_for_read(Article)
        if alias not in _relations:
            _relations[alias] = _compiled_relations(alias)
        values = {"article": article.pk, "publication": request.publication.pk,
                  "now": timezone.now()}
        tags = loaded_tags(article)
        for name, query in _relations[alias].items():
            if name == "tags" and tags is not None:
                keep_prefetched(article, name, tags)
                continue
            known_none = name in _HAS and article.__dict__.get(_HAS[name]) is False
            keep_prefetched(article, name, [] if known_none else query.results(**values))
        for item in article.related_items.all():
            if item.target_id:
                item.target.show_as(item.__dict__.get("target_run"))
        article._story_prefetched = True
    return article


# The relations a story loaded ``as_the_page_reads`` says whether it has.
_HAS = {"related_items": "has_related_items", "corrections": "has_corrections"}


def story_relations(publication, *, at=None):
    """{relation: the queryset its objects come from (None: all of them)}: what a story's
    page reads about it, as ``publication`` shows it at time ``at`` (by default now)."""
    # Each person's bio line as this masthead prints it, if it has its own.
    bylines = Byline.objects.select_related("person").annotate(
        masthead_bio=Subquery(MastheadBio.objects.filter(
            person=OuterRef("person"), publication=publication).values("short_bio")[:1]))
    # A curated story comes with this masthead's run of it, if it runs it: shown as
    # this masthead shows it, or else linking to its page on its home masthead.
    related = (
        RelatedItem.objects.filter(
            Q(target__isnull=True) | Q(target__in=Article.objects.published(at=at)))
        .annotate(target_run=FilteredRelation(
            "target__runs", condition=Q(target__runs__publication_id=publication.pk)))
        .select_related("target", "target__section", "target__lead_image",
                        "target__publication", "target_run", "target_run__section")
        .defer("target__search_document")
    )
    return {"bylines": bylines, "related_items": related,
            "corrections": Correction.objects.all(), "tags": None}


def _prefetched(article, name, queryset):
    """The queryset ``prefetch_related_objects`` runs to load ``article``'s ``name`` from
    ``queryset``: filtered to the story as the relation's prefetch filters it."""
    if queryset is None:  # the class's manager prefetches (taggit's tags)
        return getattr(type(article), name).get_prefetch_querysets([article])[0]
    return queryset.filter(article__in=[article])


# The relations' queries are compiled once per process and database, with stand-ins
# (articles/reading/compiled.py): building and compiling them through the ORM cost more
# than the database took to answer them (about 20 ms a page). Each request's story,
# masthead and time take the stand-ins' places.
_STAND_INS = {"article": -7_100_000, "publication": -7_100_001,
              "now": datetime(1902, 3, 4, 5, 6, 7, 891, tzinfo=UTC)}
_STAND_INS_OF = {  # which each relation's query takes
    "bylines": {"article", "publication"},
    "related_items": {"article", "publication", "now"},
    "corrections": {"article"},
    "tags": {"article"},
}
_relations = {}  # database -> {relation: CompiledQuery}


def _compiled_relations(alias):
    story = Article(pk=_STAND_INS["article"])
    relations = story_relations(Publication(pk=_STAND_INS["publication"]),
                                at=_STAND_INS["now"])
    return {
        name: CompiledQuery(_prefetched(story, name, queryset),
                            {n: _STAND_INS[n] for n in _STAND_INS_OF[name]}, using=alias,
                            prepared=True)
        for name, queryset in relations.items()
    }


def bio_lines(bylines):
    """[(person, bio line), …]: each credited person's line as this masthead prints it
    (``MastheadBio``), else their own; people with neither are left out."""
    lines = {}
    for byline in bylines:
        line = byline.masthead_bio or byline.person.short_bio
        if line:
            lines.setdefault(byline.person.pk, (byline.person, line))
    return list(lines.values())


def build_story(request, article, context):
    """The story's own parts: <head> metadata, and the <article> element."""
    article = prefetch_story(request, article)
    bylines = list(article.bylines.all())
    tags = list(article.tags.all())
    story_context = {
        **context,
        "authors": [b.person for b in bylines if b.role == Byline.Role.AUTHOR],
        "credits": article.credits(),
        "bio_lines": bio_lines(bylines),
        "corrections": article.corrections.all(),
        "tags": tags,
    }
    # Every value is HTML: the cache gives them back as safe strings.
    value = {
        "title": conditional_escape(typography.smarten_text(article.display_title)),
        "description": conditional_escape(article.description),
        "meta": render_to_string("includes/meta/article.html", story_context, request),
        "body": render_to_string("includes/story.html", story_context, request),
    }
    shows = {
        # This masthead's layout (section names, breadcrumbs) and the home masthead's
        # (the publisher a sister masthead's page names).
        keys.layout(request.publication.pk), keys.layout(article.publication_id),
        keys.article(article.pk), keys.section(article.section_id),
        *(keys.tag(t.pk) for t in tags),
        *(keys.person(b.person_id) for b in bylines),
        # The library pictures in the text are shown with their current renditions.
        *(keys.image(pk) for pk in body_images.image_ids(article.body)),
    }
    return value, shows


def build_other_news(request, article, context):
    """Curated items, then the first automatic batch; it changes when any story the
    masthead shows goes live or leaves (or, drawn from the network, any story of the
    network), so it carries the masthead's key (or the network's)."""
    article = prefetch_story(request, article)
    publication = request.publication
    curated = list(article.related_items.all())
    tag_ids = [tag.pk for tag in article.tags.all()]
    batch = automatic_batch(article, 1, publication=publication,
                            exclude_ids=curated_target_ids(curated), tag_ids=tag_ids)
    html = render_to_string(
        "includes/other_news.html",
        {**context, "curated_items": curated, "other_news": batch}, request)
    shows = {
        keys.article(article.pk), keys.publication(publication.pk),
        *([keys.NETWORK] if publication.other_news_from_network else []),
        *(keys.tag(pk) for pk in tag_ids),
        *(keys.article(r.target_id) for r in curated if r.target_id),
        *(keys.article(a.pk) for a in batch.items),
    }
    return {"html": html}, shows
