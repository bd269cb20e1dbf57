"""The "Paste wire copy" page of the article admin: text in, a draft out, after a preview.

``WireCopyAdminMixin`` goes before ``admin.ModelAdmin`` in ArticleAdmin's bases.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.importers.wire import (
    MAX_CHARS,
    WireError,
    create_wire_draft,
    imported_before,
    parse_wire,
)
from articles.models import Publication, Section


class WireCopyForm(forms.Form):
    text = forms.CharField(
        label="Wire copy", max_length=MAX_CHARS, strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField"}),
        help_text="Paste the story as plain text: the headline on the first line, then the "
        "story, as it came (blank lines, hard wraps and a slug line are fine). A “By …” line, "
        "a dateline like “WASHINGTON —” or “KYIV, Ukraine (AP) —” and a closing “… is the … "
        "for …” line are recognised; page furniture (“Advertisement”, “Related: …”, “In Other "
        "News”, “Load More”) is dropped.",
    )
    publication = forms.ModelChoiceField(queryset=Publication.objects.all())
    section = forms.ModelChoiceField(queryset=Section.objects.select_related("publication"),
                                     required=False)
    create_people = forms.BooleanField(
        required=False, label="Add authors who are not in the newsroom yet as new people",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = Publication.objects.filter(is_default=True).first()
        if default:
            self.fields["publication"].initial = default.pk

    def clean_text(self):
        text = self.cleaned_data["text"]
        try:
            self.story = parse_wire(text)
        except WireError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return text

    def clean(self):
        cleaned = super().clean()
        section, publication = cleaned.get("section"), cleaned.get("publication")
        if section and publication and section.publication_id != publication.pk:
            self.add_error("section", "Choose a section of the chosen publication.")
        return cleaned


class WireCopyAdminMixin:
    def get_urls(self):
        return [
            path("paste-wire/", self.admin_site.admin_view(self.paste_wire_view),
                 name="articles_article_paste_wire"),
            *super().get_urls(),
        ]

    def paste_wire_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = WireCopyForm(request.POST or None)
        story = people = first = None
        if request.method == "POST" and form.is_valid():
            story = form.story
            people = story.people()
            first = imported_before(story, form.cleaned_data["publication"])
            if "create" in request.POST:
                return self._create_wire_draft(request, form)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Paste wire copy",
            "form": form,
            "story": story,
            "people": people,
            "unmatched": [name for name, person, _bio in people or [] if person is None],
            "imported_before": first,
        }
        return TemplateResponse(request, "admin/articles/article/paste_wire.html", context)

    def _create_wire_draft(self, request, form):
        draft = create_wire_draft(
            form.story, publication=form.cleaned_data["publication"],
            section=form.cleaned_data["section"], user=request.user,
            create_people=form.cleaned_data["create_people"],
        )
        article = draft.article
        headline = article.headline or "(no headline yet)"
        if not draft.created:
            messages.warning(request, f"This story was already imported as “{headline}”: "
                             "here it is. No second draft was made.")
        else:
            messages.success(request, f"Draft “{headline}” created from wire copy. Review it "
                             "before it goes anywhere.")
            for problem in form.story.problems:
                messages.warning(request, problem)
            if draft.bios_set:
                messages.info(request, "The closing line is now the bio line of "
                              + ", ".join(draft.bios_set) + ".")
            if draft.unmatched:
                messages.warning(request, "No byline for: " + ", ".join(draft.unmatched)
                                 + ". Add them as people, then to the byline.")
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))
