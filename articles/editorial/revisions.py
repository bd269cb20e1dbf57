"""Revisions: what a story looked like after each save.

``record_revision`` is called wherever a story is saved on purpose (the admin, every
workflow transition, imports), after its bylines, tags and related items are saved, so the
snapshot is the whole story as an editor saw it.
"""

from contextlib import contextmanager
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


def record_revision(article, *, user=None, comment="", skip_if_unchanged=False):
    """Store a snapshot of ``article`` as its next revision and return it.

    With ``skip_if_unchanged``, a snapshot equal to the latest revision's is not stored
    (None is returned): a save that changed nothing, such as the admin's save before a
    workflow step, is not a step in the story's history.
    """
    data = snapshot(article)
    if skip_if_unchanged:
        latest = article.revisions.order_by("-number").values_list("data", flat=True).first()
        if latest == data:
            return None
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
    unplaced = stage_snapshot(article, data)
    Byline.objects.bulk_create(Byline(article=article, **row) for row in unplaced["bylines"])
    RelatedItem.objects.bulk_create(
        RelatedItem(article=article, **row) for row in unplaced["related_items"])
    return article


def stage_snapshot(article, data):
    """``apply_snapshot`` keeping the story's byline and related rows (and their ids): the
    snapshot's rows take the places of the existing ones in order, existing rows left over
    are deleted, and the snapshot's rows left over are returned, not created, as
    ``{"bylines": [field values], "related_items": [field values]}``.

    The admin shows pending changes by staging them in a savepoint it rolls back; rows
    that keep their ids there are the same rows when the form comes back.
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
    people = set(Person.objects.filter(
        pk__in=[b["person"] for b in data.get("bylines") or []]).values_list("pk", flat=True))
    bylines = [{"person_id": b["person"], "role": b["role"], "order": b["order"]}
               for b in data.get("bylines") or [] if b["person"] in people]
    targets = set(Article.objects.filter(
        pk__in=[r["target"] for r in data.get("related") or [] if r["target"]]
    ).values_list("pk", flat=True))
    related = [{"target_id": r["target"], "url": r["url"] or "", "title": r["title"] or "",
                "order": r["order"]}
               for r in data.get("related") or []
               if (r["target"] in targets) or (not r["target"] and r["url"])]
    return {
        "bylines": _reuse_rows(article.bylines.order_by("order", "pk"), bylines,
                              key=["person_id", "role"]),
        "related_items": _reuse_rows(article.related_items.order_by("order", "pk"), related,
                                     key=["target_id", "url"]),
    }


def _reuse_rows(existing, wanted, key):
    """Give ``existing`` rows the ``wanted`` values; delete the rows left over and return
    the values left over.

    A row already holding a wanted value's ``key`` fields keeps them (so swapping two
    bylines never collides with the one-byline-per-person-and-role constraint); the others
    are filled in order.
    """
    free = list(existing)
    placed, leftover = [], []
    for values in wanted:
        match = next((row for row in free
                      if all(getattr(row, name) == values[name] for name in key)), None)
        if match:
            free.remove(match)
            placed.append((match, values))
        else:
            leftover.append(values)
    still_unplaced = leftover[len(free):]
    placed += zip(free, leftover, strict=False)
    for row in free[len(leftover):]:
        row.delete()
    for row, values in placed:
        if any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=list(values))
    return still_unplaced


class _PutBack(Exception):
    """Rolls back a ``staged`` block."""


@contextmanager
def staged(article, data, *, with_new_rows=True):
    """The story as it would be with the snapshot ``data``, while the block runs.

    The snapshot is written into the database inside a transaction that is always rolled
    back, then ``article`` is read again: nothing outside the block, readers included, ever
    sees it, and cache invalidations registered on commit are dropped with it. Yields the
    rows ``stage_snapshot`` left out, created too unless ``with_new_rows`` is false. With
    ``data`` None the story is left as it is, and only what the block writes is undone.
    """
    version = article.version
    try:
        with transaction.atomic():
            unplaced = (stage_snapshot(article, data) if data is not None
                        else {"bylines": [], "related_items": []})
            # Staging is no save: the form's edit-conflict check still sees the live version.
            Article.objects.filter(pk=article.pk).update(version=version)
            article.version = version
            if with_new_rows:
                Byline.objects.bulk_create(
                    Byline(article=article, **row) for row in unplaced["bylines"])
                RelatedItem.objects.bulk_create(
                    RelatedItem(article=article, **row) for row in unplaced["related_items"])
            yield unplaced
            raise _PutBack
    except _PutBack:
        pass
    finally:
        article.refresh_from_db()


def snapshot_with(article, data):
    """The snapshot ``article`` would have with ``data`` applied (the story untouched)."""
    with staged(article, data):
        return snapshot(article)
