from django.contrib import admin
from django.utils.html import format_html

from .models import Person, SocialLink


class SocialLinkInline(admin.TabularInline):
    model = SocialLink
    extra = 0


def is_autocomplete(request):
    """Whether the request is Django admin's autocomplete, asking for choices for a field."""
    return all(key in request.GET for key in ("app_label", "model_name", "field_name"))


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "full_name", "job_title", "email", "user", "is_active"]
    list_display_links = ["thumbnail", "full_name"]
    list_filter = ["is_active", "job_title"]
    search_fields = ["full_name", "job_title", "email", "short_bio"]
    prepopulated_fields = {"slug": ["full_name"]}
    autocomplete_fields = ["user"]
    inlines = [SocialLinkInline]
    fieldsets = [
        (None, {"fields": ["full_name", "slug", "job_title", "photo", "short_bio", "bio"]}),
        ("Contact and login", {"fields": ["email", "user", "is_active"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """Search people; an autocomplete (e.g. a story's byline) offers active people only.

        Django's autocomplete view asks this admin for the people to offer, and names the
        field being filled in its app_label, model_name and field_name parameters. Whatever
        the field, it is a new choice, so inactive people are left out. A byline that
        already names an inactive person keeps them: the form's own choices are not
        narrowed, only the suggestions. The People list itself still shows everyone.
        """
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term)
        if is_autocomplete(request):
            queryset = queryset.active()
        return queryset, may_have_duplicates

    @admin.display(description="Photo")
    def thumbnail(self, obj):
        if not obj.photo:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="40" height="40" style="object-fit:cover;border-radius:50%">',
            obj.photo.url,
        )
