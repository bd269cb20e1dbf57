"""How the story will look as a search result and as a shared card, as the editor types.

The change form's preview (``share_preview.js``) posts the form's unsaved values here; the
answer is ``articles.distribution.metadata.share_card`` run on the story as typed, nothing
saved: the same rules (SEO title or headline, SEO description or summary or the body's
opening words, the lead image's rendition and focal point) that the page's <head> follows.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from articles.distribution.metadata import share_card
from articles.editorial import roles
from articles.models import Article, Image, Publication

# The form's fields the card is made from, with the longest each may be.
TEXT_FIELDS = {"headline": 200, "seo_title": 70, "seo_description": 160, "summary": 500,
               "slug": 200, "canonical_url": 200}
LONGEST_BODY = 2_000_000


def story_as_typed(article, data, user):
    """``article`` (unsaved) with the typed values of ``data``; a value that is not one of
    the person's choices (a publication, an image) is ignored."""
    for field, longest in TEXT_FIELDS.items():
        if field in data:
            setattr(article, field, data[field].strip()[:longest])
    if "body" in data:
        article.body = data["body"][:LONGEST_BODY]
    if not article.slug:
        article.slug = slugify(article.headline)[:200] or "story"
    publication = data.get("publication", "")
    if publication.isdigit() and int(publication) != article.publication_id:
        desks = roles.desks_where(user, "articles.add_article")
        chosen = Publication.objects.filter(pk=publication).first()
        if chosen is not None and (desks is None or chosen.pk in desks):
            article.publication = chosen
    if not article.publication_id:
        article.publication = Publication.objects.filter(is_default=True).first()
    image = data.get("lead_image", "")
    article.lead_image = Image.objects.filter(pk=image).first() if image.isdigit() else None
    return article


class SharePreviewAdminMixin:
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view(require_POST(self.share_preview_view))
        return [
            path("share-preview/", view, name=f"{prefix}_share_preview"),
            path("<path:object_id>/share-preview/", view, name=f"{prefix}_share_preview"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_share_preview"
        saved = obj is not None and obj.pk
        context["share_preview_url"] = reverse(name, args=[obj.pk]) if saved else reverse(name)
        if saved:
            context["share_card"] = share_card(obj, request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def share_preview_view(self, request, object_id=None):
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            article = Article()
        else:
            article = self.get_object(request, unquote(object_id))
            if article is None:
                raise Http404("No such story.")
            if not self.has_view_permission(request, article):
                raise PermissionDenied
        story = story_as_typed(article, request.POST, request.user)
        if story.publication is None:
            raise Http404("No publication.")
        return JsonResponse(share_card(story, request))
