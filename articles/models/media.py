"""The picture library."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import Truncator
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from newsroom import renditions
from newsroom.images import ValidatedImageField
from newsroom.loading import LoadedPlainly


class ImageQuerySet(models.QuerySet):
    def missing_alt_text(self):
        """Pictures a reader who cannot see them would miss: no alt text yet (a picture
        dropped into the library gets its words afterwards)."""
        return self.filter(alt_text__regex=r"^\s*$")

    def used_on(self, publication):
        """Pictures leading a story of ``publication``'s own."""
        return self.filter(lead_for__publication=publication).distinct()


class Image(LoadedPlainly):
    """A picture in the library, reusable across stories."""

    file = ValidatedImageField(
        upload_to="images/%Y/%m/", width_field="width", height_field="height",
        help_text="JPEG, PNG, WebP or GIF; at most 20 MB and 40 megapixels.",
    )
    alt_text = models.CharField(
        "alt text", max_length=300, blank=True,
        help_text="What the picture shows, for readers who cannot see it, e.g. “Firefighters "
        "carry hoses up the stairs of a burning warehouse.” A story whose pictures lack it "
        "cannot be published.",
    )
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text="e.g. Lena Park for The Herald")
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    focal_x = models.FloatField(
        "focal point (x)", default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0 is the left edge, 1 the right; crops keep this point in view.",
    )
    focal_y = models.FloatField(
        "focal point (y)", default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0 is the top edge, 1 the bottom.",
    )
    tags = TaggableManager(
        blank=True, through="TaggedImage",
        help_text="Comma-separated, to find the picture again, e.g. ferries, harbor.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return Truncator(self.alt_text).chars(60) or f"Picture {self.pk} (no alt text yet)"

    def save(self, *args, **kwargs):
        # The fixed-size renditions readers get are derived files, kept in step here.
        super().save(*args, **kwargs)
        renditions.generate(self)


class TaggedImage(TaggedItemBase):
    """Image ↔ tag, with a real foreign key (the reason is TaggedArticle's)."""

    content_object = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = "tag on a picture"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_image_tag")
        ]
