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
    MastheadBio,
    Publication,
    RelatedItem,
    Run,
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


def masthead_keys(article):
    """The lists of every masthead a story runs on: each one's stories and the section the
    story sits in there, and its sitemaps (a save is a new lastmod)."""
    shows = set()
    runs = Run.objects.filter(article_id=article.pk).values_list("publication_id", "section_id")
    for publication_id, section_id in runs if article.pk else ():
        shows |= {keys.publication(publication_id), keys.sitemap(publication_id)}
        if section_id:
            shows.add(keys.section(section_id))
    return shows


def masthead_sitemaps(article_id):
    """The sitemap keys of every masthead a story runs on."""
    return {keys.sitemap(pk) for pk in
            Run.objects.filter(article_id=article_id).values_list("publication_id", flat=True)}


def story_keys(article):
    """A story, its section, tags, people and the lists of every masthead it runs on (and
    the network's, for In Other News drawn from every masthead)."""
    shows = keys.article_and_lists(article) | masthead_keys(article) | {keys.NETWORK}
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
    refreshed on every masthead it runs on: their lists, the sections it sits in there,
    its tags and authors.
    """
    # Any save is a new lastmod in the sitemaps of every masthead that runs the story
    # (harmless for a story not listed there).
    changed = {keys.article(instance.pk), keys.sitemap(instance.publication_id)}
    before = getattr(instance, "_loaded_placement", None) or {}
    after = instance.placement()
    published = Article.Status.PUBLISHED
    if published in (before.get("status"), after["status"]) and (created or before != after):
        changed |= story_keys(instance)
        if before.get("section_id") and before["section_id"] != after["section_id"]:
            changed.add(keys.section(before["section_id"]))
        if before.get("publication_id") and before["publication_id"] != after["publication_id"]:
            changed.add(keys.publication(before["publication_id"]))
    else:
        changed |= masthead_sitemaps(instance.pk)
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
    # Its runs are deleted with it, and say where it ran (run_changed).
    bump_on_commit(keys.article_and_lists(instance) | {keys.NETWORK}, hard=True)


def run_changed(sender, instance, **kwargs):
    """A masthead began or stopped running a story, or changed its section, headline or
    featured flag there: the story's pages (their cards and addresses) and that masthead's
    lists, the section it left as well as the one it joined. Dropping it is a hard change:
    it leaves that masthead's readers' view."""
    changed = {keys.article(instance.article_id), keys.publication(instance.publication_id),
               keys.sitemap(instance.publication_id)}
    for section_id in {instance.section_id, getattr(instance, "_loaded_section_id", None)}:
        if section_id:
            changed.add(keys.section(section_id))
    bump_on_commit(changed, hard=is_deletion(kwargs.get("signal")))


def masthead_bio_changed(sender, instance, **kwargs):
    # The bio line is part of the person's stories' pages, which carry their key.
    bump_on_commit({keys.person(instance.person_id)}, hard=is_deletion(kwargs.get("signal")))


def part_changed(sender, instance, **kwargs):
    """A byline, tag, related item or correction: the story's pages, and the lists the
    part puts it on (an author's page, a tag's page, the corrections page)."""
    article_id = getattr(instance, "article_id", None) or instance.content_object_id
    changed = {keys.article(article_id)}
    if isinstance(instance, (Byline, TaggedArticle, Correction)):
        # Every masthead that runs the story lists it by author and tag, and its
        # corrections.
        mastheads = list(Run.objects.filter(article_id=article_id).values_list(
            "publication_id", flat=True))
    if isinstance(instance, Byline):
        changed |= {keys.person(instance.person_id), *map(keys.sitemap, mastheads)}
    elif isinstance(instance, TaggedArticle):
        changed |= {keys.tag(instance.tag_id), *map(keys.sitemap, mastheads)}
    elif isinstance(instance, Correction):
        changed |= set(map(keys.corrections, mastheads))
    bump_on_commit(changed, hard=is_deletion(kwargs.get("signal")))


def tags_changed(sender, instance, action, pk_set=None, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        bump_on_commit({keys.article(instance.pk), keys.sitemap(instance.publication_id),
                        *masthead_sitemaps(instance.pk), *(keys.tag(pk) for pk in pk_set or ())},
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
        signal.connect(run_changed, sender=Run, dispatch_uid="inv-run-changed")
        signal.connect(masthead_bio_changed, sender=MastheadBio,
                       dispatch_uid="inv-masthead-bio-changed")
    post_save.connect(image_changed, sender=Image, dispatch_uid="inv-image")
    pre_delete.connect(image_deleting, sender=Image, dispatch_uid="inv-image-deleting")
    m2m_changed.connect(tags_changed, sender=TaggedArticle, dispatch_uid="inv-tags")
