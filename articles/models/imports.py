"""What imports remember about the outside records they turned into ours."""

from django.db import models

from articles.models.article import Article
from articles.models.media import Image
from people.models import Person


class ImportedItemQuerySet(models.QuerySet):
    def withheld(self):
        """Marks left by an agency that withheld or canceled a story and has sent nothing
        usable since: such a story may not be published (articles.editorial.workflow)."""
        return self.filter(kind=ImportedItem.WITHHELD)


class ImportedItem(models.Model):
    """Remembers what an import made from an outside record (a WordPress post, author or
    attachment), so running the same import again updates instead of duplicating."""

    source = models.CharField(max_length=20, help_text="e.g. wordpress")
    kind = models.CharField(max_length=20, help_text="e.g. post, author, attachment")
    key = models.CharField(
        max_length=300, help_text="The record's identity at the source, e.g. its GUID."
    )
    fingerprint = models.CharField(
        max_length=40, blank=True,
        help_text="A digest of the source record as last imported: the same digest next time "
        "means there is nothing to update.",
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    image = models.ForeignKey(Image, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+")
    imported_at = models.DateTimeField(auto_now=True)

    # The kind of the mark an agency's withheld or canceled version leaves on its story.
    WITHHELD = "withheld"

    objects = ImportedItemQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "key"], name="unique_imported_item")
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.key}"
