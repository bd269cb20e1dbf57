"""What to refresh when content changes: the surrogate keys of every page that shows it.

Connected in ``ArticlesConfig.ready``. Keys are bumped after the transaction commits, so a
reader can never re-cache the old version between the bump and the commit; they are kept
in the cache's journal, in the same transaction, until the cache has them
(``articles.caching.journal``), so Redis being out of reach loses nothing.

Two kinds of change:

- **soft**, an ordinary save (an edit, a new story, a move): a page that misses it may
  still be served for at most ``NEWSROOM_PAGE_CACHE_STALE_SECONDS`` while one request
  rebuilds it (``articles.caching.pages``), so a story saved every few seconds does not
  make every reader rebuild every list showing it;
- **hard**, something leaving readers' view (an unpublish, a story scheduled back into the
  future or embargoed, a deletion of anything): no page that misses it is served again.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from taggit.models import Tag

from articles.caching import journal, keys
from articles.models import (
    Article,
    Byline,
    Correction,
    Image,
    Publication,
    RelatedItem,
    Section,
    TaggedArticle,
)
from newsroom import renditions
from people.models import Person, SocialLink


def bump_on_commit(changed, *, hard=False):
    """Refresh ``changed`` once the transaction commits: a soft change, or with ``hard`` a
    hard one (see above)."""
    changed = set(changed)
    if changed:
        journal.record(changed, hard=hard)


def is_deletion(signal):
    return signal is post_delete


def story_keys(article):
    """A story, its section, tags, people and publication lists."""
    shows = keys.article_and_lists(article)
    if article.pk:
        shows.update(keys.tag(pk) for pk in
                     TaggedArticle.objects.filter(content_object=article)
                     .values_list("tag_id", flat=True))
        shows.update(keys.person(pk) for pk in
                     Byline.objects.filter(article=article).values_list("person_id", flat=True))
    return shows


def article_saved(sender, instance, created=False, **kwargs):
    """An edit refreshes the pages showing the story; a move refreshes the lists too.

    Pages that list a story carry its ``keys.article`` key, so a new headline reaches
    them without touching anything else. When the story joins or leaves readers' view,
    or moves (status, times, section, prominence), every list it may enter or leave is
    refreshed: its publication, section, tags and authors.
    """
    # Any save is a new lastmod in the sitemaps (harmless for a story not listed there).
    changed = {keys.article(instance.pk), keys.sitemap(instance.publication_id)}
    before = getattr(instance, "_loaded_placement", None) or {}
    after = instance.placement()
    published = Article.Status.PUBLISHED
    if published in (before.get("status"), after["status"]) and (created or before != after):
        changed |= story_keys(instance)
        if before.get("section_id") and before["section_id"] != after["section_id"]:
            changed.add(keys.section(before["section_id"]))
    instance._loaded_placement = after  # the next save compares with this one
    bump_on_commit(changed, hard=left_readers_view(before, after))


def left_readers_view(before, after):
    """Was the story public as it was loaded (``before``), and is it no longer (unpublished,
    scheduled back into the future, embargoed)?"""
    def public(placement):
        return Article(**{f: placement.get(f) for f in
                          ("status", "publish_at", "embargo_until")}).is_public

    return bool(before) and public(before) and not public(after)


def article_deleted(sender, instance, **kwargs):
    bump_on_commit(keys.article_and_lists(instance), hard=True)


def part_changed(sender, instance, **kwargs):
    """A byline, tag, related item or correction: the story's pages, and the lists the
    part puts it on (an author's page, a tag's page, the corrections page)."""
    article_id = getattr(instance, "article_id", None) or instance.content_object_id
    changed = {keys.article(article_id)}
    if isinstance(instance, (Byline, TaggedArticle, Correction)):
        publication_id = Article.objects.filter(pk=article_id).values_list(
            "publication_id", flat=True).first()
    if isinstance(instance, Byline):
        changed |= {keys.person(instance.person_id), keys.sitemap(publication_id)}
    elif isinstance(instance, TaggedArticle):
        changed |= {keys.tag(instance.tag_id), keys.sitemap(publication_id)}
    elif isinstance(instance, Correction):
        changed.add(keys.corrections(publication_id))
    bump_on_commit(changed, hard=is_deletion(kwargs.get("signal")))


def tags_changed(sender, instance, action, pk_set=None, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        bump_on_commit({keys.article(instance.pk), keys.sitemap(instance.publication_id),
                        *(keys.tag(pk) for pk in pk_set or ())},
                       hard=action in ("post_remove", "post_clear"))


def tag_changed(sender, instance, **kwargs):
    """A renamed tag: its page, every story showing its name (their pages carry it), and
    the sitemaps listing tags."""
    bump_on_commit({keys.tag(instance.pk), keys.TAGS}, hard=is_deletion(kwargs.get("signal")))


def person_changed(sender, instance, **kwargs):
    person_id = instance.person_id if isinstance(instance, SocialLink) else instance.pk
    # PEOPLE: the authors sitemaps.
    bump_on_commit({keys.person(person_id), keys.PEOPLE}, hard=is_deletion(kwargs.get("signal")))


def section_changed(sender, instance, **kwargs):
    # SITE: the section menu.
    bump_on_commit({keys.section(instance.pk), keys.layout(instance.publication_id),
                    keys.publication(instance.publication_id), keys.SITE},
                   hard=is_deletion(kwargs.get("signal")))


def publication_changed(sender, instance, **kwargs):
    # SITE: which host is which masthead.
    bump_on_commit({keys.layout(instance.pk), keys.publication(instance.pk), keys.SITE},
                   hard=is_deletion(kwargs.get("signal")))


def image_changed(sender, instance, hard=False, **kwargs):
    """A picture's stories: those it leads, and those showing it in their text (whose
    parts carry its image key, see ``articles.body_images``)."""
    shown = {keys.article(pk) for pk in instance.lead_for.values_list("pk", flat=True)}
    bump_on_commit(shown | {keys.image(instance.pk)}, hard=hard)


def image_deleting(sender, instance, **kwargs):
    """A picture taken out of the library: the stories it led lose it (the database sets
    their lead image to empty, without saving them, so no other signal says so), and its
    renditions are removed once the deletion commits. The uploaded original stays: a
    story's text may show it."""
    image_changed(sender, instance, hard=True)
    pk = instance.pk
    transaction.on_commit(lambda: renditions.remove(pk))


def connect():
    """Connect the receivers above; ``ArticlesConfig.ready`` calls it. Django keys a
    connection by signal, sender and dispatch_uid, so one name per receiver keeps each
    connected once however often this runs."""
    post_save.connect(article_saved, sender=Article, dispatch_uid="inv-article-saved")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid="inv-article-deleted")
    for signal in (post_save, post_delete):
        for model in (Byline, Correction, RelatedItem, TaggedArticle):
            signal.connect(part_changed, sender=model, dispatch_uid="inv-part-changed")
        for model in (Person, SocialLink):
            signal.connect(person_changed, sender=model, dispatch_uid="inv-person-changed")
        signal.connect(section_changed, sender=Section, dispatch_uid="inv-section-changed")
        signal.connect(tag_changed, sender=Tag, dispatch_uid="inv-tag-changed")
        signal.connect(publication_changed, sender=Publication,
                       dispatch_uid="inv-publication-changed")
    post_save.connect(image_changed, sender=Image, dispatch_uid="inv-image")
    pre_delete.connect(image_deleting, sender=Image, dispatch_uid="inv-image-deleting")
    m2m_changed.connect(tags_changed, sender=TaggedArticle, dispatch_uid="inv-tags")
