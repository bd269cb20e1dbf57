from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from taggit.forms import TagWidget
from taggit.models import Tag

from articles.admin.autosave import AutosaveAdminMixin
from articles.admin.desks import DeskMemberInline, DesksFormsetMixin
from articles.admin.editor import BodyEditorWidget
from articles.admin.media_library import thumbnail_html
from articles.admin.pending import PendingChangesAdminMixin, PendingRowsInlineMixin
from articles.admin.pickers import (
    NewsroomTimeWidget,
    OtherNewsSelect,
    SectionSelect,
    other_news_response,
    story_label,
)
from articles.admin.picture_picker import LeadPictureField
from articles.admin.revisions import EditConflictFormMixin, RevisionAdminMixin
from articles.admin.runs import (
    HomeMastheadFilter,
    RunsAdminMixin,
    RunsOnFilter,
    SectionFilter,
)
from articles.admin.share_preview import SharePreviewAdminMixin
from articles.admin.wire import WireCopyAdminMixin
from articles.admin.workflow import StatusFilter, WorkflowAdminMixin
from articles.editorial import roles
from articles.editorial.revisions import record_revision
from articles.models import Article, Byline, Correction, Publication, RelatedItem, Section


@admin.register(Publication)
class PublicationAdmin(DesksFormsetMixin, admin.ModelAdmin):
    list_display = ["name", "domain", "language", "is_default", "other_news_from_network"]
    search_fields = ["name", "domain"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DeskMemberInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "publication", "slug", "order"]
    list_editable = ["order"]
    list_filter = ["publication"]
    search_fields = ["name", "slug", "publication__name"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["publication"]

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        # The story form's section picker offers only the sections of the person's desks
        # (the form refuses any other, ArticleAdmin.formfield_for_foreignkey).
        if request.GET.get("model_name") == "article":
            desks = roles.desks_where(request.user, "articles.add_article")
            if desks is not None:
                queryset = queryset.filter(publication_id__in=desks)
        return queryset, distinct


class BylineInline(PendingRowsInlineMixin, admin.TabularInline):
    model = Byline
    rows_prefix = "bylines"
    extra = 0
    min_num = 0
    autocomplete_fields = ["person"]
    fields = ["person", "role", "order"]
    placed_after = "Media"  # the change form shows the inline in its group (change_form.html)


class RelatedItemInline(PendingRowsInlineMixin, admin.TabularInline):
    model = RelatedItem
    rows_prefix = "related_items"
    fk_name = "article"
    extra = 0
    fields = ["target", "url", "title", "order"]
    verbose_name = "“In Other News” item"
    verbose_name_plural = "“In Other News” (curated)"
    placed_after = "Tags and section"

    def get_formset(self, request, obj=None, **kwargs):
        self._masthead_id = obj.publication_id if obj is not None else None
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target":
            # Only stories readers can see on this masthead, named with status and date.
            kwargs["widget"] = OtherNewsSelect(db_field, self.admin_site,
                                               masthead_id=getattr(self, "_masthead_id", None))
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = story_label
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    formfield_overrides = {models.DateTimeField: {"widget": NewsroomTimeWidget}}
    fields = ["kind", "text", "created_at"]


class TagAutocompleteWidget(TagWidget):
    """taggit's comma-separated input, with suggestions from the tags already in use."""

    template_name = "admin/articles/tag_autocomplete_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs']['id']}-suggestions"
        context["widget"]["attrs"]["autocomplete"] = "off"
        return context

    class Media:
        js = ["articles/admin/tag_autocomplete.js"]


class ArticleAdminForm(EditConflictFormMixin, forms.ModelForm):
    lead_image = LeadPictureField()

    class Meta:
        model = Article
        fields = "__all__"
        widgets = {
            "tags": TagAutocompleteWidget,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "dek": forms.Textarea(attrs={"rows": 2}),
            "body": BodyEditorWidget,
            "section": SectionSelect,
        }

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        publication = self.cleaned_data.get("publication")
        if not slug or not publication:
            return slug
        if not Article.address_taken(publication.pk, slug, story_id=self.instance.pk):
            return slug
        headline = self.cleaned_data.get("headline", "")
        if slug == slugify(headline) or slug == slugify(headline, allow_unicode=True):
            # The slug was filled in from the headline: pick the next free one quietly.
            return ""
        raise forms.ValidationError(
            "Another story on this masthead already uses this address. "
            "Change it, or clear it to have one made from the headline."
        )


@admin.register(Article)
class ArticleAdmin(WireCopyAdminMixin, AutosaveAdminMixin, RevisionAdminMixin, RunsAdminMixin,
                   SharePreviewAdminMixin, PendingChangesAdminMixin, WorkflowAdminMixin,
                   admin.ModelAdmin):
    form = ArticleAdminForm
    actions = [*WorkflowAdminMixin.actions, *RunsAdminMixin.actions]
    list_display = [
        "headline", "thumbnail", "section_name", "status_label", "publish_time",
        "byline_names",
    ]
    list_filter = [StatusFilter, HomeMastheadFilter, RunsOnFilter, ("section", SectionFilter),
                   "featured", ("bylines__person", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["headline", "dek", "summary", "slug", "bylines__person__full_name"]
    date_hierarchy = "publish_at"
    formfield_overrides = {models.DateTimeField: {"widget": NewsroomTimeWidget}}
    prepopulated_fields = {"slug": ["headline"]}
    list_select_related = ["publication", "section", "lead_image"]
    inlines = [BylineInline, RelatedItemInline, CorrectionInline]
    readonly_fields = ["first_published_at", "version", "created_by", "created_at", "modified_at"]
    # Grouped by the task at hand, in the order a story is written. The bylines and
    # "In Other News" inlines sit in their groups (their ``placed_after``), and the
    # Workflow panel beside the form (change_form.html).
    fieldsets = [
        ("Write", {"fields": ["kicker", "headline", "dek", "dateline", "body"]}),
        ("Media", {"fields": ["lead_image"]}),
        ("Tags and section", {"fields": ["publication", "section", "tags"]}),
        ("Search & social", {"fields": ["summary", "seo_title", "seo_description", "slug",
                                        "canonical_url"]}),
        ("Publishing", {"fields": ["status", "review_note", "publish_at", "embargo_until",
                                   "updated_at", "featured", "priority"]}),
        ("History", {"fields": ["first_published_at", "version", "created_by", "created_at",
                                "modified_at"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["articles/admin/article.css"]}
        js = ["articles/admin/counters.js", "articles/admin/word_count.js",
              "articles/admin/save_shortcut.js", "articles/admin/missing_links.js",
              "articles/admin/share_preview.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bylines__person")

    def get_urls(self):
        return [
            path(
                "tag-suggestions/",
                self.admin_site.admin_view(self.tag_suggestions),
                name="articles_article_tag_suggestions",
            ),
            path(
                "other-news/",
                self.admin_site.admin_view(self.other_news_view),
                name="articles_article_other_news",
            ),
            *super().get_urls(),
        ]

    def tag_suggestions(self, request):
        term = request.GET.get("q", "").strip()[:100]
        tags = Tag.objects.filter(name__icontains=term).order_by("name") if term else Tag.objects.none()
        return JsonResponse({"results": list(tags.values_list("name", flat=True)[:20])})

    def other_news_view(self, request):
        """The "In Other News" picker's stories (articles.admin.pickers)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return other_news_response(request)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Bylines, tags and related items are saved now: the revision sees the whole story.
        record_revision(form.instance, user=request.user,
                        comment="Edited" if change else "Created", skip_if_unchanged=change)

    # Short columns, so that the headline keeps its room at 1,400 px (article_list.css).
    @admin.display(description="Section", ordering="section__name")
    def section_name(self, obj):
        return format_html("{}<br><small>{}</small>",
                           obj.section.name if obj.section_id else "—", obj.publication.name)

    @admin.display(description="Publish time", ordering="publish_at")
    def publish_time(self, obj):
        if not obj.publish_at:
            return "—"
        local = timezone.localtime(obj.publish_at)
        return format_html("{}<br>{}", date_format(local, "j M Y"), date_format(local, "H:i"))

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj):
        if obj.featured:
            return format_html("{}<br><small>Featured</small>", obj.status_string)
        return obj.status_string

    @admin.display(description="Image")
    def thumbnail(self, obj):
        return thumbnail_html(obj.lead_image, size=48)

    @admin.display(description="Bylines")
    def byline_names(self, obj):
        return format_html_join(", ", "{}", ((b.person.full_name,) for b in obj.bylines.all()))
