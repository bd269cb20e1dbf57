"""Webhooks in the admin, for admins (superusers) only: the endpoints partners gave us,
and the delivery log with its "Send again" action.

A secret is stored as entered (the signature needs it) but never shown again in full: the
form shows its last characters, and leaving the field blank keeps it. A new endpoint
without a secret gets a generated one, shown once in the message after saving.
"""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from articles.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from articles.models.webhooks import new_secret
from articles.webhooks.deliveries import send_again
from newsroom.outbound import RefusedAddress, resolve_public


class SuperuserOnlyMixin:
    """Endpoints carry secrets and point the server at other machines: admins only."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple,
        help_text="What this partner is told about.",
    )
    secret = forms.CharField(
        required=False, max_length=200, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "secret", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["secret"].help_text = (
                f"Now {self.instance.masked_secret}. Leave blank to keep it; type a new one "
                "to replace it (tell the partner first)."
            )
        else:
            self.fields["secret"].help_text = (
                "The partner's shared secret; leave blank to have one generated (shown once "
                "after saving)."
            )

    def clean_url(self):
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise forms.ValidationError("Give an http or https address.")
        if parts.username or parts.password:
            raise forms.ValidationError("Leave the user name and password out of the address.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            resolve_public(parts.hostname, port,
                           allowed=settings.NEWSROOM_WEBHOOK_ALLOWED_ADDRESSES)
        except RefusedAddress as exc:
            raise forms.ValidationError(
                f"{exc}. Webhooks go only to addresses on the public internet."
            ) from exc
        return url

    def clean_secret(self):
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk
                                               else "")

    def save(self, commit=True):
        endpoint = super().save(commit=False)
        endpoint.generated_secret = not endpoint.secret
        if endpoint.generated_secret:
            endpoint.secret = new_secret()
        if commit:
            endpoint.save()
        return endpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "event_list", "is_active", "deliveries_link"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]

    @admin.display(description="Events")
    def event_list(self, obj):
        return ", ".join(obj.events)

    @admin.display(description="Delivery log")
    def deliveries_link(self, obj):
        url = reverse("admin:articles_webhookdelivery_changelist")
        return format_html('<a href="{}?endpoint__id__exact={}">Deliveries</a>', url, obj.pk)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(obj, "generated_secret", False):
            messages.warning(
                request, f"The secret for {obj.url} is {obj.secret} — give it to the partner "
                "now: it will not be shown again.",
            )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "response_code", "ok", "error", "response_excerpt"]
    verbose_name_plural = "Attempts"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "event", "article", "endpoint", "status", "attempts",
                    "last_attempt_at", "last_response_code"]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint", "article"]
    date_hierarchy = "created_at"
    search_fields = ["event_id", "article__headline", "endpoint__url"]
    readonly_fields = ["endpoint", "event", "event_id", "article", "status", "created_at",
                       "attempts", "first_attempt_at", "last_attempt_at",
                       "last_response_code", "delivered_at", "next_attempt_at", "body"]
    fields = readonly_fields
    inlines = [WebhookAttemptInline]
    actions = ["send_again_action"]

    def has_add_permission(self, request, *args):
        return False  # deliveries come from events, never typed in

    @admin.action(description="Send again")
    def send_again_action(self, request, queryset):
        count = send_again(queryset)
        self.message_user(request, f"{count} deliver{'y' if count == 1 else 'ies'} queued to "
                          "be sent again by the worker.", messages.SUCCESS)
