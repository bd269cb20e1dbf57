"""The story list's filters (django-filter). Like the pages' (``articles.reading.filters``),
they filter whatever the view hands them, and the view hands them
``Article.objects.published().on(masthead)``: no value can reach a story that is not
public, or one this masthead does not run. A malformed value is a 400 that names the parameter; a slug that names nothing
gives an empty list (which says nothing about what exists unpublished)."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from articles.models import Article, Byline, Correction, Section, TaggedArticle


class StoryFilter(django_filters.FilterSet):
    section = django_filters.CharFilter(
        method="filter_section", max_length=80, help_text="A section's slug, e.g. politics.")
    tag = django_filters.CharFilter(
        method="filter_tag", max_length=100, help_text="A tag's slug, e.g. city-budget.")
    author = django_filters.CharFilter(
        method="filter_author", max_length=140, help_text="A person's slug, e.g. dana-reyes.")
    updated_since = django_filters.IsoDateTimeFilter(
        method="filter_updated_since",
        help_text="Stories changed at or after this time (ISO 8601, e.g. "
        "2025-03-01T08:00:00Z): edited, updated or corrected. For keeping a copy in step.")
    published_after = django_filters.IsoDateTimeFilter(
        field_name="publish_at", lookup_expr="gte",
        help_text="Published at or after this time (ISO 8601).")
    published_before = django_filters.IsoDateTimeFilter(
        field_name="publish_at", lookup_expr="lt",
        help_text="Published before this time (ISO 8601).")

    class Meta:
        model = Article
        fields = ["section", "tag", "author", "updated_since", "published_after",
                  "published_before"]

    def filter_section(self, queryset, name, value):
        # The section the story sits in on this masthead (its run's), through ``on``'s
        # alias: a filter on the runs would join them a second time.
        sections = Section.objects.filter(publication=self.request.publication, slug=value)
        return queryset.filter(run_section_id__in=sections.values("pk"))

    def filter_tag(self, queryset, name, value):
        # Exists, not a join: a story is listed once and the listing index still orders.
        return queryset.filter(Exists(TaggedArticle.objects.filter(
            content_object=OuterRef("pk"), tag__slug=value.strip().lower())))

    def filter_author(self, queryset, name, value):
        return queryset.filter(Exists(Byline.objects.filter(
            article=OuterRef("pk"), person__slug=value.strip())))

    def filter_updated_since(self, queryset, name, value):
        corrected = Correction.objects.filter(article=OuterRef("pk"), created_at__gte=value)
        return queryset.filter(Q(modified_at__gte=value) | Exists(corrected))
