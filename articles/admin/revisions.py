"""Admin pages for a story's history: revisions, side-by-side diffs, restore, presence,
and the edit-conflict check on its form.

``RevisionAdminMixin`` goes before ``admin.ModelAdmin`` in ArticleAdmin's bases;
``EditConflictFormMixin`` before ``forms.ModelForm`` in its form.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from articles.editorial import workflow
from articles.editorial.diffs import compare
from articles.editorial.revisions import (
    apply_snapshot,
    record_revision,
    revision_for_version,
    snapshot,
    snapshot_with,
)
from articles.models import Article, EditingSession, PendingChanges

# A page that has not refreshed its presence for this long has been closed.
PRESENCE_TIMEOUT = timedelta(seconds=60)


class EditConflictFormMixin(forms.Form):
    """Refuses to save over a version the editor never saw.

    The form remembers the story's version when it was opened. If someone saved since,
    the save stops with an error, everything typed stays in the form, and ``conflict``
    tells the page who changed what. The hidden version then moves on, so saving again
    is a deliberate choice to keep this editor's text.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk or "loaded_version" in self.errors:
            return cleaned
        # A save that does not say which version it edits (a stale page, a script, a raw
        # POST) could be over anyone's work: it is refused like any other conflict.
        loaded = cleaned.get("loaded_version")
        # Inside the admin's transaction, lock the row until this save commits: two saves
        # cannot both pass the check.
        rows = Article.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        if current is not None and current != loaded:
            self.conflict = edit_conflict(self.instance, loaded)
            data = self.data.copy()
            data[self.add_prefix("loaded_version")] = current
            self.data = data
            who = self.conflict["user"] or "Someone"
            raise forms.ValidationError(
                "%(who)s saved this story after you opened it. Nothing you typed is lost: "
                "it is all still in the form below. Check their changes, then save again to "
                "keep your version.",
                code="edit_conflict",
                params={"who": who},
            )
        return cleaned


def edit_conflict(article, loaded_version):
    """Who saved since ``loaded_version``, when, and what they changed."""
    latest = article.revisions.select_related("user").order_by("-number").first()
    seen = None if loaded_version is None else revision_for_version(article, loaded_version)
    changes = compare(seen.data, latest.data) if seen and latest and seen != latest else []
    user, when = (latest.user, latest.created_at) if latest else (None, None)
    # On a live story the newer save may be pending changes, which are no revision.
    pending = PendingChanges.objects.filter(article=article).select_related("saved_by").first()
    if pending and (latest is None or pending.saved_at > latest.created_at):
        user, when = pending.saved_by, pending.saved_at
        changes = compare(seen.data, pending.data) if seen else []
    return {
        "user": (user.get_full_name() or user.get_username()) if user else None,
        "when": when,
        "changes": changes,
    }


def touch_presence(article, user):
    EditingSession.objects.update_or_create(
        article=article, user=user, defaults={"last_seen": timezone.now()}
    )


def others_editing(article, user):
    since = timezone.now() - PRESENCE_TIMEOUT
    sessions = (
        EditingSession.objects.filter(article=article, last_seen__gte=since)
        .exclude(user=user)
        .select_related("user")
        .order_by("user__username")
    )
    return [s.user.get_full_name() or s.user.get_username() for s in sessions]


class RevisionAdminMixin:
    """History, compare and restore pages, plus "also editing" presence, for ArticleAdmin."""

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/revisions/", wrap(self.revisions_view),
                 name=f"{prefix}_revisions"),
            path("<path:object_id>/revisions/compare/", wrap(self.compare_view),
                 name=f"{prefix}_compare"),
            path("<path:object_id>/revisions/<int:number>/restore/", wrap(self.restore_view),
                 name=f"{prefix}_restore"),
            path("<path:object_id>/presence/", wrap(self.presence_view),
                 name=f"{prefix}_presence"),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, object_id, *, change=False):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such story.")
        allowed = (self.has_change_permission(request, article) if change
                   else self.has_view_or_change_permission(request, article))
        if not allowed:
            raise PermissionDenied
        return article

    def _context(self, request, article, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "article": article,
            "title": title,
            "has_change_permission": self.has_change_permission(request, article),
            "has_add_permission": self.has_add_permission(request),
            **extra,
        }

    def revisions_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        revisions = list(article.revisions.select_related("user"))
        # Each revision with what it changed from the one before it.
        for revision, previous in zip(revisions, [*revisions[1:], None], strict=True):
            revision.changes = [d.label for d in compare(previous.data if previous else {},
                                                         revision.data)]
        return TemplateResponse(request, "admin/articles/article/revisions.html", self._context(
            request, article, f"History of “{article.headline}”", revisions=revisions,
            live_story=workflow.edits_wait_for_publishing(article)))

    def compare_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        revisions = {r.number: r for r in article.revisions.select_related("user")}
        pending = workflow.pending_changes(article)

        def pick(key):
            value = request.GET.get(key, "")
            if value == "live":
                return "live", snapshot(article)
            if value == "pending" and pending is not None:
                return "pending", pending.data
            try:
                revision = revisions[int(value)]
            except (ValueError, KeyError):
                raise Http404("Choose two revisions of this story to compare.") from None
            return revision, revision.data

        (old, old_data), (new, new_data) = pick("a"), pick("b")
        return TemplateResponse(request, "admin/articles/article/compare.html", self._context(
            request, article, f"Compare versions of “{article.headline}”",
            old=old, new=new, diffs=compare(old_data, new_data),
            all_fields=compare(old_data, new_data, only_changed=False),
        ))

    def restore_view(self, request, object_id, number):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        source = self._article_or_404(request, object_id)
        revision = get_object_or_404(source.revisions, number=number)
        if request.POST.get("as") == "copy":
            # A new draft, for when the live story must not change.
            if not self.has_add_permission(request):
                raise PermissionDenied
            with transaction.atomic():
                article = Article(publication=source.publication, created_by=request.user)
                apply_snapshot(article, revision.data)
                comment = f"Copied from revision {number} of story #{source.pk}"
                record_revision(article, user=request.user, comment=comment)
                self.log_addition(request, article, comment)
            messages.success(request, f"Revision {number} is now a new draft.")
        elif workflow.edits_wait_for_publishing(source):
            # Readers see this story: the revision becomes its pending changes, once the
            # editor has confirmed, and never the live text directly.
            article = self._article_or_404(request, object_id, change=True)
            if "confirm" not in request.POST:
                data = snapshot_with(article, revision.data)
                return TemplateResponse(
                    request, "admin/articles/article/restore_confirm.html", self._context(
                        request, article, f"Restore revision {number} of “{article.headline}”",
                        revision=revision,
                        diffs=compare(snapshot(article), data),
                    ))
            workflow.article_keep_changes(
                article=article, user=request.user, data=snapshot_with(article, revision.data),
                comment=f"Revision {number} restored into the pending changes")
            messages.success(request, f"Revision {number} is now this story’s pending changes. "
                             "Readers see the live version until the changes are published.")
        else:
            article = self._article_or_404(request, object_id, change=True)
            with transaction.atomic():
                apply_snapshot(article, revision.data)
                comment = f"Restored revision {number}"
                record_revision(article, user=request.user, comment=comment)
                self.log_change(request, article, comment)
            messages.success(request, f"Revision {number} restored. Review it before publishing.")
        return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                                args=[article.pk]))

    def presence_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        if request.POST.get("leaving"):
            EditingSession.objects.filter(article=article, user=request.user).delete()
        else:
            touch_presence(article, request.user)
        return JsonResponse({"others": others_editing(article, request.user),
                             "version": Article.objects.filter(pk=article.pk)
                             .values_list("version", flat=True).first()})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        article = self.get_object(request, unquote(object_id))
        if article is not None and self.has_view_or_change_permission(request, article):
            touch_presence(article, request.user)
            if request.method == "GET" and not article.revisions.exists():
                # A story made outside the admin (an import, the demo) gets a baseline, so a
                # later conflict or diff can show what changed since it was opened.
                record_revision(article, comment="Baseline: the story before its first edit")
            extra_context.update(
                also_editing=others_editing(article, request.user),
                presence_url=reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_presence",
                    args=[article.pk]),
                revisions_url=reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_revisions",
                    args=[article.pk]),
            )
        return super().change_view(request, object_id, form_url, extra_context)
