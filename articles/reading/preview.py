"""Previews of unpublished stories, and of a live story's pending changes: for staff in
the admin, and by share link.

A share link's address carries ``django.core.signing`` token naming a ``PreviewLink``
row. The signature stops forged or edited tokens, its timestamp and the row's
``expires_at`` stop old ones, and the row's ``revoked_at`` lets an editor withdraw a
link at once. Anything wrong is a plain 404, which says nothing about the story.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from articles.editorial.revisions import staged
from articles.models import Article, PendingChanges, PreviewLink
from articles.reading.views import ArticleDetailView

SALT = "articles.reading.preview-link"


def preview_max_age():
    return timedelta(hours=settings.NEWSROOM_PREVIEW_HOURS)


def create_preview_link(*, article, user):
    return PreviewLink.objects.create(
        article=article, created_by=user if user and user.is_authenticated else None,
        expires_at=timezone.now() + preview_max_age(),
    )


def preview_token(link):
    return signing.dumps({"link": link.pk, "article": link.article_id}, salt=SALT)


def preview_url(link):
    return reverse("articles:preview", kwargs={"token": preview_token(link)})


def link_for_token(token):
    """The active ``PreviewLink`` a token names, or None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=preview_max_age())
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    link = PreviewLink.objects.filter(pk=data.get("link"), article_id=data.get("article")).first()
    return link if link and link.is_active else None


def keep_private(response):
    """Nobody indexes, caches or follows a preview."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    return response


class ArticlePreviewView(ArticleDetailView):
    """The story page as readers will see it, whatever the story's status.

    Built on ``ArticleDetailView`` so the page gets exactly the context the public page
    gets; only which story and the headers differ.
    """

    template_name = "articles/article_preview.html"
    use_fragment_cache = False  # a draft is never kept, and never shown from readers' copy
    article_id = None
    preview_link = None

    def published_articles(self):
        return Article.objects.filter(pk=self.article_id).select_related("section")

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset())

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        pending = PendingChanges.objects.filter(article=self.object).first()
        if pending is None:
            return keep_private(self.render())
        # A live story with pending changes: preview them, as readers will get them once
        # published, without the live story changing for anyone else.
        with staged(self.object, pending.data):
            self.object = self.get_object()
            return keep_private(self.render(pending_changes=pending))

    def render(self, **extra):
        now = timezone.now()
        embargo = self.object.embargo_until
        context = self.get_context_data(
            object=self.object, preview_link=self.preview_link, is_preview=True,
            embargoed_until=embargo if embargo and embargo > now else None, **extra,
        )
        return self.render_to_response(context).render()


class SharedPreviewView(ArticlePreviewView):
    """Anyone holding a valid share link sees the preview, without logging in."""

    def get(self, request, *args, token, **kwargs):
        link = link_for_token(token)
        if link is None:
            raise Http404("No such preview.")
        self.article_id, self.preview_link = link.article_id, link
        return super().get(request, *args, **kwargs)
