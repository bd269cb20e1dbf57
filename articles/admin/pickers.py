"""The story form's pickers offer only what fits the story.

- The section picker lists the sections of the story's publication, and follows the
  publication picker (``section_picker.js``); the model still refuses a section of another
  masthead (``Article.clean``), for a raw POST or a browser without JavaScript.
- The "In Other News" picker offers only stories readers can see on the story's masthead,
  ``Article.objects.published().on(masthead)``, each named with its status and date.
- The "Updated" time is typed in the newsroom's zone (settings.TIME_ZONE), which every
  editor works in, so Django's "You are N hours ahead of server time" note is left out.
"""

from django import forms
from django.contrib.admin import widgets
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.editorial import roles
from articles.models import Article

OTHER_NEWS_PAGE = 20


class SectionSelect(forms.Select):
    """Each section's option says which publication it belongs to."""

    class Media:
        js = ["articles/admin/section_picker.js"]

    def __init__(self, attrs=None):
        super().__init__(attrs={"data-section-picker": "id_publication", **(attrs or {})})

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        section = getattr(value, "instance", None)
        if section is not None:
            option["label"] = section.name
            option["attrs"]["data-publication"] = section.publication_id
        return option


class NewsroomTimeWidget(widgets.AdminSplitDateTime):
    """Date and time typed in the newsroom's zone, without the server-offset note."""

    template_name = "admin/articles/newsroom_split_datetime.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["time_zone"] = timezone.get_current_timezone_name()
        return context


def story_label(article):
    """"Headline · Published 30 Nov 2026": which story, how it stands, and when."""
    when = article.publish_at or article.created_at
    date = date_format(timezone.localtime(when), "j M Y") if when else ""
    return " · ".join(part for part in (article.headline, article.status_string, date) if part)


def other_news_choices(user, masthead_id):
    """The stories the "In Other News" picker may offer: public on the story's masthead (or,
    for a story not saved yet, on the person's desks)."""
    published = Article.objects.published()
    if masthead_id:
        return published.on(masthead_id)
    desks = roles.desks_where(user, "articles.add_article")
    return published if desks is None else published.filter(publication_id__in=desks)


class OtherNewsSelect(widgets.AutocompleteSelect):
    """Django's autocomplete, asking ``ArticleAdmin.other_news_view`` for its stories."""

    def __init__(self, field, admin_site, masthead_id=None, **kwargs):
        super().__init__(field, admin_site, **kwargs)
        self.masthead_id = masthead_id

    def get_url(self):
        url = reverse(f"{self.admin_site.name}:articles_article_other_news")
        return f"{url}?masthead={self.masthead_id}" if self.masthead_id else url


def other_news_response(request):
    """Select2's answer: a page of stories matching the typed words, newest first."""
    term = request.GET.get("term", "").strip()[:200]
    masthead = request.GET.get("masthead", "")
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    stories = other_news_choices(request.user, int(masthead) if masthead.isdigit() else None)
    if term:
        stories = stories.filter(headline__icontains=term)
    stories = stories.newest_first()
    start = (page - 1) * OTHER_NEWS_PAGE
    found = list(stories[start:start + OTHER_NEWS_PAGE + 1])
    return JsonResponse({
        "results": [{"id": str(a.pk), "text": story_label(a)} for a in found[:OTHER_NEWS_PAGE]],
        "pagination": {"more": len(found) > OTHER_NEWS_PAGE},
    })
