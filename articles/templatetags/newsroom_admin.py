"""The newsroom dashboard on the admin's front page."""

from datetime import timedelta

from django import template
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone

from articles.editorial import roles, workflow
from articles.models import Article, Image, Membership, Publication, Run

register = template.Library()
Status = Article.Status
LIMIT = 10


@register.inclusion_tag("admin/articles/dashboard.html", takes_context=True)
def newsroom_dashboard(context):
    """What needs the person now, the stories of their own desks first."""
    user = context["request"].user
    if not workflow.can_view(user, None):
        return {"show": False}
    now = timezone.now()
    soon = now + timedelta(hours=24)
    desks = roles.desk_roles(user)
    stories = workflow.viewable(
        user, Article.objects.select_related("section", "publication", "created_by")
    ).annotate(on_my_desk=Case(
        When(Exists(Run.objects.filter(article=OuterRef("pk"), publication_id__in=list(desks))),
             then=Value(1)), default=Value(0), output_field=IntegerField()))
    labels = dict(Membership.Role.choices)
    return {
        "show": True,
        "now": now,
        "desks": [(publication, labels[desks[publication.pk]])
                  for publication in Publication.objects.filter(pk__in=list(desks))],
        "my_drafts": stories.filter(
            created_by=user, status__in=[Status.DRAFT, Status.RETURNED]
        ).order_by("-modified_at")[:LIMIT],
        "in_review": stories.filter(status=Status.IN_REVIEW)
        .order_by("-on_my_desk", "modified_at")[:LIMIT],
        # Going live in the next day: a publish time or an embargo's end in the window.
        "scheduled": (
            stories.scheduled(at=now).filter(publish_at__lte=soon)
            | stories.embargoed(at=now).filter(embargo_until__lte=soon)
        ).order_by("-on_my_desk", "publish_at")[:LIMIT],
        "recent": stories.published(at=now).order_by("-on_my_desk", "-publish_at")[:LIMIT],
        # Pictures a story cannot be published with until someone describes them.
        "undescribed_pictures": Image.objects.missing_alt_text().count()
        if user.has_perm("articles.change_image") else 0,
    }
