"""The newsroom dashboard on the admin's front page."""

from datetime import timedelta

from django import template
from django.utils import timezone

from articles.editorial import workflow
from articles.models import Article

register = template.Library()
Status = Article.Status
LIMIT = 10


@register.inclusion_tag("admin/articles/dashboard.html", takes_context=True)
def newsroom_dashboard(context):
    user = context["request"].user
    if not workflow.can_view(user, None):
        return {"show": False}
    now = timezone.now()
    soon = now + timedelta(hours=24)
    stories = Article.objects.select_related("section", "publication", "created_by")
    if not user.has_perm("articles.edit_any_article"):
        mine_or_public = stories.filter(created_by=user) | stories.filter(
            status=Status.PUBLISHED)
        stories = mine_or_public
    return {
        "show": True,
        "now": now,
        "my_drafts": stories.filter(
            created_by=user, status__in=[Status.DRAFT, Status.RETURNED]
        ).order_by("-modified_at")[:LIMIT],
        "in_review": stories.filter(status=Status.IN_REVIEW).order_by("modified_at")[:LIMIT],
        # Going live in the next day: a publish time or an embargo's end in the window.
        "scheduled": (
            stories.scheduled(at=now).filter(publish_at__lte=soon)
            | stories.embargoed(at=now).filter(embargo_until__lte=soon)
        ).order_by("publish_at")[:LIMIT],
        "recent": stories.published(at=now).order_by("-publish_at")[:LIMIT],
    }
