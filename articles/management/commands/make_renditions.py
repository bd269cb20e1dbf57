"""Write any missing image renditions (for images stored before renditions existed)."""

from django.core.management.base import BaseCommand

from articles.models import Image
from newsroom import renditions


class Command(BaseCommand):
    help = (
        "Make the fixed-width renditions (WebP and the original format, full and 3:2 focal-"
        "point crops) of every image that lacks them. New uploads get theirs when saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Remake every rendition.")

    def handle(self, *args, force=False, **options):
        written = sum(
            renditions.generate(image, force=force) for image in Image.objects.iterator()
        )
        self.stdout.write(f"{written} rendition files written.")
