"""Write any missing image renditions (for images stored before renditions existed), and
scale down portraits stored before uploads were."""

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from tqdm import tqdm

from articles.models import Image
from newsroom import renditions
from people.models import PORTRAIT_MAX_SIDE, Person


class Command(BaseCommand):
    help = (
        "Make the fixed-width renditions (WebP and the original format, full and 3:2 focal-"
        "point crops) of every image that lacks them. New uploads get theirs when saved. "
        f"Portraits of people larger than {PORTRAIT_MAX_SIDE} pixels either way are scaled "
        "down (new uploads are scaled when saved). A file that is missing or unreadable is "
        "reported and skipped."
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
        scaled = self.scale_portraits(failed, no_progress)
        self.stdout.write(f"Portraits scaled down to {PORTRAIT_MAX_SIDE} pixels: {scaled}.")
        for line in failed:
            self.stderr.write(f"Skipped {line}")
        if failed:
            self.stderr.write(f"{len(failed)} files could not be read; the rest are done.")

    def scale_portraits(self, failed, no_progress):
        """Store a smaller copy of each portrait over the size limit (the person is saved,
        so every page showing them is refreshed; the old file is left where it was)."""
        scaled = 0
        people = Person.objects.exclude(photo="").order_by("pk")
        for person in tqdm(people.iterator(), total=people.count(), desc="Portraits",
                           unit="portrait", disable=no_progress):
            try:
                with person.photo.open("rb") as fh:
                    smaller = renditions.without_metadata(fh, max_side=PORTRAIT_MAX_SIDE)
            except (OSError, ValueError) as exc:
                failed.append(f"portrait of person {person.pk} ({person.photo.name}): {exc}")
                continue
            if smaller is not None:
                person.photo.save(person.photo.name.rsplit("/", 1)[-1], ContentFile(smaller))
                scaled += 1
        return scaled
