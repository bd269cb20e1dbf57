"""Stories and what hangs off them: tags, bylines, related items, corrections.

"Public" is defined once, in ``ArticleQuerySet.published()``: every page, feed, sitemap,
search and related-story list starts from it. What one masthead shows is defined once too,
in ``ArticleQuerySet.on()``: its own stories and those it runs from sister mastheads
(``articles.models.network.Run``).
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.db.models import F, FilteredRelation, Q
from django.db.models.query import ModelIterable
from django.db.models.sql.constants import INNER
from django.utils import timezone
from django.utils.text import Truncator, slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from articles.models.media import Image
from articles.models.search_document import SEARCH_FIELDS, Document
from articles.models.site import Publication, Section
from articles.sanitize import check_body_size, plain_text, sanitize_html
from newsroom.addresses import address
from newsroom.loading import LoadedPlainly
from people.models import Person

SLUG_MAX_LENGTH = 120


def unique_slug(text, taken, *, max_length=SLUG_MAX_LENGTH, fallback="story"):
    """Slugify ``text`` and add -2, -3, … until ``taken(slug)`` is False.

    Accented Latin letters fold to ASCII ("Café" -> "cafe"); a headline with no Latin
    letters at all (Greek, Cyrillic, Arabic, CJK) keeps its own script instead of
    becoming empty.
    """
    base = slugify(text) or slugify(text, allow_unicode=True) or fallback
    base = Truncator(base.replace("-", " ")).chars(max_length - 6, truncate="")
    base = slugify(base, allow_unicode=True).strip("-") or fallback
    slug, n = base, 2
    while taken(slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """What readers may see: published, publish time reached, no embargo in force."""
        now = at or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=now).filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now)
        )

    def scheduled(self, *, at=None):
        """Approved for publication at a time still to come (one story: ``is_scheduled``)."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=at or timezone.now())

    def embargoed(self, *, at=None):
        """Approved, but held back by an embargo still in force, whether or not the publish
        time has come (one story: ``is_embargoed``)."""
        return self.filter(status=Article.Status.PUBLISHED,
                           embargo_until__gt=at or timezone.now())

    def next_public_change(self, *, publication_id, at=None):
        """When the next scheduled story or embargo on a masthead goes live (its own or a
        sister masthead's story it runs), or None."""
        now = at or timezone.now()
        mine = self.filter(runs__publication_id=publication_id)
        times = [
            mine.scheduled(at=now).aggregate(t=models.Min("publish_at"))["t"],
            mine.embargoed(at=now).aggregate(t=models.Min("embargo_until"))["t"],
        ]
        times = [t for t in times if t]
        return min(times) if times else None

    def refresh_search_documents(self):
        """Recompute the stored search document of these stories (PostgreSQL only)."""
        if connections[self.db].vendor != "postgresql":
            return 0
        return self.update(search_document=Document())

    def for_publication(self, publication):
        """Stories whose home is ``publication`` (its desk controls their text)."""
        return self.filter(publication=publication)

    def on(self, publication):
        """What masthead ``publication`` shows: its own stories and those it runs from
        sister mastheads, each as this masthead shows it (``Article.show_as``): its section
        and address here, this masthead's headline and featured flag.

        Public lists are ``published().on(publication)`` in ``newest_first()`` order. Filter
        and order by this masthead's run through its aliases (``run_section_id``,
        ``run_featured``, ``run_slug``, ``run_publish_at``): a later ``filter(run__…)``
        would join the runs a second time.
        """
        pk = getattr(publication, "pk", publication)
        return self._with_run(pk).filter(run__publication_id=pk)._run_aliases()

    def seen_from(self, publication):
        """Stories of the whole network, each as ``publication`` would show it: those it
        runs as it runs them, the others as their home masthead does (``runs_here`` is
        False: their page is on their home masthead). For In Other News drawn from the
        network."""
        pk = getattr(publication, "pk", publication)
        return self._with_run(pk)._run_aliases().select_related("section", "publication")

    def among(self, ids):
        """The stories ``ids``, in no order. After ``on``, they are named through their runs
        on the masthead: PostgreSQL then reads those few runs from the index of their
        stories and each story by its key, where naming the stories alone had it read every
        run of the masthead (a hash join, which it prefers up to some hundred thousand runs,
        and whose cost grows with the archive)."""
        ids = list(ids)
        if not self._joins_masthead_runs():
            # Without ``on`` (``seen_from`` too: a story the masthead does not run has no run).
            return self.filter(pk__in=ids)
        return self.alias(run_article_id=F("run__article_id")).filter(run_article_id__in=ids)

    def _joins_masthead_runs(self):
        """Whether each story is joined to its run on a masthead, as ``on`` joins it (an
        inner join: a story without one is not there)."""
        return any(getattr(join, "filtered_relation", None) is not None
                   and join.filtered_relation.alias == "run" and join.join_type == INNER
                   for join in self.query.alias_map.values())

    def newest_first(self):
        """Newest first. After ``on``, a masthead's list order, read in order from the index
        of its runs (``run_listing_idx``), so a page costs the same on the 1st and the
        millionth story; a story without a publish time is in no list, and saying so lets
        that walk start past the drafts."""
        if "run" not in self.query._filtered_relations:
            return self.order_by("-publish_at", "-pk")
        return self.filter(run_publish_at__isnull=False).order_by("-run_publish_at", "-pk")

    def _with_run(self, publication_id):
        # The join to the masthead's run comes first (an INNER JOIN after on's filter);
        # the aliases then reuse it.
        return self.annotate(
            run=FilteredRelation("runs", condition=Q(runs__publication_id=publication_id)))

    def _run_aliases(self):
        clone = self.alias(
            run_publish_at=F("run__publish_at"), run_section_id=F("run__section_id"),
            run_featured=F("run__featured"), run_slug=F("run__slug"),
        ).select_related("run", "run__section")
        clone._iterable_class = ShownOnIterable
        return clone

    def for_cards(self):
        """What a list of story cards needs up front: the section (lists show its name) and
        the publication. Pictures and bylines are loaded by ``articles.caching.cards`` only for the
        cards that are not in the cache. A card never shows the text, so the body (as long
        as the story) is not read: a page of 20 cards was reading 20 whole stories. (After
        ``on``, the section is the run's.)"""
        if "run" in self.query._filtered_relations:
            return self.select_related("publication").defer("body")
        return self.select_related("section", "publication").defer("body")


class ShownOnIterable(ModelIterable):
    """Stories loaded by ``on`` or ``seen_from``, each shown as its masthead shows it."""

    def __iter__(self):
        for article in super().__iter__():
            # No run: seen from a masthead that does not run the story (``seen_from``).
            article.show_as(article.__dict__.get("run"))
            yield article


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        # The stored search document is as long as the story and only search reads it,
        # in SQL: no page loads it.
        return super().get_queryset().defer("search_document")


class Article(LoadedPlainly):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        RETURNED = "returned", "Returned to reporter"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="articles"
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", null=True, blank=True
    )
    headline = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH, blank=True, allow_unicode=True,
        help_text="The story's address. Left blank, it is made from the headline; "
        "change it only before publishing.",
    )
    kicker = models.CharField(
        max_length=60, blank=True, help_text="A short label above the headline, e.g. Analysis."
    )
    dek = models.CharField(
        max_length=300, blank=True, help_text="The subheadline under the headline."
    )
    dateline = models.CharField(
        max_length=80, blank=True,
        help_text="Where the story was reported, e.g. Washington. Shown as “WASHINGTON —” "
        "at the start of the story.",
    )
    body = models.TextField(
        blank=True, help_text="Cleaned on save: scripts, styles and unknown markup are removed."
    )
    summary = models.TextField(
        max_length=500, blank=True,
        help_text="One or two sentences for lists, feeds and search results.",
    )
    lead_image = models.ForeignKey(
        Image, on_delete=models.SET_NULL, null=True, blank=True, related_name="lead_for"
    )
    # In one order wherever they are read (by name, as the admin's tag field lists them):
    # taggit reads a story's tags in the order they were added, but a prefetch in no order
    # at all, so a feed item, an API story or a page could list them differently from one
    # build to the next, and bytes kept in a cache would differ from fresh ones.
    tags = TaggableManager(
        blank=True, through="TaggedArticle", ordering=["name"],
        help_text="Comma-separated, e.g. transit, city budget.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        "publish time", null=True, blank=True,
        help_text="A published story goes live at this time; a future time schedules it.",
    )
    embargo_until = models.DateTimeField(
        "embargo until", null=True, blank=True,
        help_text="Hidden everywhere until this time, even when published.",
    )
    # When readers could first see the story: kept in step by save() (see
    # _stamp_first_published), never set by hand.
    first_published_at = models.DateTimeField(
        "first published", null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(
        "updated", null=True, blank=True,
        help_text="The “Updated” time readers see, for a substantive change.",
    )
    featured = models.BooleanField(default=False, help_text="Eligible for the home page lead.")
    priority = models.SmallIntegerField(
        default=0, help_text="Higher comes first among featured stories."
    )
    seo_title = models.CharField(
        "SEO title", max_length=70, blank=True, help_text="For search engines; the headline if blank."
    )
    seo_description = models.CharField(
        "SEO description", max_length=160, blank=True, help_text="The summary if blank."
    )
    canonical_url = models.URLField(
        "canonical URL", blank=True,
        help_text="Only for a story first published elsewhere: its original address.",
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Goes up on every save; detects edit conflicts."
    )
    # The weighted full-text document search reads (PostgreSQL; empty elsewhere), kept in
    # step by save() so ranking never re-parses story bodies (see search_document.py).
    search_document = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="articles_created", editable=False,
    )
    review_note = models.TextField(
        "editor's note", blank=True, editable=False,
        help_text="The note an editor left when returning the story to its reporter.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = ArticleManager()

    class Meta:
        ordering = ["-publish_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "slug"], name="unique_article_slug")
        ]
        # Editorial powers beyond add/change/delete; ``articles.editorial.workflow`` checks them.
        permissions = [
            ("edit_any_article", "Can edit other people's and published stories"),
            ("return_article", "Can return a story to its reporter"),
            ("publish_article", "Can approve, schedule and publish stories"),
            ("unpublish_article", "Can unpublish stories"),
            ("feature_article", "Can feature stories"),
            ("lift_embargo", "Can lift an embargo early"),
        ]
        indexes = [
            # Newest first, ties broken by id, straight from the index: a listing reads its
            # 20 rows without sorting the publication's whole archive. The embargo rides
            # along (PostgreSQL's INCLUDE), so whether a story is public is answered from
            # the index alone: a list that walks past many stories (an author's, a tag's,
            # the newest search matches) need not visit each one's row.
            models.Index(fields=["publication", "status", "-publish_at", "-id"],
                         include=["embargo_until"], name="article_listing_idx"),
            models.Index(fields=["section", "status", "-publish_at", "-id"],
                         include=["embargo_until"], name="article_section_list_idx"),
            # The whole network's newest, for In Other News drawn from every masthead.
            models.Index(fields=["status", "-publish_at", "-id"], include=["embargo_until"],
                         name="article_network_idx"),
            # Feeds' Last-Modified: the publication's latest save, read from the index.
            models.Index(fields=["publication", "modified_at"], name="article_modified_idx"),
            # The few embargoed stories: the Google News sitemap's stories whose embargo
            # lifted lately, and the next embargo to lift, without walking the archive.
            models.Index(fields=["embargo_until"], condition=Q(embargo_until__isnull=False),
                         name="article_embargo_idx"),
        ]

    def __str__(self):
        return self.headline

    # Recomputed from the other fields, so not part of an export.
    DERIVED_FIELDS = ("search_document",)

    # What decides where a story appears for readers (see articles/caching/invalidation.py).
    PLACEMENT_FIELDS = ("status", "publish_at", "embargo_until", "section_id",
                        "publication_id", "featured", "priority")

    # What the home run copies from the story (see articles/models/network.py).
    HOME_RUN_FIELDS = ("publication_id", "section_id", "slug", "featured", "publish_at")

    # Set by show_as: the masthead's run this story was loaded through (None: loaded as
    # itself, or seen from a masthead that does not run it, when runs_here is False).
    shown_run = None
    runs_here = True

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # Remember where the story stood as loaded: a save that moves it must refresh the
        # pages it leaves as well as those it joins.
        article._loaded_placement = article.placement()
        return article

    def placement(self):
        return {f: self.__dict__.get(f) for f in self.PLACEMENT_FIELDS}

    def home_run_values(self):
        return {f: self.__dict__.get(f) for f in self.HOME_RUN_FIELDS}

    def show_as(self, run):
        """Show this story as ``run``'s masthead does: its section and address there, and
        that masthead's featured flag (its headline: ``list_headline``). With no run, the
        story is seen from a masthead that does not run it, as its home shows it.

        The story's own fields then hold another masthead's values, so a story shown on a
        sister masthead cannot be saved: load it afresh for that.
        """
        self.shown_run = run
        self.runs_here = run is not None
        if run is None:
            return
        if not run.is_home:
            self.home_slug, self.slug = self.slug, run.slug
        self.section = run.section  # the home run's is the story's own
        self.featured = run.featured

    @property
    def is_shown_elsewhere(self):
        """Loaded as a sister masthead shows it (see ``show_as``)."""
        return self.shown_run is not None and not self.shown_run.is_home

    @property
    def list_headline(self):
        """The headline a masthead's lists and feeds show: its own for the story, if set."""
        return (self.shown_run.headline if self.shown_run else "") or self.headline

    def save(self, *args, **kwargs):
        if self.is_shown_elsewhere:
            raise ValueError(
                f"“{self.headline}” was loaded as {self.shown_run.publication_id} shows it; "
                "load the story itself to save it."
            )
        self.body = sanitize_html(self.body)
        if self._stamp_first_published() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = [*kwargs["update_fields"], "first_published_at"]
        if self.pk:
            self.version += 1
        update_fields = kwargs.get("update_fields")
        if self.slug:
            with transaction.atomic():
                super().save(*args, **kwargs)
                self._keep_runs_in_step(update_fields)
            return self._refresh_search_document(update_fields)
        # Two stories with the same headline (or two editors saving at once) must end
        # with different slugs, never an IntegrityError.
        for _attempt in range(5):
            self.slug = self.free_slug()
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                    self._keep_runs_in_step(update_fields)
                return self._refresh_search_document(update_fields)
            except IntegrityError:
                if not self._slug_taken(self.slug):
                    raise
        raise IntegrityError("Could not find a free slug for this headline.")

    def _stamp_first_published(self):
        """Keep ``first_published_at``, the time readers could first see the story, in step
        with its status and times; return whether it changed.

        Once that time has passed it is history and never changes: a story unpublished and
        published again keeps it. Until then it is only a plan and follows the story: moved
        when the story is rescheduled, cleared when it is pulled before it went live. Every
        save goes through here (the workflow, the admin form, imports), so a story saved as
        published by an import gets it too.
        """
        now = timezone.now()
        if self.first_published_at is not None and self.first_published_at <= now:
            return False
        planned = self.public_from if self.status == self.Status.PUBLISHED else None
        changed = planned != self.first_published_at
        self.first_published_at = planned
        return changed

    def _keep_runs_in_step(self, update_fields):
        """The home run copies the story's home, section, address, featured flag and
        publish time; every run copies the publish time (their lists are ordered by it).
        Written on every save that may change them, not only when this copy of the story
        thinks they changed: another save may have moved them since it was loaded."""
        from articles.models.network import Run

        saved = None if update_fields is None else {f.removesuffix("_id") for f in update_fields}
        copied = {f.removesuffix("_id") for f in self.HOME_RUN_FIELDS}
        if saved is not None and not copied & saved:
            return
        values = self.home_run_values()
        home = Run.objects.filter(article=self, is_home=True, publication_id=self.publication_id)
        if not home.update(**values):
            # A new story, or one whose home moved: the new home's run replaces the old one,
            # and any sister run the story had on its new home.
            Run.objects.filter(article=self).filter(
                Q(is_home=True) | Q(publication_id=self.publication_id)).delete()
            Run.objects.create(article=self, is_home=True, **values)
        if saved is None or "publish_at" in saved:
            Run.objects.filter(article=self, is_home=False).update(publish_at=self.publish_at)

    def _refresh_search_document(self, update_fields=None):
        # A workflow step saves only status and times: no need to parse the story again.
        if update_fields is None or SEARCH_FIELDS.intersection(update_fields):
            Article.objects.filter(pk=self.pk).refresh_search_documents()

    def _slug_taken(self, slug):
        return self.address_taken(self.publication_id, slug, story_id=self.pk)

    @staticmethod
    def address_taken(publication_id, slug, *, story_id=None):
        """Is ``slug`` another story's address on this masthead? A sister masthead's story
        that runs there holds its address too."""
        from articles.models.network import Run

        return (
            Run.objects.filter(publication_id=publication_id, slug=slug)
            .exclude(article_id=story_id).exists()
            or Article.objects.filter(publication_id=publication_id, slug=slug)
            .exclude(pk=story_id).exists()
        )

    def free_slug(self):
        return unique_slug(self.headline, self._slug_taken)

    def clean(self):
        if self.section_id and self.publication_id and self.section.publication_id != self.publication_id:
            raise ValidationError({"section": "Choose a section of this story's publication."})
        try:
            check_body_size(self.body)
        except ValidationError as error:
            raise ValidationError({"body": error}) from None

    def get_absolute_url(self):
        """The story's address on the masthead it was loaded for (see ``show_as``)."""
        return self.path_with_slug(self.slug)

    def home_path(self):
        """The story's address on its home masthead, wherever it was loaded for."""
        return self.path_with_slug(getattr(self, "home_slug", self.slug))

    def home_url(self, request):
        """The story's page on its home masthead, absolute: where a sister masthead's page
        points search engines (``rel=canonical``) and where In Other News drawn from the
        network sends readers."""
        return self.publication.url_for(self.home_path(), request=request)

    def path_with_slug(self, slug):
        day = timezone.localtime(self.publish_at or self.created_at or timezone.now())
        return address("articles:detail", year=day.year, month=day.month, day=day.day,
                       slug=slug)

    @property
    def is_public(self):
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.embargo_until is None or self.embargo_until <= now)
        )

    def is_scheduled(self, *, at=None):
        """Approved for publication at a time still to come (many: ``scheduled()``)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > (at or timezone.now())
        )

    def is_embargoed(self, *, at=None):
        """Approved, but held back by an embargo still in force, whether or not the publish
        time has come (many: ``embargoed()``)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.embargo_until is not None
            and self.embargo_until > (at or timezone.now())
        )

    @property
    def public_from(self):
        """When readers may see the story once it is published: its publish time, or its
        embargo's end if that is later (None without a publish time)."""
        if self.publish_at is None:
            return None
        return max(t for t in (self.publish_at, self.embargo_until) if t)

    @property
    def status_string(self):
        """Status as editors speak of it: a published story with a future time is scheduled,
        one held back by an embargo is embargoed (a scheduled one shows as scheduled)."""
        now = timezone.now()
        if self.is_scheduled(at=now):
            return "Scheduled"
        if self.is_embargoed(at=now):
            return "Embargoed"
        return self.get_status_display()

    @property
    def dateline_display(self):
        return f"{self.dateline.strip().upper()} —" if self.dateline.strip() else ""

    @property
    def display_title(self):
        return self.seo_title or self.headline

    @property
    def description(self):
        return self.seo_description or self.summary or plain_text(self.body, words=30)

    def authors(self):
        """People credited as authors, in byline order (uses prefetched bylines)."""
        return [b.person for b in self.bylines.all() if b.role == Byline.Role.AUTHOR]

    def credits(self):
        """Non-author credits grouped by role, e.g. [("Photos by", [Person, …])]."""
        groups = {}
        for byline in self.bylines.all():
            if byline.role != Byline.Role.AUTHOR:
                groups.setdefault(byline.role, []).append(byline.person)
        return [(Byline.Role(role).credit_label, people) for role, people in groups.items()]


class TaggedArticle(TaggedItemBase):
    """Article ↔ tag, with a real foreign key.

    taggit's default generic relation stores the article id in an integer column that
    PostgreSQL must cast to join on our bigint keys, which defeats every index; a direct
    foreign key keeps tag pages fast on a large archive.
    """

    content_object = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = "tag on an article"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]
        indexes = [
            # A tag's stories, latest written first: In Other News reads a few hundred of
            # each of a story's tags from here (articles/reading/related.py) instead of
            # joining every story that carries them.
            models.Index(fields=["tag", "-content_object"], name="tagged_latest_idx"),
        ]


class Byline(LoadedPlainly):
    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        CONTRIBUTOR = "contributor", "Contributor"
        PHOTOGRAPHER = "photographer", "Photographer"
        ILLUSTRATOR = "illustrator", "Illustrator"
        VIDEOGRAPHER = "videographer", "Videographer"

        @property
        def credit_label(self):
            return {
                "author": "By",
                "contributor": "Additional reporting by",
                "photographer": "Photos by",
                "illustrator": "Illustrations by",
                "videographer": "Video by",
            }[self.value]

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bylines")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AUTHOR)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "person", "role"], name="unique_byline_per_role"
            )
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


class RelatedItem(LoadedPlainly):
    """A curated "In Other News" entry: another story of ours, or a link elsewhere."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_items")
    target = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name="our story",
    )
    url = models.URLField("external link", blank=True)
    title = models.CharField(
        max_length=200, blank=True, help_text="Required for an external link; "
        "for our own story, the headline is used if blank.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.display_title

    def clean(self):
        if bool(self.target_id) == bool(self.url):
            raise ValidationError("Choose one of our stories or give an external link, not both.")
        if self.url and not self.title:
            raise ValidationError({"title": "An external link needs a title."})
        if self.target_id and self.target_id == self.article_id:
            raise ValidationError({"target": "A story cannot be related to itself."})

    @property
    def display_title(self):
        return self.title or (self.target.headline if self.target_id else self.url)

    @property
    def href(self):
        return self.target.get_absolute_url() if self.target_id else self.url


class Correction(LoadedPlainly):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"
        CLARIFICATION = "clarification", "Clarification"
        EDITORS_NOTE = "editors_note", "Editor’s note"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        help_text="Shown to readers, e.g. “An earlier version of this story misstated the "
        "year the bridge opened. It opened in 1998.”"
    )
    created_at = models.DateTimeField("time", default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {Truncator(self.text).chars(50)}"
