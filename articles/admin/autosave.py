"""Nothing typed is lost: the change form's autosave, kept on the server per person and
story (``Autosave``), offered back when the story is opened again.

The page's script (``static/articles/admin/autosave.js``) posts the form's fields a few
seconds after each change and as the page is left; the endpoint checks the same
permission as saving the form (``workflow.can_edit``). A successful save of the form
deletes the autosave. ``AutosaveAdminMixin`` goes before ``admin.ModelAdmin`` in
ArticleAdmin's bases.
"""

import json

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.urls import path, reverse
from django.utils import timezone

from articles.admin.pending import pending_edit
from articles.editorial import workflow
from articles.models import Autosave

# A story's form is a few hundred kilobytes at most; anything larger is not one.
MAX_AUTOSAVE_BYTES = 2_000_000


def parse_form_pairs(raw):
    """The posted ``data``: a JSON list of [name, value] string pairs, or None."""
    if not raw or len(raw) > MAX_AUTOSAVE_BYTES:
        return None
    try:
        pairs = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            for p in pairs):
        return None
    return pairs


def autosave_for(user, article):
    """``user``'s autosave of ``article`` (None: of a new story) worth offering: one newer
    than the story's last save."""
    found = Autosave.objects.filter(user=user, article=article).first()
    if found and article is not None and article.modified_at and \
            found.saved_at <= article.modified_at:
        return None
    return found


class AutosaveAdminMixin:
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("autosave/", view(self.autosave_view), name=f"{prefix}_autosave_new"),
            path("<path:object_id>/autosave/", view(self.autosave_view),
                 name=f"{prefix}_autosave"),
            *super().get_urls(),
        ]

    def autosave_view(self, request, object_id=None):
        """POST data=[[name, value], …] keeps it; POST discard=1 forgets it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = None
        if object_id is not None:
            article = self.get_object(request, unquote(object_id))
            if article is None:
                raise Http404("No such story.")
        if not workflow.can_edit(request.user, article):
            raise PermissionDenied
        if request.POST.get("discard"):
            Autosave.objects.filter(user=request.user, article=article).delete()
            return JsonResponse({"discarded": True})
        pairs = parse_form_pairs(request.POST.get("data"))
        if pairs is None:
            return JsonResponse({"error": "data must be a JSON list of [name, value] pairs"},
                                status=400)
        saved, _ = Autosave.objects.update_or_create(
            user=request.user, article=article,
            defaults={"data": pairs, "saved_at": timezone.now()})
        return JsonResponse({"saved_at": saved.saved_at.isoformat()})

    def autosave_context(self, request, obj):
        info = self.opts.app_label, self.opts.model_name
        if obj is not None and obj.pk:
            url = reverse(f"admin:{info[0]}_{info[1]}_autosave", args=[obj.pk])
        else:
            obj, url = None, reverse(f"admin:{info[0]}_{info[1]}_autosave_new")
        if not workflow.can_edit(request.user, obj):
            return {}
        return {"autosave_url": url,
                "autosave": autosave_for(request.user, obj) if request.method == "GET"
                else None}

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        context.update(self.autosave_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Saved: what was typed is the story (or its pending changes) now.
        def forget():
            Autosave.objects.filter(user=request.user,
                                    article=form.instance if change else None).delete()

        edit = pending_edit(request)
        if edit is not None:
            edit.after.append(forget)  # the staged save is rolled back; this must stay
        else:
            forget()
