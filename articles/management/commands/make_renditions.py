"""Write any missing image renditions (for images stored before renditions existed)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from articles.models import Image
from newsroom import renditions


class Command(BaseCommand):
    help = (
        "Make the fixed-width renditions (WebP and the original format, full and 3:2 focal-"
        "point crops) of every image that lacks them. New uploads get theirs when saved. "
        "An image whose file is missing or unreadable is reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Remake every rendition.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, force=False, no_progress=False, **options):
        written, failed = 0, []
        images = Image.objects.order_by("pk")
        for image in tqdm(images.iterator(), total=images.count(), desc="Images",
                          unit="image", disable=no_progress):
            try:
                written += renditions.generate(image, force=force)
            except (OSError, ValueError) as exc:  # a missing or broken file
                failed.append(f"image {image.pk} ({image.file.name}): {exc}")
        self.stdout.write(f"{written} rendition files written.")
        for line in failed:
            self.stderr.write(f"Skipped {line}")
        if failed:
            self.stderr.write(f"{len(failed)} images could not be read; the rest are done.")
