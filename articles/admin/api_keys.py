"""API keys for the content API's partners: made here, shown once, revoked here.

Only the key's prefix and a hash are stored (``articles.models.api_keys``), so the key is
shown in a message right after it is made and never again; a lost key is revoked and a
new one made.
"""

from django.contrib import admin, messages
from django.utils import timezone

from articles.models import ApiKey
from articles.models.api_keys import KEY_START


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "shown_prefix", "rate", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = ["shown_prefix", "created_at"]
    fields = ["name", "rate", "shown_prefix", "created_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description="key starts with")
    def shown_prefix(self, api_key):
        return f"{KEY_START}{api_key.prefix}…" if api_key.prefix else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.issue()
            super().save_model(request, obj, form, change)
            messages.warning(
                request, f"The key for “{obj.name}” is {key} — copy it now: it is not kept "
                "and will not be shown again.")
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected keys (refused from now on)")
    def revoke(self, request, queryset):
        count = queryset.active().update(revoked_at=timezone.now())
        self.message_user(request, f"{count} key(s) revoked.")
