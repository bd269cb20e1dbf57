"""The network: a story runs on several mastheads, and people work on mastheads' desks.

A story (``Article``) has one **home** publication, whose desk controls its text, and may
**run on** sister mastheads too. It stays one story everywhere: one text, one set of
bylines, corrections and revisions. What belongs to each masthead is a ``Run``: where the
story sits there (its section and its address) and how that masthead's front shows it
(its own headline, featured or not). Every story has a home run, kept in step with the
story's own section, slug and featured flag by ``Article.save()``; a sister masthead that
carries the story has a run of its own, made and dropped by its desk
(``articles.editorial.workflow``).

A person's role is held per masthead (``Membership``): reporter on one, editor on
another. The role groups (``articles.editorial.roles``) still say what a role may do;
memberships say where. ``MastheadBio`` lets a person's bio line differ per masthead.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from articles.models.article import SLUG_MAX_LENGTH, Article, unique_slug
from articles.models.site import Publication, Section
from newsroom.loading import LoadedPlainly
from people.models import Person


class RunQuerySet(models.QuerySet):
    def sisters(self):
        """Runs on mastheads other than the story's home."""
        return self.filter(is_home=False)

    def add_missing_home_runs(self, *, batch_size=2000):
        """Give every story without one its home run: for stories inserted without
        ``Article.save()`` (a bulk load, an export from before the network)."""
        homeless = (
            Article.objects.filter(~Exists(Run.objects.filter(article=OuterRef("pk"),
                                                              is_home=True)))
            .values_list("pk", *Article.HOME_RUN_FIELDS).order_by("pk")
        )
        runs = [Run(article_id=row[0], is_home=True,
                    **dict(zip(Article.HOME_RUN_FIELDS, row[1:], strict=True)))
                for row in homeless.iterator(chunk_size=batch_size)]
        self.bulk_create(runs, batch_size=batch_size)
        return len(runs)


class Run(LoadedPlainly):
    """One masthead a story runs on: its home, or a sister masthead that carries it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="runs")
    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="runs", verbose_name="masthead"
    )
    is_home = models.BooleanField(
        "home masthead", default=False, editable=False,
        help_text="The masthead whose desk controls the story's text.",
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="runs", null=True, blank=True,
        help_text="Where the story sits on this masthead, e.g. Schools.",
    )
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH, allow_unicode=True,
        help_text="The story's address on this masthead: the story's own slug, or the next "
        "free one (…-2) if this masthead already has a story there.",
    )
    headline = models.CharField(
        max_length=200, blank=True,
        help_text="This masthead's own headline for its lists and feeds; blank: the "
        "story's headline.",
    )
    featured = models.BooleanField(
        default=False, help_text="Eligible for the lead of this masthead's front page."
    )
    # The story's publish time, copied so that a masthead's lists walk this table's index
    # newest first. Public is still decided by Article.objects.published() alone: a stale
    # copy can only misplace or hide a story, never show one that is not public.
    publish_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = "masthead the story runs on"
        verbose_name_plural = "mastheads the story runs on"
        ordering = ["-is_home", "publication__name"]
        constraints = [
            models.UniqueConstraint(fields=["article", "publication"],
                                    name="one_run_per_masthead"),
            # Addresses are unique per masthead, whichever masthead a story calls home.
            models.UniqueConstraint(fields=["publication", "slug"], name="unique_run_address"),
            models.UniqueConstraint(fields=["article"], condition=Q(is_home=True),
                                    name="one_home_per_story"),
        ]
        indexes = [
            # A masthead's lists, newest first, straight from the index (see
            # ArticleQuerySet.on): its own stories and those it carries, in one walk.
            models.Index(fields=["publication", "-publish_at", "-article"],
                         name="run_listing_idx"),
            models.Index(fields=["section", "-publish_at", "-article"],
                         name="run_section_list_idx"),
        ]

    def __str__(self):
        return f"“{self.article}” on {self.publication}"

    @classmethod
    def from_db(cls, db, field_names, values):
        run = super().from_db(db, field_names, values)
        # A new section here must refresh the one the story leaves too.
        run._loaded_section_id = run.__dict__.get("section_id")
        return run

    def get_absolute_url(self):
        """The story's page on this masthead (a path: the masthead's host serves it)."""
        return self.article.path_with_slug(self.slug)

    def clean(self):
        if self.section_id and self.publication_id and (
                self.section.publication_id != self.publication_id):
            raise ValidationError({"section": f"Choose a section of {self.publication}."})

    def save(self, *args, **kwargs):
        # A new sister run takes the story's address there (or the next free one) and its
        # publish time; the home run is written by Article.save().
        if self._state.adding and not self.is_home:
            self.publish_at = self.article.publish_at
        self._save_at_a_free_address(*args, **kwargs)
        # The section it stood in as saved (articles/caching/invalidation.py reads it).
        self._loaded_section_id = self.section_id

    def _save_at_a_free_address(self, *args, **kwargs):
        if self.slug:
            return super().save(*args, **kwargs)
        for _attempt in range(5):
            self.slug = self.free_slug(self.article, self.publication_id)
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:  # another story took the address meanwhile
                if not Run.objects.filter(publication_id=self.publication_id,
                                          slug=self.slug).exists():
                    raise
        raise IntegrityError("Could not find a free address for this story on this masthead.")

    @staticmethod
    def free_slug(article, publication_id):
        """The story's slug on ``publication_id``, or the next free one there."""

        def taken(slug):
            return Run.objects.filter(publication_id=publication_id, slug=slug).exclude(
                article_id=article.pk).exists()

        return unique_slug(article.slug or article.headline, taken)


class Membership(models.Model):
    """A person's role on one masthead's desk."""

    class Role(models.TextChoices):
        REPORTER = "reporter", "Reporter"
        EDITOR = "editor", "Editor"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="memberships",
        verbose_name="masthead",
    )
    role = models.CharField(
        max_length=20, choices=Role.choices,
        help_text="Reporters write and submit their own stories; editors edit, publish and "
        "decide which sister mastheads' stories this masthead runs.",
    )

    class Meta:
        verbose_name = "desk membership"
        ordering = ["publication__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "publication"], name="one_role_per_desk")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.publication}"


class MastheadBio(LoadedPlainly):
    """A person's bio line as one masthead prints it under their stories."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="masthead_bios")
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="masthead_bios",
        verbose_name="masthead",
    )
    short_bio = models.CharField(
        "bio line", max_length=300,
        help_text="Shown under this person's stories on this masthead instead of their "
        "usual bio line, e.g. “Dana Reyes covers the harbor for The Harbor Herald.”",
    )

    class Meta:
        verbose_name = "bio line on a masthead"
        verbose_name_plural = "bio lines on mastheads"
        constraints = [
            models.UniqueConstraint(fields=["person", "publication"], name="one_bio_per_masthead")
        ]

    def __str__(self):
        return f"{self.person} on {self.publication}"
