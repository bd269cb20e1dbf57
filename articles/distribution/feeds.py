"""RSS 2.0 and Atom feeds: the publication, each section, each tag and each author.

Every feed starts from ``Article.objects.published().on(publication)`` for the host's
masthead (its own stories and those it runs from sister mastheads). Like a
page, a feed is kept by the page cache under the surrogate keys of what it shows, so
publishing, unpublishing, editing or correcting one of its stories, or renaming an author,
tag or section, refreshes it at once. A repeat request whose ``ETag`` (or
``Last-Modified``) still matches gets ``304 Not Modified``; the ETag is a digest of what the
feed shows (each item's id and last change, corrections included, and the generations of
the names it shows).

A feed that has to be built (the page cache off, or the first reader after a publish) is
its channel and its items' XML, each item kept as a part of pages
(``articles.caching.fragments``) under the keys of what it shows: only the items not in
the cache are loaded and written, so after a publish a feed writes the new story's item,
not fifty, and a feed whose items are all current reads no story at all.
"""

import hashlib
import mimetypes
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import router
from django.db.models import Max, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Enclosure
from django.utils.html import escape, format_html, format_html_join
from django.views.decorators.http import condition
from taggit.models import Tag

from articles import body_images
from articles.caching import fragments, keys
from articles.caching.generations import as_time, cache, current_generations
from articles.caching.pages import add_keys
from articles.distribution.feedgenerators import NewsroomAtomFeed, NewsroomRssFeed
from articles.distribution.metadata import plain_description
from articles.models import Article, Byline, Correction, Section
from articles.reading.compiled import CompiledQuery
from articles.reading.front import NOW
from articles.templatetags.newsroom import story_body
from newsroom.addresses import address
from people.models import Person

# However NEWSROOM_FEED_ITEMS is set, a feed never lists more than this.
FEED_ITEMS_CAP = 200


def feed_size():
    return max(1, min(int(getattr(settings, "NEWSROOM_FEED_ITEMS", 50)), FEED_ITEMS_CAP))


# What ``FeedScope.window`` reads of each story.
WINDOW = ("pk", "modified_at", "publish_at", "embargo_until")


# A feed reads the same queries on every build but for a few values (the time, its
# stories' ids): each is compiled once per process (as the front page's list is,
# articles.reading.front) and run with the request's values; the SQL is the QuerySets' own.
_compiled = {}  # (database, what, masthead id or None, size) -> CompiledQuery


def compiled(what, build, stand_ins, *, masthead=None, size=None):
    """The query ``build()`` gives, compiled once per process and database for ``what`` on
    ``masthead``, ``size`` rows, with ``stand_ins`` ({name: value}) for its values."""
    alias = router.db_for_read(Article)
    key = (alias, what, masthead, size)
    query = _compiled.get(key)
    if query is None:
        query = _compiled[key] = CompiledQuery(build(), stand_ins, using=alias)
    return query


def masthead_window(publication_pk, size):
    """``WINDOW`` of the ``size`` newest public stories on masthead ``publication_pk``: the
    masthead's own feed's list, read on every build of it."""
    query = compiled(
        "window", lambda: (Article.objects.published(at=NOW).on(publication_pk).newest_first()
                           .values_list(*WINDOW)[:size]),
        {"now": NOW}, masthead=publication_pk, size=size)
    return query.results(now=timezone.now())


def masthead_latest_save(publication_pk):
    """When a story of masthead ``publication_pk`` (public or not) was last saved, or None."""
    query = compiled(
        "latest save", lambda: (Article.objects.filter(publication_id=publication_pk)
                                .order_by("-modified_at").values_list("modified_at", flat=True)[:1]),
        {}, masthead=publication_pk)
    return next(iter(query.results()), None)


def latest_corrections(pks):
    """{story id: time of its newest correction} for the stories ``pks`` that have one. A
    feed's window asks it for the same number of stories on every build (its size, unless
    the list is shorter), so its query is compiled once per process and number of stories,
    with stand-in ids no story has."""
    pks = list(dict.fromkeys(pks))
    if not pks:
        return {}
    stand_ins = {f"pk{n}": -1 - n for n in range(len(pks))}
    query = compiled(
        "latest corrections", lambda: (
            Correction.objects.filter(article_id__in=list(stand_ins.values()))
            .values("article_id").annotate(latest=Max("created_at"))
            .values_list("article_id", "latest")),
        stand_ins, size=len(pks))
    return dict(query.results(**{f"pk{n}": pk for n, pk in enumerate(pks)}))


@dataclass
class FeedScope:
    """What one feed covers: a publication's stories, or those of a section/tag/author."""

    publication: object
    kind: str
    key: str
    title: str
    description: str
    link: str
    articles: object  # a queryset built on Article.objects.published(); None for "publication"
    request: object = None
    stamps: list = field(default_factory=list)
    # The stories whose items this request writes (``StoryFeed.get_feed``), and them loaded.
    to_write: list = field(default_factory=list)
    written: list = field(default_factory=list)
    shown_generations: tuple = None  # ``generations()``, read once

    def window(self):
        """The latest stories as (pk, last change), read cheaply for the ETag.

        A story's last change is the latest of its edit, its publish time, the end of its
        embargo and its newest correction, and never later than now: a change dated ahead
        (a correction timed a moment from now) shows as now until then.
        """
        if not self.stamps:
            if self.kind == "publication":  # the masthead's whole list: compiled once
                rows = masthead_window(self.publication.pk, feed_size())
            else:
                rows = list(self.articles.newest_first().values_list(*WINDOW)[: feed_size()])
            corrected = latest_corrections(row[0] for row in rows)
            now = timezone.now()
            for pk, modified, published, embargo in rows:
                times = [modified, published, embargo, corrected.get(pk)]
                self.stamps.append((pk, min(max(t for t in times if t), now)))
        return self.stamps

    def latest_change(self):
        """The channel's last build date: its items' latest change (an item's publish time
        is one of its changes, never later), None without items."""
        return max((t for _pk, t in self.window()), default=None)

    def last_modified(self):
        # A story leaving the feed (unpublished, moved, retagged) was saved when it left,
        # so the newest save of any story of the masthead keeps Last-Modified honest; a
        # sister masthead's story joining or leaving this masthead changes its lists,
        # which moves the masthead's key (articles/caching/invalidation.py).
        latest_save = masthead_latest_save(self.publication.pk)
        *_shown, listed = self.generations()
        times = [t for _pk, t in self.window()] + [latest_save, as_time(listed)]
        times = [t for t in times if t]
        return min(max(times), timezone.now()) if times else None

    def generations(self):
        """The generations of what items show by name (people, tags, the masthead's
        sections) for the ETag, and of the masthead's lists for Last-Modified, read together
        (one round trip)."""
        if self.shown_generations is None:
            pub = self.publication.pk
            self.shown_generations = current_generations(
                (keys.PEOPLE, keys.TAGS, keys.layout(pub), keys.publication(pub)))
        return self.shown_generations

    def etag(self, flavour):
        pub = self.publication
        parts = [
            flavour, self.request.scheme, self.request.get_host(),
            self.kind, self.key, self.title, self.description,
            pub.name, pub.tagline, pub.language, str(pub.logo),
            *(f"{pk}:{t.isoformat()}" for pk, t in self.window()),
            # Items also show authors' and tags' names and sections: a change to any of
            # them moves one of these generations (articles/caching/invalidation.py).
            *map(str, self.generations()[:3]),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]

    def stories(self, pks):
        """The stories ``pks`` whole, as this masthead shows them, with what their items
        show, newest first (one deleted since ``window`` read it is left out)."""
        if not pks:
            return []
        return list(
            Article.objects.on(self.publication).among(pks)
            .newest_first()
            .select_related("lead_image", "publication")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("person")),
                Prefetch("corrections", queryset=Correction.objects.all()),
                "tags",
            )
        )


def feed_scope(request, kind, slug=None):
    """The scope for ``kind`` ("publication", "section", "tag" or "author"); 404 if unknown."""
    publication = request.publication
    if not publication:
        raise Http404("No publication is configured.")
    # The masthead's own feed reads its list with SQL compiled once (``masthead_window``).
    articles = None if kind == "publication" else Article.objects.published().on(publication)
    name, link, description = publication.name, address("articles:home"), publication.tagline
    if kind == "section":
        section = get_object_or_404(Section, publication=publication, slug=slug)
        articles = articles.filter(run_section_id=section.pk)
        name, link = f"{section.name} · {publication.name}", section.get_absolute_url()
        description = section.description or f"{section.name} stories from {publication.name}"
    elif kind == "tag":
        tag = get_object_or_404(Tag, slug=slug)
        articles = articles.filter(tags=tag)
        if not articles.exists():  # a tag only on drafts must not show that it exists
            raise Http404("No published story has this tag.")
        name, link = f"{tag.name} · {publication.name}", reverse("articles:tag", args=[tag.slug])
        description = f"Stories about {tag.name} from {publication.name}"
    elif kind == "author":
        person = get_object_or_404(Person, slug=slug)
        articles = articles.filter(pk__in=Byline.objects.filter(person=person).values("article_id"))
        if not articles.exists():  # nor a person whose only stories are still to come
            raise Http404("No published story is by this person.")
        name, link = f"{person.full_name} · {publication.name}", person.get_absolute_url()
        description = f"Stories by {person.full_name} in {publication.name}"
    return FeedScope(
        publication=publication, kind=kind, key=slug or "", title=name,
        description=description or f"The latest from {publication.name}",
        link=link, articles=articles, request=request,
    )


def image_sizes(images):
    """{image pk: size in bytes} of the lead images of a feed's items, looked up together
    (one round trip to the cache for the whole feed); an image whose file cannot be read
    is left out. An upload's file never changes under its name, so its size (a stat, or a
    request to object storage) is looked up once."""
    names = {keys.image_size(image.pk, image.file.name): image for image in images}
    if not names:  # every item was in the cache
        return {}
    found = cache().get_many(list(names))
    measured = {}
    for key, image in names.items():
        if key not in found:
            try:
                measured[key] = image.file.size
            except (OSError, ValueError):
                continue
    if measured:
        cache().set_many(measured, None)
    found.update(measured)
    return {image.pk: found[key] for key, image in names.items() if key in found}


def image_media(request, image, length):
    """The lead image as feeds describe it, or None when its file cannot be read (no
    ``length``)."""
    if length is None:
        return None
    return {
        "url": request.build_absolute_uri(image.file.url),
        "type": mimetypes.guess_type(image.file.name)[0] or "image/jpeg",
        "length": length,
        "width": image.width,
        "height": image.height,
        "title": image.alt_text,
        "credit": image.credit,
    }


# Channels written, by what they show (``StoryFeed.channel``); bounded, cleared when full.
_channels = {}
CHANNELS_MAX = 1000
# Where a channel's items go: text no channel holds (a NUL, which forms refuse).
ITEMS_GO_HERE = "\x00items\x00"


class StoryFeed(Feed):
    """One class serves all feeds; ``kind`` and ``feed_type`` are set per URL."""

    def __init__(self, kind="publication", atom=False):
        self.kind = kind
        self.feed_type = NewsroomAtomFeed if atom else NewsroomRssFeed

    def __call__(self, request, slug=None):
        scope = self.get_object(request, slug)
        flavour = self.feed_type.__name__

        @condition(
            etag_func=lambda request: scope.etag(flavour),
            last_modified_func=lambda request: scope.last_modified(),
        )
        def render(request):
            content_type, document = self.get_feed(scope, request)
            return HttpResponse(document, content_type=content_type)

        response = render(request)
        # Readers and proxies may keep a copy but must ask again every time.
        patch_cache_control(response, max_age=0, must_revalidate=True)
        # The page cache keeps the feed until one of its stories changes or a story joins
        # or leaves the publication (articles/caching/pages.py). Items name their authors and
        # tags: renaming any person or tag (PEOPLE, TAGS) refreshes feeds too.
        add_keys(request, keys.publication(scope.publication.pk),
                 keys.layout(scope.publication.pk), keys.PEOPLE, keys.TAGS,
                 *(keys.article(pk) for pk, _t in scope.window()))
        return response

    def get_object(self, request, slug=None):
        return feed_scope(request, self.kind, slug)

    def text(self, value):
        """A plain-text value (a headline, a tag, a section or a person's name) as this
        format carries it. RSS readers treat titles, descriptions, categories and creators
        as HTML, so markup in a name is escaped for them and shows as text; Atom declares
        these elements plain text, so they go as they are (XML escaping is the writer's).
        Channel and items go through here alike: a tag named ``"><svg onload=…>`` is text
        in a channel title as much as in an item's categories."""
        value = str(value)
        return value if self.feed_type is NewsroomAtomFeed else escape(value)

    # The channel.
    def title(self, scope):
        return self.text(scope.title)

    def link(self, scope):
        return scope.link

    def description(self, scope):
        return self.text(scope.description)

    def subtitle(self, scope):
        return self.text(scope.description)

    def feed_url(self, scope):
        return scope.request.path

    def get_feed(self, scope, request):
        """The feed's content type and its XML: the channel and its items. Each item's XML
        is a part of pages, and only the stories whose items are missing from the cache are
        loaded and written (Django's ``get_feed`` asks ``items`` for them); the channel
        around them is ``channel``'s.

        An item is named for its story's last change too (``keys.feed_entry``), so an edit
        or a correction is a new item even before the story's key moves; a change dated
        ahead is "now" until then, a new name each time, so that item is never reused."""
        names = {pk: keys.feed_entry(request, self.feed_type.format_name, pk, changed)
                 for pk, changed in scope.window()}
        missing = fragments.missing(request, list(names.values()))
        scope.to_write = [pk for pk, name in names.items() if name in missing]
        written = {}
        if scope.to_write:
            feed = self.feed_with_items(scope, request)
            written = {story.pk: (story, item)
                       for story, item in zip(scope.written, feed.items, strict=True)}

        def write(pk):
            story, item = written[pk]
            return {"xml": feed.write_entry(item)}, self.entry_keys(scope, story)

        # A story that left since ``window`` read the list (deleted) is left out.
        shown = [pk for pk in names if pk in written or names[pk] not in missing]
        entries = fragments.cached_many(
            request, [(names[pk], lambda pk=pk: write(pk)) for pk in shown])
        content_type, head, tail = self.channel(scope, request)
        return content_type, "".join([head, *(entry["xml"] for entry in entries), tail])

    def feed_with_items(self, scope, request):
        """Django's feed writer for ``scope``, holding the items of ``scope.to_write``."""
        feed = super().get_feed(scope, request)
        # Django reads the language from a class attribute; each masthead has its own.
        feed.feed["language"] = scope.publication.language
        return feed

    def channel(self, scope, request):
        """The feed's content type and its XML before and after its items.

        The channel shows the feed's names and addresses, the masthead's, the year (the
        copyright line) and the items' latest change (its build date), and nothing else,
        so it is written once per process for each of them, not on every request: Django's
        channel is several hundred calls of Python (its attributes, the XML writer), as
        much as the rest of a feed whose items are all kept."""
        pub = scope.publication
        shows = (self.feed_type, keys.origin(request), request.path, scope.title,
                 scope.description, scope.link, pub.name, pub.tagline, pub.language,
                 str(pub.logo), timezone.localdate().year, scope.latest_change())
        found = _channels.get(shows)
        if found is None:
            to_write, scope.to_write = scope.to_write, []
            feed = self.feed_with_items(scope, request)
            scope.to_write = to_write
            feed.entries = [ITEMS_GO_HERE]
            head, _, tail = feed.writeString("utf-8").rpartition(ITEMS_GO_HERE)
            found = (feed.content_type, head, tail)
            if shows[-1] is not None:  # without items, the build date is the time written
                if len(_channels) >= CHANNELS_MAX:
                    _channels.clear()
                _channels[shows] = found
        return found

    def entry_keys(self, scope, story):
        """What a story's item shows: the story (its text, lead picture, corrections and
        runs) and the pictures in its text; this masthead's layout (the section's name, the
        story's address) and its home's (the guid's domain); people's and tags' names.
        Names by ``PEOPLE`` and ``TAGS``, as the whole feed does: ``keys.person`` and
        ``keys.tag`` also move with every story published by that person or with that
        tag, and would have a publish write most of the feed again."""
        return {keys.article(story.pk), keys.layout(scope.publication.pk),
                keys.layout(story.publication_id), keys.PEOPLE, keys.TAGS,
                *(keys.image(pk) for pk in body_images.image_ids(story.body))}

    def author_name(self, scope):
        return self.text(scope.publication.name)

    def feed_copyright(self, scope):
        return self.text(f"© {timezone.localdate().year} {scope.publication.name}")

    def feed_extra_kwargs(self, scope):
        logo = scope.publication.logo
        return {"logo_url": scope.request.build_absolute_uri(logo.url) if logo else None,
                # Not every item is written here: the channel's date counts them all.
                "latest_change": scope.latest_change()}

    def items(self, scope):
        """The stories whose items ``get_feed`` has to write."""
        items = scope.written = scope.stories(scope.to_write)
        request = scope.request
        updated = dict(scope.window())
        for item in items:
            item.feed_request = request
            item.feed_updated = updated[item.pk]
        # Each story's text and description, the costly part of an item (its pictures
        # and typography), are a part of pages cached apart under the story's key and
        # those of the pictures in its text: items written again because a name or the
        # layout changed (every item, for a renamed author) reuse them.
        texts = fragments.cached_many(request, [
            (keys.feed_item(request, item.pk), lambda item=item: self.item_text(item))
            for item in items
        ])
        sizes = image_sizes({item.lead_image for item in items if item.lead_image})
        for item, text in zip(items, texts, strict=True):
            item.feed_text = text
            item.feed_media = (image_media(request, item.lead_image, sizes.get(item.lead_image.pk))
                               if item.lead_image else None)
        return items

    def item_text(self, item):
        """The story's text (with absolute addresses) and its description, and the keys
        of what they show."""
        value = {
            "content": story_body(item, absolute=item.feed_request.build_absolute_uri),
            # Both formats read the description as HTML: plain text is escaped for them.
            "description": escape(plain_description(item)),
        }
        shows = {keys.article(item.pk),
                 *(keys.image(pk) for pk in body_images.image_ids(item.body))}
        return value, shows

    # Each story.
    def item_title(self, item):
        # The masthead's own headline for a story it runs, if it set one.
        return self.text(item.list_headline)

    def item_description(self, item):
        return item.feed_text["description"]

    def item_guid(self, item):
        # The address can change (a corrected slug); the guid never does. It names the
        # story's home masthead, so the story is one item on every masthead's feed.
        host = item.publication.domain or item.feed_request.get_host().split(":")[0]
        day = (item.first_published_at or item.publish_at).date().isoformat()
        return f"tag:{host},{day}:article:{item.pk}"

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        # The story's last change, as the ETag and the channel's date count it.
        return item.feed_updated

    def item_categories(self, item):
        names = ([item.section.name] if item.section else []) + [t.name for t in item.tags.all()]
        return [self.text(name) for name in names]

    def item_enclosures(self, item):
        media = item.feed_media
        if not media:
            return []
        return [Enclosure(media["url"], str(media["length"]), media["type"])]

    def item_extra_kwargs(self, item):
        request = item.feed_request
        corrections = format_html_join(
            "", '<p class="correction"><strong>{}:</strong> {}</p>',
            ((c.get_kind_display(), c.text) for c in item.corrections.all()),
        )
        content = item.feed_text["content"]
        if corrections:
            content = format_html("{}{}", content, corrections)
        return {
            "authors": [
                (self.text(p.full_name), request.build_absolute_uri(p.get_absolute_url()))
                for p in item.authors()
            ],
            "content_html": str(content),
            "media": item.feed_media,
        }
