"""Revisions: what a story looked like after each save.

``record_revision`` is called wherever a story is saved on purpose (the admin, every
workflow transition, imports), after its bylines, tags and related items are saved, so the
snapshot is the whole story as an editor saw it.
"""

from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone

from articles.models import Article, Byline, Image, RelatedItem, Revision, Section
from people.models import Person

# Editorial fields, in the order the history and diff pages show them.
FIELDS = [
    ("headline", "Headline"),
    ("kicker", "Kicker"),
    ("dek", "Dek"),
    ("dateline", "Dateline"),
    ("summary", "Summary"),
    ("body", "Body"),
    ("section", "Section"),
    ("lead_image", "Lead image"),
    ("bylines", "Bylines"),
    ("tags", "Tags"),
    ("related", "In Other News"),
    ("runs", "Also runs on"),
    ("status", "Status"),
    ("publish_at", "Publish time"),
    ("embargo_until", "Embargo until"),
    ("featured", "Featured"),
    ("priority", "Priority"),
    ("slug", "Slug"),
    ("seo_title", "SEO title"),
    ("seo_description", "SEO description"),
    ("canonical_url", "Canonical URL"),
]
LABELS = dict(FIELDS)

TEXT_FIELDS = ["headline", "kicker", "dek", "dateline", "summary", "body", "status", "slug",
               "seo_title", "seo_description", "canonical_url"]


def _iso(value):
    # UTC to the second: the admin's date widgets drop microseconds, which are no change.
    return value.astimezone(UTC).replace(microsecond=0).isoformat() if value else None


def snapshot(article):
    """The story's editorial content as plain JSON-able data."""
    data = {name: getattr(article, name) for name in TEXT_FIELDS}
    data.update(
        section={"id": article.section_id, "name": article.section.name}
        if article.section_id else None,
        lead_image={"id": article.lead_image_id, "alt": article.lead_image.alt_text}
        if article.lead_image_id else None,
        publish_at=_iso(article.publish_at),
        embargo_until=_iso(article.embargo_until),
        featured=article.featured,
        priority=article.priority,
        bylines=[
            {"person": b.person_id, "name": b.person.full_name, "role": b.role, "order": b.order}
            for b in article.bylines.select_related("person").order_by("order", "pk")
        ],
        tags=sorted(article.tags.names()),
        related=[
            {"target": r.target_id, "url": r.url, "title": r.title, "order": r.order,
             "label": r.display_title}
            for r in article.related_items.select_related("target").order_by("order", "pk")
        ],
        # The sister mastheads that run the story, and how (their desks decide).
        runs=[
            {"publication": r.publication_id, "name": r.publication.name,
             "section": r.section.name if r.section_id else "", "headline": r.headline,
             "featured": r.featured}
            for r in article.runs.sisters().select_related("publication", "section")
            .order_by("publication__name")
        ],
    )
    return data


def record_revision(article, *, user=None, comment=""):
    """Store a snapshot of ``article`` as its next revision and return it."""
    data = snapshot(article)
    for _attempt in range(3):
        number = (article.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                return Revision.objects.create(
                    article=article, number=number, article_version=article.version,
                    user=user if user and user.is_authenticated else None,
                    comment=comment[:300], data=data,
                )
        except IntegrityError:
            continue  # another save took this number a moment ago; take the next
    raise IntegrityError(f"Could not number a revision of article {article.pk}.")


def display_value(name, value):
    """A revision value as editors read it in history and diffs."""
    if value in (None, "", []):
        return ""
    if name == "section":
        return value["name"]
    if name == "lead_image":
        return value["alt"]
    if name == "bylines":
        return "\n".join(f"{b['name']} ({b['role']})" for b in value)
    if name == "tags":
        return ", ".join(value)
    if name == "related":
        return "\n".join(f"{r.get('label') or r['title']} {r['url']}".strip() for r in value)
    if name == "runs":
        return "\n".join(
            f"{r['name']}, {r['section']}" + (" (featured)" if r["featured"] else "")
            + (f": {r['headline']}" if r["headline"] else "") for r in value)
    if name == "status":
        return Article.Status(value).label if value in Article.Status.values else value
    if name in ("publish_at", "embargo_until"):
        when = timezone.localtime(datetime.fromisoformat(value))
        return formats.date_format(when, "DATETIME_FORMAT")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def revision_for_version(article, version):
    """The revision recorded when ``article`` had ``version``, if any."""
    return article.revisions.filter(article_version__lte=version).order_by("-number").first()


def apply_snapshot(article, data):
    """Write a snapshot's content into ``article`` (saved), with bylines, tags and related.

    Status, times, the slug and the mastheads it runs on are not restored: restoring old
    wording must never publish, unpublish or move a story, and where it runs is the
    decision of each masthead's desk.
    """
    for name in ["headline", "kicker", "dek", "dateline", "summary", "body", "seo_title",
                 "seo_description", "canonical_url"]:
        setattr(article, name, data.get(name) or "")
    section_id = (data.get("section") or {}).get("id")
    if section_id and Section.objects.filter(pk=section_id,
                                             publication_id=article.publication_id).exists():
        article.section_id = section_id
    image_id = (data.get("lead_image") or {}).get("id")
    article.lead_image_id = image_id if Image.objects.filter(pk=image_id).exists() else None
    article.save()
    article.tags.set(data.get("tags") or [])
    article.bylines.all().delete()
    people = set(Person.objects.filter(
        pk__in=[b["person"] for b in data.get("bylines") or []]).values_list("pk", flat=True))
    Byline.objects.bulk_create(
        Byline(article=article, person_id=b["person"], role=b["role"], order=b["order"])
        for b in data.get("bylines") or [] if b["person"] in people
    )
    article.related_items.all().delete()
    targets = set(Article.objects.filter(
        pk__in=[r["target"] for r in data.get("related") or [] if r["target"]]
    ).values_list("pk", flat=True))
    RelatedItem.objects.bulk_create(
        RelatedItem(article=article, target_id=r["target"], url=r["url"] or "",
                    title=r["title"] or "", order=r["order"])
        for r in data.get("related") or []
        if (r["target"] in targets) or (not r["target"] and r["url"])
    )
    return article
