"""Public pages. Every one starts from ``Article.objects.published().on(publication)``: the
public stories this host's masthead shows, its own and those it runs from sister mastheads."""

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.encoding import escape_uri_path
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from articles.caching import cards, keys
from articles.caching.pages import add_keys
from articles.models import Article, Byline, Section
from articles.reading import article_page
from articles.reading.pagination import OpenEndedPaginator
from people.models import Person


class PublishedArticlesMixin:
    """Stories readers may see on the masthead this host serves, newest first."""

    paginate_by = 20
    paginator_class = OpenEndedPaginator

    def published_articles(self):
        publication = self.request.publication
        if not publication:
            raise Http404("No publication is configured.")
        return Article.objects.published().on(publication)

    def get_queryset(self):
        return self.published_articles().for_cards().newest_first()

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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"] is None or context["page_obj"].number == 1:
            front, section_blocks = self.front()
            front_ids = {a.pk for a in front}
            context.update(
                lead_story=front[0] if front else None, top_stories=front[1:],
                latest=[a for a in context["articles"] if a.pk not in front_ids],
                section_blocks=section_blocks,
            )
        return context

    def cache_keys(self, context):
        shown = [context.get("lead_story"), *context.get("top_stories", ())]
        for _section, articles in context.get("section_blocks", ()):
            shown.extend(articles)
        return super().cache_keys(context) | {keys.article(a.pk) for a in shown if a}

    def front(self):
        """(the lead and top stories, [(section, [article, …]), …]): the front is chosen
        from the newest stories only, which keeps its cost flat however large the archive
        grows. Featured on this masthead first: a sister masthead's story leads here only
        if this masthead's desk featured it; each section's block is its latest stories
        not already on the front (sections of this masthead: a sister masthead's story
        sits in the one it chose).

        Two queries: the newest stories' ranking columns alone, ranked here, then the
        chosen few loaded whole; ranking whole rows in the database read and joined every
        one of the newest stories twice."""
        recent = list(
            self.published_articles().newest_first()
            .values_list("pk", F("run__featured"), "priority", F("run__publish_at"),
                         F("run__section_id"))[: self.recent_window]
        )
        # -run_featured, -priority, -run_publish_at, -pk (none of them is ever NULL here).
        ranked = sorted(recent, key=lambda row: (row[1], row[2], row[3], row[0]), reverse=True)
        front_ids = [row[0] for row in ranked[: 1 + self.top_count]]
        blocks = {}
        for pk, _featured, _priority, _published, section_id in recent:  # newest first
            if section_id is not None and pk not in front_ids:
                block = blocks.setdefault(section_id, [])
                if len(block) < self.per_section:
                    block.append(pk)
        chosen = [*front_ids, *(pk for block in blocks.values() for pk in block)]
        loaded = self.get_queryset().in_bulk(chosen) if chosen else {}
        front = [loaded[pk] for pk in front_ids if pk in loaded]
        section_blocks = [
            (loaded[block[0]].section, [loaded[pk] for pk in block if pk in loaded])
            for block in blocks.values() if block[0] in loaded
        ]
        section_blocks.sort(key=lambda item: (item[0].order, item[0].name))
        return front, section_blocks


class SectionView(PublishedArticlesMixin, ListView):
    template_name = "articles/section.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.section = get_object_or_404(
            Section, publication=self.request.publication, slug=self.kwargs["slug"]
        )
        return super().get_queryset().filter(run_section_id=self.section.pk)

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
    # Someone added for a story still to come has no public page: their name, title and
    # biography must not show that a story by them is on the way.
    allow_empty = False

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
    """A story. Its page is assembled from parts cached apart
    (``articles.reading.article_page``); while they are current it is answered from them
    without a query."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    use_fragment_cache = True  # previews build every part afresh and keep none

    def get_queryset(self):
        # The publication is the story's home: a sister masthead's page names it.
        return self.published_articles().select_related("lead_image", "publication")

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), run_slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        from_parts = self.use_fragment_cache and settings.NEWSROOM_FRAGMENT_CACHE
        if from_parts and (story := article_page.cached_story(request, kwargs["slug"])):
            if escape_uri_path(request.path) != story.path:
                return redirect(story.path, permanent=True)
            if (parts := article_page.cached_parts(request, story)) is not None:
                self.object = story
                return self.render_to_response(
                    {"view": self, "object": story, "article": story, **parts})
        self.object = self.get_object()
        if from_parts:
            article_page.remember_address(request, self.object)
        # The date in the address is decoration: a wrong one redirects to the right one.
        # (Addresses are compared as written, percent-encoded: a slug in Arabic is
        # decoded in request.path and encoded in get_absolute_url.)
        if escape_uri_path(request.path) != self.object.get_absolute_url():
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return article_page.add_parts(self.request, self.object, context,
                                      keep=self.use_fragment_cache)

    def cache_keys(self, context):
        # The parts have named what they show (fragments.cached adds their keys).
        return {keys.layout(self.request.publication.pk), keys.article(self.object.pk)}
