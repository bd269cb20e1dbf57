from django.contrib import admin
from django.utils.html import format_html

from .models import Person, SocialLink


class SocialLinkInline(admin.TabularInline):
    model = SocialLink
    extra = 0


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

    @admin.display(description="Photo")
    def thumbnail(self, obj):
        if not obj.photo:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="40" height="40" style="object-fit:cover;border-radius:50%">',
            obj.photo.url,
        )
