"""People who appear in bylines: staff, freelancers and wire services.

A Person need not be a login user. This app knows nothing of articles: the byline
relation lives in ``articles`` and reaches people, never the other way round.
"""

import logging

from django.conf import settings
from django.db import models
from django.utils.text import slugify

from newsroom import portraits
from newsroom.addresses import address
from newsroom.images import ValidatedImageField
from newsroom.loading import LoadedPlainly

logger = logging.getLogger(__name__)

# Portraits are shown at most 160 pixels wide (320 on sharp screens) and as social cards.
PORTRAIT_MAX_SIDE = 800


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Person(LoadedPlainly):
    full_name = models.CharField("full name", max_length=120)
    slug = models.SlugField(
        max_length=140, unique=True, allow_unicode=True,
        help_text="Used in the author page's address, e.g. dana-reyes. Filled in from the name.",
    )
    job_title = models.CharField(
        "job title", max_length=120, blank=True, help_text="e.g. Senior Reporter"
    )
    photo = ValidatedImageField(
        upload_to="people/%Y/", blank=True, max_side=PORTRAIT_MAX_SIDE,
        width_field="photo_width", height_field="photo_height",
        help_text="A head-and-shoulders portrait; JPEG, PNG or WebP. Larger ones are "
        f"scaled down to {PORTRAIT_MAX_SIDE} pixels.",
    )
    # Stored with the photo, so its renditions' sizes need no file access
    # (``newsroom.portraits``).
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    short_bio = models.CharField(
        "bio line", max_length=300, blank=True,
        help_text="One line shown under each story, e.g. “Dana Reyes is the senior reporter "
        "for The Harbor Herald and a Navy veteran.”",
    )
    bio = models.TextField(
        "long bio", blank=True, help_text="Shown on the author page. Plain text; blank lines "
        "separate paragraphs.",
    )
    email = models.EmailField(
        blank=True, help_text="For the newsroom only: never shown on the public site."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="person",
        help_text="The login this person uses, if they have one. Freelancers and wire "
        "services need none.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive people stay on their old stories but are "
        "not offered for new bylines.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)
        # The portrait's fixed-size squares are derived files, kept in step here (as an
        # image's renditions are in its save). A photo whose file has gone missing must not
        # stop an edit of the bio: ``make_renditions`` reports it.
        try:
            portraits.generate(self)
        except (OSError, ValueError):
            logger.warning("portrait of person %s (%s) could not be read", self.pk,
                           self.photo.name, exc_info=True)

    def delete(self, *args, **kwargs):
        pk = self.pk
        result = super().delete(*args, **kwargs)
        portraits.remove(pk)
        return result

    def portrait_renditions(self):
        """The portrait's squares, each format's widths: ``{"webp": [...], "jpg": [...]}``
        (``newsroom.portraits``); empty without a photo."""
        if not self.photo:
            return {}
        return {ext: portraits.renditions(self, ext) for ext in portraits.formats(self)}

    def _unique_slug(self):
        base = slugify(self.full_name) or slugify(self.full_name, allow_unicode=True) or "person"
        base = base[:130].strip("-")
        slug, n = base, 2
        while Person.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def get_absolute_url(self):
        # The author page lists stories, so the articles app serves it.
        return address("articles:author", slug=self.slug)

    @property
    def bio_paragraphs(self):
        return [p.strip() for p in self.bio.split("\n\n") if p.strip()]


class SocialLink(LoadedPlainly):
    class Network(models.TextChoices):
        WEBSITE = "website", "Website"
        X = "x", "X (Twitter)"
        BLUESKY = "bluesky", "Bluesky"
        MASTODON = "mastodon", "Mastodon"
        LINKEDIN = "linkedin", "LinkedIn"
        INSTAGRAM = "instagram", "Instagram"
        THREADS = "threads", "Threads"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="social_links")
    network = models.CharField(max_length=20, choices=Network.choices)
    url = models.URLField("address", max_length=300, help_text="The full profile address.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "url"], name="unique_person_social_url")
        ]

    def __str__(self):
        return f"{self.get_network_display()}: {self.url}"
