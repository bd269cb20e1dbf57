"""The network in the article admin: where a story runs, a sister desk's page to run it
(or change how, or drop it), and each person's desks first in lists, filters and pickers.

``RunsAdminMixin`` is mixed into ``ArticleAdmin``. Every change goes through
``articles.editorial.workflow`` (``article_run_on``, ``article_change_run``,
``article_drop_run``), which checks the desk; this module only shows what the signed-in
person may do.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.editorial import roles, workflow
from articles.models import Membership, Publication, Run, Section


def my_desks(user):
    """{publication id: role label} of the user's desks, in the order they are offered."""
    labels = dict(Membership.Role.choices)
    return {pk: labels[role] for pk, role in roles.desk_roles(user).items()}


def desks_first(user, publications):
    """``publications`` with the user's desks first, each named with the role held there."""
    desks = my_desks(user)
    ordered = sorted(publications, key=lambda p: (p.pk not in desks, p.name))
    return [(p, desks.get(p.pk)) for p in ordered]


class MastheadFilter(admin.SimpleListFilter):
    """Stories by masthead, the signed-in person's desks first."""

    def lookups(self, request, model_admin):
        return [(str(p.pk), f"{p.name} — your desk ({role.lower()})" if role else p.name)
                for p, role in desks_first(request.user, Publication.objects.all())]


class HomeMastheadFilter(MastheadFilter):
    title = "home masthead"
    parameter_name = "home"

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(publication_id=value) if value and value.isdigit() else queryset


class RunsOnFilter(MastheadFilter):
    """Stories a masthead shows: its own and those it runs from its sisters."""

    title = "runs on"
    parameter_name = "runs_on"

    def queryset(self, request, queryset):
        value = self.value()
        if not (value and value.isdigit()):
            return queryset
        return queryset.filter(Exists(Run.objects.filter(article=OuterRef("pk"),
                                                         publication_id=value)))


class SectionFilter(admin.RelatedFieldListFilter):
    """Sections of the person's desks first."""

    def field_choices(self, field, request, model_admin):
        desks = roles.desk_roles(request.user)
        sections = Section.objects.select_related("publication")
        ordered = sorted(sections, key=lambda s: (s.publication_id not in desks,
                                                  s.publication.name, s.order, s.name))
        return [(s.pk, f"{s.name} ({s.publication.name})") for s in ordered]


class RunForm(forms.Form):
    """How a sister masthead runs a story: its section there, its own headline, featured."""

    section = forms.ModelChoiceField(queryset=Section.objects.none(), empty_label=None)
    headline = forms.CharField(
        max_length=200, required=False,
        help_text="Blank: the story's own headline. Shown in this masthead's lists and feeds.")
    featured = forms.BooleanField(
        required=False, help_text="Eligible for the lead of this masthead's front page.")

    def __init__(self, *args, publication, can_feature, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = publication.sections.all()
        self.fields["section"].help_text = f"Where the story sits on {publication.name}."
        if not can_feature:
            del self.fields["featured"]


class RunOnMastheadForm(forms.Form):
    """Where the selected stories run: a section of a masthead whose runs the person
    decides (the masthead is the section's)."""

    section = forms.ModelChoiceField(
        queryset=Section.objects.none(), label="Run them in",
        help_text="Each runs under its own headline and is not featured there; its page "
                  "in the admin changes that for one story.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sections = Section.objects.select_related("publication").order_by(
            "publication__name", "order", "name")
        desks = roles.desks_where(user, "articles.publish_article")
        if desks is not None:
            sections = sections.filter(publication_id__in=desks)
        field = self.fields["section"]
        field.queryset = sections
        field.label_from_instance = lambda section: f"{section.publication.name} — {section.name}"


class RunsAdminMixin:
    run_template = "admin/articles/article/run.html"
    run_on_masthead_template = "admin/articles/article/run_on_masthead.html"
    actions = ["run_on_masthead"]

    # --- Desks first ----------------------------------------------------------------

    def get_ordering(self, request):
        # The stories that run on the person's desks first, newest first within each part.
        desks = list(roles.desk_roles(request.user))
        on_my_desk = Case(
            When(Exists(Run.objects.filter(article=OuterRef("pk"), publication_id__in=desks)),
                 then=Value(1)), default=Value(0), output_field=IntegerField())
        return [on_my_desk.desc(),
                *(super().get_ordering(request) or ["-publish_at", "-created_at"])]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the mastheads (and their sections) where the person may write stories.
        desks = roles.desks_where(request.user, "articles.add_article")
        if desks is not None and db_field.name == "publication":
            kwargs["queryset"] = Publication.objects.filter(pk__in=desks)
        if desks is not None and db_field.name == "section":
            kwargs["queryset"] = Section.objects.filter(publication_id__in=desks)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- Where the story runs ----------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is not None and obj.pk:
            context.update(self.runs_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def runs_context(self, request, obj):
        runs = list(obj.runs.select_related("publication", "section"))
        for run in runs:
            run.page_url = (run.publication.url_for(run.get_absolute_url(), request=request)
                            if obj.is_public else "")
        decide = [
            (masthead, run, reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_run",
                                    args=[obj.pk, masthead.pk]))
            for masthead, run in workflow.run_actions(request.user, obj)
        ]
        return {"runs": runs, "run_decisions": decide}

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/runs/<int:publication_id>/",
                 self.admin_site.admin_view(self.run_view), name=f"{prefix}_run"),
            *super().get_urls(),
        ]

    def run_view(self, request, object_id, publication_id):
        """A sister desk's page: run the story on its masthead, change how, or drop it."""
        obj = self._viewable_article(request, object_id)
        masthead = get_object_or_404(Publication, pk=publication_id)
        if masthead.pk == obj.publication_id:
            raise Http404("This is the story's home masthead.")
        if not workflow.can_run(request.user, obj, masthead):
            raise PermissionDenied
        run = obj.runs.filter(publication=masthead).select_related("section").first()
        can_feature = roles.may(request.user, "articles.feature_article", masthead.pk)
        initial = ({"section": run.section, "headline": run.headline, "featured": run.featured}
                   if run else {})
        form = RunForm(request.POST or None, initial=initial, publication=masthead,
                       can_feature=can_feature)
        if request.method == "POST":
            done = self._decide_run(request, obj, masthead, run, form)
            if done:
                return HttpResponseRedirect(self._change_url(obj))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "original": obj, "masthead": masthead, "run": run,
            "form": form, "change_url": self._change_url(obj),
            "title": f"{'Change how' if run else 'Run it on'} {masthead.name}"
            + (" runs it" if run else ""),
        }
        return TemplateResponse(request, self.run_template, context)

    def _decide_run(self, request, obj, masthead, run, form):
        """Carry out the POSTed decision; True when done (a message says what happened)."""
        try:
            if "_drop" in request.POST:
                workflow.article_drop_run(article=obj, user=request.user, publication=masthead)
                self.message_user(request, f"“{obj.headline}” no longer runs on "
                                  f"{masthead.name}.", messages.SUCCESS)
                return True
            if not form.is_valid():
                return False
            data = form.cleaned_data
            step = workflow.article_change_run if run else workflow.article_run_on
            step(article=obj, user=request.user, publication=masthead,
                 section=data["section"], headline=data["headline"],
                 featured=data.get("featured", run.featured if run else False))
        except workflow.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
            return False
        self.message_user(request, f"“{obj.headline}” runs on {masthead.name}, in "
                          f"{data['section'].name}.", messages.SUCCESS)
        return True

    # --- Several stories at once --------------------------------------------------------

    def has_run_permission(self, request):
        # Editors of a desk decide what it runs; with one masthead there is no sister.
        desks = roles.desks_where(request.user, "articles.publish_article")
        return (desks is None or bool(desks)) and Publication.objects.count() > 1

    @admin.action(description="Run selected stories on a masthead…", permissions=["run"])
    def run_on_masthead(self, request, queryset):
        """Each selected story runs on the chosen masthead, in the chosen section; a story
        that cannot (its own masthead's, already running there, not the person's to run)
        is named with the reason and the others go on."""
        form = RunOnMastheadForm(request.POST if "apply" in request.POST else None,
                                 user=request.user)
        if form.is_bound and form.is_valid():
            section = form.cleaned_data["section"]
            masthead = section.publication
            self._bulk(request, queryset, f"Now running on {masthead.name} in {section.name}",
                       lambda article: workflow.article_run_on(
                           article=article, user=request.user, publication=masthead,
                           section=section),
                       not_done=f"Not run on {masthead.name}")
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "title": "Run stories on a masthead", "form": form,
            "articles": queryset.select_related("publication"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.run_on_masthead_template, context)
