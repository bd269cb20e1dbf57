"""Public pages. Every one starts from ``Article.objects.published()`` for this host."""

from types import SimpleNamespace

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from articles.caching import cards, fragments, keys
from articles.caching.pages import add_keys
from articles.models import Article, Byline, Correction, RelatedItem, Section
from articles.reading.pagination import OpenEndedPaginator
from articles.reading.related import automatic_batch, curated_target_ids
from people.models import Person


class PublishedArticlesMixin:
    """Stories readers may see, on the publication this host serves."""

    paginate_by = 20
    paginator_class = OpenEndedPaginator

    def published_articles(self):
        publication = self.request.publication
        if not publication:
            raise Http404("No publication is configured.")
        return Article.objects.published().for_publication(publication)

    def get_queryset(self):
        return self.published_articles().for_cards()

    def cache_keys(self, context):
        """Surrogate keys naming what this page shows (see articles/caching/keys.py).

        By default a page lists the publication's stories, so any story joining or leaving
        readers' view refreshes it; narrower lists (a section, a tag) say so instead.
        """
        return {*self.listed_keys(context), keys.publication(self.request.publication.pk)}

    def listed_keys(self, context):
        listed = context.get("object_list") or ()
        return {keys.layout(self.request.publication.pk), *(keys.article(a.pk) for a in listed)}

    def render_to_response(self, context, **kwargs):
        add_keys(self.request, *self.cache_keys(context))
        # Story cards are looked up together once the page is rendered (articles.caching.cards).
        return cards.collect(self.request, super().render_to_response(context, **kwargs))


class HomeView(PublishedArticlesMixin, ListView):
    """The front page: a lead story, top stories, the latest, and the latest by section.

    ``articles`` is the paginated stream of the latest stories; page 1 adds the front.
    """

    template_name = "articles/home.html"
    context_object_name = "articles"
    top_count = 4
    per_section = 3
    recent_window = 400

    def get_queryset(self):
        return super().get_queryset().order_by("-publish_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"] is None or context["page_obj"].number == 1:
            front = list(
                self.get_queryset().filter(pk__in=self.recent_ids())
                .order_by("-featured", "-priority", "-publish_at", "-pk")[: 1 + self.top_count]
            )
            front_ids = {a.pk for a in front}
            context.update(
                lead_story=front[0] if front else None, top_stories=front[1:],
                latest=[a for a in context["articles"] if a.pk not in front_ids],
                section_blocks=self.section_blocks(exclude=front_ids),
            )
        return context

    def cache_keys(self, context):
        shown = [context.get("lead_story"), *context.get("top_stories", ())]
        for _section, articles in context.get("section_blocks", ()):
            shown.extend(articles)
        return super().cache_keys(context) | {keys.article(a.pk) for a in shown if a}

    def recent_ids(self):
        """The newest stories, from which the front is chosen: ranking only these keeps the
        front page's cost flat however large the archive grows."""
        return self.published_articles().order_by("-publish_at", "-pk").values("pk")[
            : self.recent_window
        ]

    def section_blocks(self, *, exclude):
        """[(section, [article, …]), …]: each section's latest stories, in one query."""
        ranked = (
            self.get_queryset()
            .filter(pk__in=self.recent_ids())
            .exclude(pk__in=exclude)
            .filter(section__isnull=False)
            .annotate(rank=Window(RowNumber(), partition_by=F("section_id"),
                                  order_by=[F("publish_at").desc(), F("pk").desc()]))
            .filter(rank__lte=self.per_section)
            .order_by("section__order", "section__name", "rank")
        )
        blocks = {}
        for article in ranked:
            blocks.setdefault(article.section_id, (article.section, []))[1].append(article)
        return list(blocks.values())



class SectionView(PublishedArticlesMixin, ListView):
    template_name = "articles/section.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.section = get_object_or_404(
            Section, publication=self.request.publication, slug=self.kwargs["slug"]
        )
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)

    def cache_keys(self, context):
        return self.listed_keys(context) | {keys.section(self.section.pk)}


class TagView(PublishedArticlesMixin, ListView):
    template_name = "articles/tag.html"
    context_object_name = "articles"
    allow_empty = False  # a tag only on drafts must not show that it exists

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)

    def cache_keys(self, context):
        return self.listed_keys(context) | {keys.tag(self.tag.pk)}


class AuthorView(PublishedArticlesMixin, ListView):
    """An author's page reaches their stories through the byline relation."""

    template_name = "people/person_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.person = get_object_or_404(
            Person.objects.prefetch_related("social_links"), slug=self.kwargs["slug"]
        )
        # Exists, not a join: no DISTINCT over whole rows, and the listing index still orders.
        return super().get_queryset().filter(
            Exists(Byline.objects.filter(article=OuterRef("pk"), person=self.person)))

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def cache_keys(self, context):
        return self.listed_keys(context) | {keys.person(self.person.pk)}


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    """A story. The page is built from two parts cached apart (``articles.caching.fragments``):
    the story itself, which changes when it is edited, and its "In Other News" list,
    which changes whenever the publication's stories do."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    use_fragment_cache = True  # previews build every part afresh and keep none

    def get_queryset(self):
        return self.published_articles().select_related("section", "lead_image")

    def get_object(self, queryset=None):
        article = get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])
        article.publication = self.request.publication  # the host's, already at hand
        return article

    def get(self, request, *args, **kwargs):
        parts = self.use_fragment_cache and settings.NEWSROOM_FRAGMENT_CACHE
        if parts:
            response = self.from_cached_parts(request, kwargs["slug"])
            if response is not None:
                return response
        self.object = self.get_object()
        if parts:
            self.remember_address()
        # The date in the address is decoration: a wrong one redirects to the right one.
        if request.path != self.object.get_absolute_url():
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def address_name(self, slug):
        return keys.story_address(self.request.publication.pk, slug)

    def remember_address(self):
        """Which story a slug is and where it lives, kept as a part under the story's key."""
        article = self.object
        fragments.cached(self.request, self.address_name(article.slug), lambda: (
            {"pk": str(article.pk), "path": article.get_absolute_url(),
             "section": str(article.section_id or "")},
            {keys.article(article.pk), keys.layout(article.publication_id)},
        ))

    def from_cached_parts(self, request, slug):
        """The page from its cached parts alone, without a query, while they are current:
        the story's address (which story the slug is), the story and its In Other News.

        Only a public story's address is kept, and a story leaves readers' view only by
        being saved or deleted, which moves its key and so retires its address and parts
        at once (the rule whole cached pages live by). None: build the page as usual.
        """
        if not request.publication:
            return None
        address = self.address_name(slug)
        if fragments.missing(request, [address]):
            return None
        found = fragments.current(request, address)
        section = None
        if found["section"]:
            section = next((s for s in request.sections if str(s.pk) == found["section"]), None)
            if section is None:
                return None
        self.object = SimpleNamespace(
            pk=int(found["pk"]), publication_id=request.publication.pk, section=section)
        if request.path != found["path"]:
            return redirect(str(found["path"]), permanent=True)
        story, other_news = self.fragment_name("story"), self.fragment_name("other-news")
        if fragments.missing(request, [story, other_news,
                                       keys.chrome(request.publication)]) & {
                story, other_news}:
            return None
        context = {"view": self, "object": self.object, "article": self.object,
                   "story": fragments.current(request, story),
                   "other_news": fragments.current(request, other_news)}
        return self.render_to_response(context)

    def fragment_name(self, part):
        name = {"story": keys.story, "other-news": keys.other_news}[part]
        return name(self.request, self.object.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request, enabled = self.request, self.use_fragment_cache
        if enabled:
            fragments.missing(request, [
                self.fragment_name("story"), self.fragment_name("other-news"),
                keys.chrome(request.publication)])
        context["story"] = fragments.cached(
            request, self.fragment_name("story"), lambda: self.build_story(context),
            enabled=enabled)
        context["other_news"] = fragments.cached(
            request, self.fragment_name("other-news"), lambda: self.build_other_news(context),
            enabled=enabled)
        return context

    def prefetch_story(self):
        article = self.object
        if not hasattr(article, "_story_prefetched"):
            related = RelatedItem.objects.filter(
                Q(target__isnull=True) | Q(target__in=Article.objects.published())
            ).select_related("target", "target__section", "target__lead_image")
            prefetch_related_objects(
                [article],
                Prefetch("bylines", queryset=Byline.objects.select_related("person")),
                Prefetch("related_items", queryset=related),
                Prefetch("corrections", queryset=Correction.objects.all()),
                "tags",
            )
            article._story_prefetched = True
        return article

    def build_story(self, context):
        """The story's own parts: <head> metadata, and the <article> element."""
        article = self.prefetch_story()
        bylines = list(article.bylines.all())
        tags = list(article.tags.all())
        story_context = {
            **context,
            "authors": [b.person for b in bylines if b.role == Byline.Role.AUTHOR],
            "credits": article.credits(),
            "bio_people": list(
                {b.person.pk: b.person for b in bylines if b.person.short_bio}.values()),
            "corrections": article.corrections.all(),
            "tags": tags,
        }
        # Every value is HTML: the cache gives them back as safe strings.
        value = {
            "title": conditional_escape(article.display_title),
            "description": conditional_escape(article.description),
            "meta": render_to_string("includes/meta/article.html", story_context, self.request),
            "body": render_to_string("includes/story.html", story_context, self.request),
        }
        shows = {
            keys.layout(article.publication_id), keys.article(article.pk),
            keys.section(article.section_id),
            *(keys.tag(t.pk) for t in tags),
            *(keys.person(b.person_id) for b in bylines),
        }
        return value, shows

    def build_other_news(self, context):
        """Curated items, then the first automatic batch; it changes when any story of
        the publication goes live or leaves, so it carries the publication's key."""
        article = self.prefetch_story()
        curated = list(article.related_items.all())
        tag_ids = [tag.pk for tag in article.tags.all()]
        batch = automatic_batch(article, 1, exclude_ids=curated_target_ids(curated),
                                tag_ids=tag_ids)
        html = render_to_string(
            "includes/other_news.html",
            {**context, "curated_items": curated, "other_news": batch}, self.request)
        shows = {
            keys.article(article.pk), keys.publication(article.publication_id),
            *(keys.tag(pk) for pk in tag_ids),
            *(keys.article(r.target_id) for r in curated if r.target_id),
            *(keys.article(a.pk) for a in batch.items),
        }
        return {"html": html}, shows

    def cache_keys(self, context):
        # The parts have named what they show (fragments.cached adds their keys).
        return {keys.layout(self.object.publication_id), keys.article(self.object.pk)}
