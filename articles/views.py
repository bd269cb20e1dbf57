"""Public pages. Every one starts from ``Article.objects.published()`` for this host."""

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from people.models import Person

from .cache import add_keys
from .models import Article, Byline, Correction, RelatedItem, Section


class PublishedArticlesMixin:
    """Stories readers may see, on the publication this host serves."""

    paginate_by = 20

    def published_articles(self):
        publication = self.request.publication
        if not publication:
            raise Http404("No publication is configured.")
        return Article.objects.published().for_publication(publication)

    def get_queryset(self):
        return self.published_articles().with_listing_data()

    def cache_keys(self, context):
        """Surrogate keys naming what this page shows (see articles/cache.py)."""
        listed = context.get("object_list") or ()
        return {f"layout:{self.request.publication.pk}", *(f"article:{a.pk}" for a in listed)}

    def render_to_response(self, context, **kwargs):
        add_keys(self.request, *self.cache_keys(context))
        return super().render_to_response(context, **kwargs)


class HomeView(PublishedArticlesMixin, ListView):
    template_name = "articles/home.html"
    context_object_name = "articles"

    def get_queryset(self):
        return super().get_queryset().order_by("-featured", "-priority", "-publish_at")

    def cache_keys(self, context):
        return super().cache_keys(context) | {f"publication:{self.request.publication.pk}"}


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
        return super().cache_keys(context) | {f"section:{self.section.pk}"}


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
        return super().cache_keys(context) | {f"tag:{self.tag.pk}"}


class AuthorView(PublishedArticlesMixin, ListView):
    """An author's page reaches their stories through the byline relation."""

    template_name = "people/person_detail.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.person = get_object_or_404(
            Person.objects.prefetch_related("social_links"), slug=self.kwargs["slug"]
        )
        return super().get_queryset().filter(bylines__person=self.person).distinct()

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def cache_keys(self, context):
        return super().cache_keys(context) | {f"person:{self.person.pk}"}


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        related = RelatedItem.objects.filter(
            Q(target__isnull=True) | Q(target__in=Article.objects.published())
        ).select_related("target")
        return (
            self.published_articles()
            .select_related("section", "lead_image", "publication")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("person")),
                Prefetch("related_items", queryset=related),
                Prefetch("corrections", queryset=Correction.objects.all()),
                "tags",
            )
        )

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        # The date in the address is decoration: a wrong one redirects to the right one.
        if request.path != self.object.get_absolute_url():
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        article = self.object
        bylines = list(article.bylines.all())
        return super().get_context_data(
            authors=[b.person for b in bylines if b.role == Byline.Role.AUTHOR],
            credits=article.credits(),
            bio_people=list({b.person.pk: b.person for b in bylines if b.person.short_bio}.values()),
            related_items=article.related_items.all(),
            corrections=article.corrections.all(),
            now=timezone.now(),
            **kwargs,
        )

    def cache_keys(self, context):
        article = self.object
        return {
            f"layout:{article.publication_id}", f"article:{article.pk}",
            f"section:{article.section_id}",
            *(f"tag:{t.pk}" for t in article.tags.all()),
            *(f"person:{b.person_id}" for b in article.bylines.all()),
            *(f"article:{r.target_id}" for r in article.related_items.all() if r.target_id),
        }
