"""Filters for story listings (django-filter).

A FilterSet filters whatever queryset its view hands it, and every public view hands it
``Article.objects.published().on(publication)``: no filter value can reach a draft, or a
story this masthead does not run.
A value that names nothing (an unknown section, a malformed date) fails validation and is
ignored, with the reason shown next to the field.
"""

from datetime import date

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Exists, OuterRef

from articles.models import Article, Byline, Section
from people.models import Person


def publication_sections(request):
    return Section.objects.filter(publication=request.publication)


def publication_authors(request):
    """People with a public byline on this masthead."""
    public = Byline.objects.filter(
        person=OuterRef("pk"),
        article__in=Article.objects.published().on(request.publication).values("pk"),
    )
    return Person.objects.filter(Exists(public))


class SectionChoiceField(django_filters.fields.ModelChoiceField):
    """A section by its name alone: every choice is on this host's publication, so the
    "(publication)" that ``Section.__str__`` adds for editors would only repeat itself."""

    def label_from_instance(self, obj):
        return obj.name


class SectionFilter(django_filters.ModelChoiceFilter):
    field_class = SectionChoiceField


class DateInput(forms.DateInput):
    """A date picker; a value that is no date stays visible as text, as it was typed."""

    input_type = "date"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        typed = context["widget"]["value"]
        if typed:
            try:
                date.fromisoformat(str(typed))
            except ValueError:
                context["widget"]["type"] = "text"
        return context


class ArticleFilter(django_filters.FilterSet):
    section = SectionFilter(
        queryset=publication_sections, to_field_name="slug", empty_label="All sections",
        label="Section",
        method="filter_section",
    )
    tag = django_filters.CharFilter(
        method="filter_tag", label="Topic",
        help_text="A topic's short name, e.g. city-budget.", max_length=100,
    )
    # The label is given: "author" is no field of Article (bylines are), so django-filter
    # could not derive one and would show "[invalid name]".
    author = django_filters.ModelChoiceFilter(
        queryset=publication_authors, to_field_name="slug", method="filter_author",
        empty_label="All authors", label="Author",
    )
    after = django_filters.DateFilter(
        field_name="publish_at", lookup_expr="date__gte", label="From", widget=DateInput,
    )
    before = django_filters.DateFilter(
        field_name="publish_at", lookup_expr="date__lte", label="To", widget=DateInput,
    )

    class Meta:
        model = Article
        fields = ["section", "tag", "author", "after", "before"]

    def filter_section(self, queryset, name, value):
        # The section the story sits in on this masthead (a sister masthead's story sits
        # in the one this masthead chose for it).
        return queryset.filter(run_section_id=value.pk)

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__slug=value.strip().lower()) if value.strip() else queryset

    def filter_author(self, queryset, name, value):
        # A subquery rather than a join: a story with two bylines is listed once.
        return queryset.filter(pk__in=Byline.objects.filter(person=value).values("article_id"))
