"""Edits to a live story wait as pending changes ("Live + changes") in the change form.

While readers can see a story (``workflow.edits_wait_for_publishing``), its change form
works on the pending version: the form is shown, checked and saved exactly as for any
story, inside a transaction that is rolled back (``revisions.staged``), and what the save
would have made is kept as the story's ``PendingChanges``. The live story, its revisions
and every reader's page stay as they were until an editor publishes the changes.
Corrections are the exception: they are public on save, as always.

``PendingChangesAdminMixin`` goes before ``WorkflowAdminMixin`` in ArticleAdmin's bases;
``PendingRowsInlineMixin`` on the inlines whose rows a snapshot holds.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.urls import reverse

from articles.editorial import workflow
from articles.editorial.revisions import snapshot, staged
from articles.models import Correction

# Snapshot rows → the inline forms' fields, by formset prefix.
ROW_FIELDS = {
    "bylines": {"person_id": "person", "role": "role", "order": "order"},
    "related_items": {"target_id": "target", "url": "url", "title": "title", "order": "order"},
}


class PendingEdit:
    """What one request to a live story's change form learns on the way."""

    def __init__(self, article, pending):
        self.pending = pending
        self.live = snapshot(article)
        self.unplaced = {}  # pending rows the live story has no row for: extra inline forms
        self.data = None  # the story as saved by the form, once it is
        self.after = []  # work that must reach the live story (corrections)

    def rows(self, prefix):
        return [{ROW_FIELDS[prefix][k]: v for k, v in row.items()}
                for row in self.unplaced.get(prefix, [])]


def pending_edit(request):
    return getattr(request, "pending_edit", None)


class PendingRowsInlineMixin:
    """Room in the inline for the pending version's rows that the live story lacks.
    ``rows_prefix`` is the inline formset's prefix, a key of ``ROW_FIELDS``."""

    rows_prefix = ""

    def get_extra(self, request, obj=None, **kwargs):
        edit = pending_edit(request)
        extra = super().get_extra(request, obj, **kwargs)
        if edit is None or request.method == "POST":
            return extra
        return max(extra, len(edit.rows(self.rows_prefix)))


class PendingChangesAdminMixin:
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id)) if object_id else None
        if article is None or not workflow.edits_wait_for_publishing(article):
            return super().changeform_view(request, object_id, form_url, extra_context)
        pending = workflow.pending_changes(article)
        edit = request.pending_edit = PendingEdit(article, pending)
        with staged(article, pending.data if pending else None, with_new_rows=False) as rows:
            edit.unplaced = rows
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # now, while the pending version is what the form reads
        if edit.data is not None:
            workflow.article_keep_changes(article=article, user=request.user, data=edit.data)
        for run in edit.after:
            run()
        return response

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        edit = pending_edit(request)
        if edit is not None and request.method != "POST" and edit.rows(prefix):
            kwargs["initial"] = edit.rows(prefix)
        return kwargs

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        edit = pending_edit(request)
        if edit is not None:
            edit.data = snapshot(form.instance)

    def save_formset(self, request, form, formset, change):
        edit = pending_edit(request)
        if edit is not None and formset.model is Correction:
            # Public on save, dated: once the staged edit is rolled back.
            edit.after.append(lambda: super(PendingChangesAdminMixin, self).save_formset(
                request, form, formset, change))
            # Nothing saved yet, as the admin's change message reads it.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return None
        return super().save_formset(request, form, formset, change)

    def log_change(self, request, obj, message):
        if pending_edit(request) is None:  # a pending edit is logged when it is kept
            return super().log_change(request, obj, message)
        return None

    def response_change(self, request, obj):
        edit = pending_edit(request)
        if edit is None:
            return super().response_change(request, obj)
        if edit.data == edit.live:
            self.message_user(request, f"“{obj.headline}”: nothing changed. Readers see the "
                              "live version.", messages.INFO)
        else:
            self.message_user(request, f"Your changes to “{obj.headline}” are kept as pending "
                              "changes. Readers see the live version until the changes are "
                              "published.", messages.SUCCESS)
        redirect = self._workflow_redirect(request, obj)
        if redirect:
            return redirect
        if "_continue" in request.POST:
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def pending_context(self, request, obj):
        """The "Live + changes" banner's facts and links, for a live story."""
        if not workflow.edits_wait_for_publishing(obj):
            return {}
        pending = workflow.pending_changes(obj)
        info = self.opts.app_label, self.opts.model_name
        return {"pending_changes": pending, "live_story": True,
                "pending_compare_url": reverse(f"admin:{info[0]}_{info[1]}_compare",
                                               args=[obj.pk]) + "?a=live&b=pending"}
