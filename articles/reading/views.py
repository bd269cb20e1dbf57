"""Public pages. Every one starts from ``Article.objects.published().on(publication)``: the
public stories this host's masthead shows, its own and those it runs from sister mastheads."""

import heapq
from operator import itemgetter

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.templatetags.static import static
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from articles.caching import cards, keys, skeletons
from articles.caching.pages import add_keys
from articles.models import Article, Byline, Section
from articles.reading import article_page, card_stories
from articles.reading.front import newest_stories
from articles.reading.pagination import OpenEndedPaginator
from people.models import Person


class PublishedArticlesMixin:
    """Stories readers may see on the masthead this host serves, newest first."""

    paginate_by = 20
    paginator_class = OpenEndedPaginator

    def masthead(self):
        publication = self.request.publication
        if not publication:
            raise Http404("No publication is configured.")
        return publication

    def published_articles(self):
        return Article.objects.published().on(self.masthead())

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
        return cards.collect(self.request, super().render_to_response(context, **kwargs),
                             stories=self.card_stories)

    def card_stories(self, ids, carded):
        """The stories of this page's cards and lines to be built (``cards.Batch``):
        ``published_articles`` by id, in SQL compiled once per process."""
        return card_stories.stories(self.masthead().pk, ids, carded, now=timezone.now())


class ListedRows:
    """The newest stories' rows as the paginator reads them: a slice of them is a list of
    ``cards.Listed``, built only for the rows the page takes."""

    def __init__(self, rows, listed):
        self.rows, self.listed = rows, listed

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.listed(row[0]) for row in self.rows[index]]
        return self.listed(self.rows[index][0])


class HomeView(PublishedArticlesMixin, ListView):
    """The front page: a lead story, top stories, the latest, and the latest by section.

    ``articles`` is the paginated stream of the latest stories; page 1 adds the front.
    Page 1 names its stories by id alone (``cards.Listed``): its cards and lines are parts
    cached one by one, and only those to be built load their story.
    """

    template_name = "articles/home.html"
    context_object_name = "articles"
    response_class = skeletons.SkeletonResponse
    top_count = 4
    per_section = 3
    recent_window = 400  # more than a page: page 1 of the latest is read with the front

    def get_queryset(self):
        # Page 1 of the latest stories is the start of the newest, read for the front.
        if self.first_page:
            return ListedRows(self.newest, self.listed)
        return super().get_queryset()

    def listed(self, pk):
        """The story ``pk`` as ``cards.Listed``, one per story and request, built only for
        the stories the page shows (some sixty of the newest four hundred)."""
        story = self._listed.get(pk)
        if story is None:
            story = self._listed[pk] = cards.Listed(pk, self._masthead_id)
        return story

    @cached_property
    def _listed(self):
        return {}

    @cached_property
    def _masthead_id(self):
        return self.masthead().pk  # once, not once per story

    @cached_property
    def first_page(self):
        number = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg) or 1
        try:
            return int(number) == 1
        except ValueError:
            return False  # ?page=last, or nonsense that ListView answers with a 404

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

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        page = context.get("page_obj")
        # A query string shows in the pagination's links: such a page is rendered whole.
        if (settings.NEWSROOM_FRAGMENT_CACHE and page is not None and page.number == 1
                and not self.request.GET):
            skeletons.use(response, *self.skeleton(context, skeletons.FrozenPage(page)))
        return response

    def skeleton(self, context, page):
        """(name, context with slots, keys) of page 1's skeleton (``articles.caching.skeletons``):
        named by the page's shape — its page of the list, whether it has a lead, how many
        top stories and Latest lines, which sections with how many stories — and by the
        stylesheet's address (a deploy's), under the layout of the masthead and of the
        sections shown. Every other entry of the view's context is ``Blocked``."""
        lead, top = context["lead_story"], context["top_stories"]
        latest, blocks = context["latest"], context["section_blocks"]
        slot = skeletons.Slot
        slotted = {name: skeletons.Blocked((name,)) for name in context if name != cards.BATCH}
        slotted.update(
            page_obj=page, is_paginated=context["is_paginated"],
            lead_story=slot(("lead_story",)) if lead is not None else None,
            top_stories=[slot(("top_stories", i)) for i in range(len(top))],
            latest=[slot(("latest", i)) for i in range(len(latest))],
            section_blocks=[
                (section, [slot(("section_blocks", j, 1, k)) for k in range(len(stories))])
                for j, (section, stories) in enumerate(blocks)],
        )
        shape = (page.shape(), context["is_paginated"], lead is not None, len(top), len(latest),
                 tuple((section.pk, len(stories)) for section, stories in blocks),
                 static("css/site.css"))
        shown = {keys.layout(self.request.publication.pk)}
        shown.update(keys.layout(section.publication_id) for section, _stories in blocks)
        return keys.skeleton(self.request, "home", shape), slotted, shown

    def cache_keys(self, context):
        shown = [context.get("lead_story"), *context.get("top_stories", ())]
        for _section, articles in context.get("section_blocks", ()):
            shown.extend(articles)
        return super().cache_keys(context) | {keys.article(a.pk) for a in shown if a}

    @cached_property
    def newest(self):
        """[(id, featured, priority, section id), …] of the newest stories, newest first:
        their ids and ranking columns, without a model instance, in SQL compiled once
        (``articles.reading.front``). The page names those it shows by ``listed``."""
        return newest_stories(self.masthead().pk, self.recent_window)

    def front(self):
        """(the lead and top stories, [(section, [story, …]), …]): the front is chosen
        from the newest stories only, which keeps its cost flat however large the archive
        grows. Featured on this masthead first: a sister masthead's story leads here only
        if this masthead's desk featured it; each section's block is its latest stories
        not already on the front (sections of this masthead: a sister masthead's story
        sits in the one it chose).

        The stories are named by id (``cards.Listed``): the page shows them as cards, which
        load whatever they need only when they have to be built."""
        recent = self.newest
        # -run_featured, -priority, then newest first: the order they were read in
        # (nlargest is sorted(…, reverse=True)[:n], stable among equals; none of them is
        # ever NULL here).
        ranked = heapq.nlargest(1 + self.top_count, recent, key=itemgetter(1, 2))
        front = [self.listed(row[0]) for row in ranked]
        on_front = {story.pk for story in front}
        blocks = {}
        per_section = self.per_section
        for pk, _featured, _priority, section_id in recent:  # newest first
            if section_id is not None and pk not in on_front:
                block = blocks.setdefault(section_id, [])
                if len(block) < per_section:
                    block.append(self.listed(pk))
        sections = self.sections(blocks)
        section_blocks = [(sections[pk], block) for pk, block in blocks.items()]
        section_blocks.sort(key=lambda item: (item[0].order, item[0].name))
        return front, section_blocks

    def sections(self, ids):
        """{id: section} for these section ids: the masthead's sections, known for its
        menu (``request.sections``); any other, from the database."""
        known = {section.pk: section for section in self.request.sections}
        others = [pk for pk in ids if pk not in known]
        if others:
            known.update(Section.objects.in_bulk(others))
        return known


class CardListMixin(PublishedArticlesMixin):
    """A list whose stories show as cards alone (a section's, a tag's, an author's): its
    page names them by id (``cards.Listed``), and only the cards to be built load their
    story, so a page of cached cards builds no model instance of its stories."""

    def get_queryset(self):
        return self.published_articles().newest_first().values_list("pk", flat=True)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset, page_size)
        masthead = self.masthead().pk
        page.object_list = [cards.Listed(pk, masthead) for pk in ids]
        return paginator, page, page.object_list, is_paginated


class SectionView(CardListMixin, ListView):
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


class TagView(CardListMixin, ListView):
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


class AuthorView(CardListMixin, ListView):
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
        return article_page.as_the_page_reads(self.published_articles())

    def get_object(self, queryset=None):
        # get_queryset's story, found in SQL compiled once per process.
        return article_page.public_story(self.masthead(), self.kwargs["slug"])

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
