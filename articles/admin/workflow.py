"""The editorial workflow in the article admin: permissions, buttons, actions, previews.

``WorkflowAdminMixin`` is mixed into ``ArticleAdmin``. Content is edited in the usual
change form; everything that changes a story's state (status, times, featured) happens
on a small confirmation page per transition, which calls ``articles.editorial.workflow`` — the
form itself never writes those fields.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from articles import body_images
from articles.admin.forms import ACTION_FORMS, MoveSectionForm
from articles.editorial import roles, workflow
from articles.models import Article, Correction, PreviewLink
from articles.reading.preview import ArticlePreviewView, create_preview_link, preview_url

Status = Article.Status

# Fields only transitions write; the change form shows them read-only.
WORKFLOW_FIELDS = ["status", "publish_at", "embargo_until", "review_note"]


# The steps that make a story, or its changes, public; not offered while it lacks anything.
PUBLISHING_ACTIONS = ("publish", "schedule", "publish_changes")


def problem_links(article, problems, *, on_change_form=False):
    """[(problem, link)]: each missing piece with a link to the field that fills it (on the
    story's form, or the lead image's own form for its alt text); "" when no field does."""
    change = "" if on_change_form else reverse("admin:articles_article_change",
                                               args=[article.pk])
    links = []
    for problem in problems:
        field = getattr(problem, "field", "")
        if field == "lead_image" and article.lead_image_id:
            link = reverse("admin:articles_image_change", args=[article.lead_image_id]) + "#id_alt_text"
        elif field == "body_images":
            # The library, showing just the body's pictures that still lack alt text.
            ids = ",".join(str(pk) for pk in body_images.image_ids(article.body))
            link = reverse("admin:articles_image_changelist") + f"?alt=missing&id__in={ids}"
        elif field == "bylines":
            link = f"{change}#bylines-group"  # the inline's heading
        else:
            link = f"{change}#id_{field}" if field else ""
        links.append((problem, link))
    return links


class StatusFilter(admin.SimpleListFilter):
    """Status as editors speak of it, including the derived Scheduled and Embargoed (a story
    scheduled under an embargo is both, and listed under both)."""

    title = "status"
    parameter_name = "state"
    # The states derived from a published story's times, beside the stored statuses.
    SCHEDULED, EMBARGOED, LIVE = "scheduled", "embargoed", "live"

    def lookups(self, request, model_admin):
        stored = [(status, status.label) for status in
                  (Status.DRAFT, Status.IN_REVIEW, Status.RETURNED)]
        return [
            *stored, (self.SCHEDULED, "Scheduled"), (self.EMBARGOED, "Embargoed"),
            (self.LIVE, "Published (live)"), (Status.UNPUBLISHED, Status.UNPUBLISHED.label),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == self.SCHEDULED:
            return queryset.scheduled(at=now)
        if value == self.EMBARGOED:
            return queryset.embargoed(at=now)
        if value == self.LIVE:
            return queryset.published(at=now)
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class WorkflowAdminMixin:
    workflow_action_template = "admin/articles/article/workflow_action.html"
    move_section_template = "admin/articles/article/move_section.html"
    share_links_template = "admin/articles/article/share_links.html"
    actions = ["publish_selected", "unpublish_selected", "move_to_section"]

    # --- Who sees and edits what ---------------------------------------------------

    def get_queryset(self, request):
        # What workflow.can_view lets the person see: every story of the desks they edit
        # and those their mastheads run, their own, and what is published.
        return workflow.viewable(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or workflow.can_view(request.user, obj)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def has_unpublish_permission(self, request):
        return request.user.has_perm("articles.unpublish_article")

    def get_readonly_fields(self, request, obj=None):
        # Powers of the story's home desk (for a new story: of any desk the person has).
        def may(perm):
            if obj is not None and obj.publication_id:
                return roles.may(request.user, perm, obj.publication_id)
            desks = roles.desks_where(request.user, perm)
            return desks is None or bool(desks)

        fields = [*super().get_readonly_fields(request, obj), *WORKFLOW_FIELDS]
        if not may("articles.feature_article"):
            fields += ["featured", "priority"]
        if not may("articles.edit_any_article"):
            fields += ["updated_at"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.status = Status.DRAFT
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        # New corrections go through the workflow, which also moves "Updated".
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            if instance.pk:
                instance.save()
            else:
                workflow.article_add_correction(
                    article=form.instance, user=request.user, kind=instance.kind,
                    text=instance.text, now=instance.created_at,
                )
        formset.save_m2m()

    # --- The change form --------------------------------------------------------------

    def pending_context(self, request, obj):
        """Overridden by PendingChangesAdminMixin; nothing waits without it."""
        return {}

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is not None and obj.pk:
            context.update(self.workflow_context(request, obj))
            context.update(self.pending_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_context(self, request, obj):
        info = self.opts.app_label, self.opts.model_name
        problems = workflow.publication_problems(obj)
        actions = [
            (action, label, reverse(f"admin:{info[0]}_{info[1]}_workflow",
                                    args=[obj.pk, action]))
            for action, label in workflow.available_actions(request.user, obj)
            # No Publish or Schedule button while something is missing: the panel lists it.
            if not (problems and action in PUBLISHING_ACTIONS)
        ]
        return {
            "workflow_actions": actions,
            "workflow_can_edit": self.has_change_permission(request, obj),
            "workflow_problems": problem_links(obj, problems, on_change_form=True),
            "workflow_preview_url": reverse(f"admin:{info[0]}_{info[1]}_preview", args=[obj.pk]),
            "workflow_share_url": reverse(f"admin:{info[0]}_{info[1]}_share", args=[obj.pk]),
        }

    def _workflow_redirect(self, request, obj):
        action = request.POST.get("_workflow")
        if action in ACTION_FORMS and obj.pk:
            return HttpResponseRedirect(reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_workflow",
                args=[obj.pk, action]))
        return None

    def response_change(self, request, obj):
        # "Save, then …" buttons: the story is saved first, so nothing typed is lost.
        return self._workflow_redirect(request, obj) or super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return (self._workflow_redirect(request, obj)
                or super().response_add(request, obj, post_url_continue))

    # --- Extra admin pages -----------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/workflow/<slug:action>/", view(self.workflow_view),
                 name=f"{prefix}_workflow"),
            path("<path:object_id>/preview/", view(self.preview_view), name=f"{prefix}_preview"),
            path("<path:object_id>/share/", view(self.share_links_view), name=f"{prefix}_share"),
            *super().get_urls(),
        ]

    def _viewable_article(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such story.")
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def _change_url(self, obj):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                       args=[obj.pk])

    def workflow_view(self, request, object_id, action):
        """A transition's confirmation page; its POST runs the workflow function."""
        form_class = ACTION_FORMS.get(action)
        if form_class is None:
            raise Http404("No such action.")
        obj = self._viewable_article(request, object_id)
        available = dict(workflow.available_actions(request.user, obj))
        if request.method == "POST":
            form = form_class(request.POST, article=obj)
            if form.is_valid():
                done = form.done_label  # worded before the story changes under the form
                try:
                    form.run(request.user)
                except workflow.WorkflowError as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    obj.refresh_from_db()
                    self.message_user(request, f"“{obj.headline}” {done}. Status: "
                                      f"{obj.status_string}.", messages.SUCCESS)
                    return HttpResponseRedirect(self._change_url(obj))
        else:
            if action not in available:
                self.message_user(request, "That step is not available for this story now.",
                                  messages.WARNING)
                return HttpResponseRedirect(self._change_url(obj))
            form = form_class(article=obj)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "original": obj, "title": f"{available.get(action, action)}",
            "form": form, "action": action,
            "problems": problem_links(obj, workflow.publication_problems(obj))
            if action in PUBLISHING_ACTIONS else [],
            "change_url": self._change_url(obj),
        }
        return TemplateResponse(request, self.workflow_action_template, context)

    def preview_view(self, request, object_id):
        obj = self._viewable_article(request, object_id)
        return ArticlePreviewView.as_view(article_id=obj.pk)(request)

    def share_links_view(self, request, object_id):
        """Create and revoke share links for a story's preview.

        A share link shows the story to anyone who holds it, before its embargo or
        scheduled time: only someone who may edit the story may make, see or revoke one.
        Reading a story in the admin is not enough (reporters read every published story,
        embargoed ones included)."""
        obj = self._viewable_article(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        if request.method == "POST":
            if "revoke" in request.POST:
                link = get_object_or_404(PreviewLink, article=obj, pk=request.POST["revoke"])
                if link.revoked_at is None:
                    link.revoked_at = timezone.now()
                    link.save(update_fields=["revoked_at"])
                self.message_user(request, "The link is revoked: it no longer opens.")
            else:
                create_preview_link(article=obj, user=request.user)
                self.message_user(request, "A new share link is ready; copy it below.",
                                  messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        now = timezone.now()
        links = [
            {"link": link, "url": request.build_absolute_uri(preview_url(link))
             if link.is_active else ""}
            for link in obj.preview_links.filter(created_at__gte=now - timedelta(days=30))
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "original": obj, "title": "Share a preview", "links": links,
            "change_url": self._change_url(obj), "now": now,
        }
        return TemplateResponse(request, self.share_links_template, context)

    # --- Bulk actions: each story is checked on its own and reported on its own ------

    def _bulk(self, request, queryset, verb, run, *, not_done=None):
        """Run ``run`` on each story; say which were done (``verb``) and, one message
        each, which were not and why (``not_done``, by default "Not <verb>")."""
        not_done = not_done or f"Not {verb.lower()}"
        done, refused = [], []
        for article in queryset.order_by("pk"):
            try:
                run(article)
            except (PermissionDenied, workflow.WorkflowError) as error:
                refused.append(f"“{article.headline}”: {error or 'not allowed'}")
            else:
                done.append(f"“{article.headline}”")
        if done:
            self.message_user(request, f"{verb} {len(done)}: {', '.join(done)}.",
                              messages.SUCCESS)
        for line in refused:
            self.message_user(request, f"{not_done}: {line}", messages.ERROR)

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "Published",
                   lambda a: workflow.article_publish(article=a, user=request.user))

    @admin.action(description="Unpublish selected stories", permissions=["unpublish"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "Unpublished",
                   lambda a: workflow.article_unpublish(article=a, user=request.user))

    @admin.action(description="Move selected stories to a section…", permissions=["change"])
    def move_to_section(self, request, queryset):
        form = MoveSectionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            section = form.cleaned_data["section"]
            self._bulk(request, queryset, "Moved", lambda a: workflow.article_move_section(
                article=a, user=request.user, section=section))
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "title": "Move stories to a section", "form": form,
            "articles": queryset, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.move_section_template, context)

