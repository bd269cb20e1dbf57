"""Reader pages beyond the basics: archives, search, the filterable story list,
corrections and the "In Other News" batches. Each starts from ``published().on()`` for the
masthead this host serves.
"""

from django import forms
from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import DayArchiveView, ListView, MonthArchiveView, YearArchiveView
from django_filters.views import FilterView

from articles.caching import keys
from articles.models import Article, Correction, RelatedItem
from articles.reading import related
from articles.reading.filters import ArticleFilter
from articles.reading.pagination import CappedPaginator
from articles.reading.search import (
    MAX_QUERY_LENGTH,
    fallback_snippet,
    ranked_ids,
    search,
    with_snippets,
)
from articles.reading.views import PublishedArticlesMixin


class ArchiveMixin(PublishedArticlesMixin):
    date_field = "publish_at"
    month_format = "%m"
    allow_empty = False  # an empty day is a 404, like an unknown story
    context_object_name = "articles"

    def get(self, request, *args, **kwargs):
        # One address per archive: /2026/09/ answers with a 301 to /2026/9/ (the form story
        # addresses have, see articles.reading.converters), keeping the query string.
        canonical = reverse(request.resolver_match.view_name, kwargs=self.kwargs)
        if request.path != canonical:
            query = request.META.get("QUERY_STRING")
            return redirect(f"{canonical}?{query}" if query else canonical, permanent=True)
        return super().get(request, *args, **kwargs)

    def get_dated_queryset(self, **lookup):
        # The same range on the masthead's runs: read from their index, not walked to.
        return super().get_dated_queryset(**lookup).filter(
            **{f"run_{name}": value for name, value in lookup.items()})


class YearArchive(ArchiveMixin, YearArchiveView):
    template_name = "articles/archive.html"
    make_object_list = True


class MonthArchive(ArchiveMixin, MonthArchiveView):
    template_name = "articles/archive.html"


class DayArchive(ArchiveMixin, DayArchiveView):
    template_name = "articles/archive.html"


class StoryListView(PublishedArticlesMixin, FilterView):
    """Every public story, filtered by section, topic, author and date range."""

    template_name = "articles/story_list.html"
    context_object_name = "articles"
    filterset_class = ArticleFilter
    strict = False  # an invalid value is ignored (and explained), never an error page


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for", max_length=MAX_QUERY_LENGTH, required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class SearchView(StoryListView):
    """Full-text search on PostgreSQL, a simple fallback elsewhere; filters apply too."""

    template_name = "articles/search.html"
    paginator_class = CappedPaginator  # readers are told how many matched

    def get(self, request, *args, **kwargs):
        self.form = SearchForm(request.GET)
        self.query = self.form.cleaned_data["q"] if self.form.is_valid() else ""
        response = super().get(request, *args, **kwargs)
        if self.form.errors:
            # Too long, or holding a character no text can: say why, keep what was typed.
            response.status_code = 400
        return response

    # What a result shows: section, headline, address, time and snippet (no byline); the
    # section and address are this masthead's, from its run (loaded whole with the story).
    RESULT_FIELDS = ("publication_id", "headline", "slug", "publish_at", "created_at")

    def get_queryset(self):
        # The filters narrow the stories first; paginate_queryset then searches them, so
        # a section's newest matches are ranked, not the section's share of the newest.
        if not self.query:
            return Article.objects.none()
        stories = self.published_articles()
        if connection.vendor == "postgresql":
            return stories.only("pk")  # ranked on ids alone
        return stories

    def paginate_queryset(self, queryset, page_size):
        """Rank once: the ids of every match in order (at most SEARCH_WINDOW of them), which
        also counts them, then read only this page's stories, with their snippets."""
        if not self.query:
            return super().paginate_queryset(queryset, page_size)
        if connection.vendor != "postgresql":
            return super().paginate_queryset(search(queryset, self.query), page_size)
        ids = ranked_ids(queryset, self.query)
        paginator, page, _ids, is_paginated = super().paginate_queryset(ids, page_size)
        wanted = list(page.object_list)
        stories = with_snippets(
            self.published_articles().only(*self.RESULT_FIELDS).among(wanted),
            self.query,
        )
        found = {story.pk: story for story in stories}
        page.object_list = [found[pk] for pk in wanted if pk in found]
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(search_form=self.form, query=self.query, **kwargs)
        for article in context["articles"]:
            if not hasattr(article, "snippet"):
                article.snippet = fallback_snippet(article, self.query)
        return context


class CorrectionsView(PublishedArticlesMixin, ListView):
    """Every correction, update and note on a public story, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"

    def get_queryset(self):
        return (
            Correction.objects.filter(article__in=self.published_articles().values("pk"))
            .order_by("-created_at", "-pk")
        )

    def paginate_queryset(self, queryset, page_size):
        """The page's corrections, each with its story as this masthead shows it (its
        address here), loaded in one query."""
        paginator, page, corrections, is_paginated = super().paginate_queryset(
            queryset, page_size)
        corrections = list(corrections)
        stories = self.published_articles().among(
            [c.article_id for c in corrections]).in_bulk()
        for correction in corrections:
            correction.article = stories[correction.article_id]
        page.object_list = corrections
        return paginator, page, corrections, is_paginated

    def cache_keys(self, context):
        publication = self.request.publication.pk
        return {keys.layout(publication), keys.publication(publication),
                keys.corrections(publication),
                *(keys.article(c.article_id) for c in context.get("object_list") or ())}


class OtherNewsView(PublishedArticlesMixin, ListView):
    """Batch N of a story's automatic "In Other News" items.

    ``?page=N`` is an ordinary page for readers without JavaScript; with ``partial=1`` the
    same batch comes as an HTML fragment that static/js/other-news.js appends in place.
    """

    context_object_name = "articles"

    def get(self, request, *args, **kwargs):
        self.article = get_object_or_404(
            self.published_articles().prefetch_related(
                "tags",
                Prefetch("related_items", queryset=RelatedItem.objects.only("article", "target")),
            ),
            pk=kwargs["pk"],
        )
        number = related.page_number(request.GET.get("page"))
        if number == 1 and request.GET.get("partial") == "1":
            raise Http404("The first batch is on the story's page.")
        self.batch = related.automatic_batch(
            self.article, number, publication=request.publication,
            exclude_ids=related.curated_target_ids(self.article.related_items.all()),
            tag_ids=[tag.pk for tag in self.article.tags.all()],
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.batch.items

    def get_paginate_by(self, queryset):
        return None

    def get_template_names(self):
        if self.request.GET.get("partial") == "1":
            return ["articles/other_news_batch.html"]
        return ["articles/other_news_page.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(article=self.article, batch=self.batch, **kwargs)
