"""The "Paste wire copy" page of the article admin: text in, a draft out, after a preview.

``WireCopyAdminMixin`` goes before ``admin.ModelAdmin`` in ArticleAdmin's bases.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.importers.wire import WireError, create_wire_draft, parse_wire
from articles.models import Publication, Section


class WireCopyForm(forms.Form):
    text = forms.CharField(
        label="Wire copy", max_length=100_000, strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField"}),
        help_text="Paste the story as plain text: the headline on the first line, then the "
        "story. A dateline like “WASHINGTON —” and a closing “… is the … for …” line are "
        "recognised; page furniture (“In Other News”, “Related”, “Load More”) is dropped.",
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
        story = people = None
        if request.method == "POST" and form.is_valid():
            story = form.story
            people = story.people()
            if "create" in request.POST:
                article, unmatched = create_wire_draft(
                    story, publication=form.cleaned_data["publication"],
                    section=form.cleaned_data["section"], user=request.user,
                    create_people=form.cleaned_data["create_people"],
                )
                messages.success(request, f"Draft “{article.headline}” created from wire copy. "
                                 "Review it before it goes anywhere.")
                if unmatched:
                    messages.warning(request, "No byline for: " + ", ".join(unmatched)
                                     + ". Add them as people, then to the byline.")
                return redirect(reverse("admin:articles_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Paste wire copy",
            "form": form,
            "story": story,
            "people": people,
            "unmatched": [name for name, person, _bio in people or [] if person is None],
        }
        return TemplateResponse(request, "admin/articles/article/paste_wire.html", context)
