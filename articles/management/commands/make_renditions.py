"""Write any missing image renditions (for images stored before renditions existed), and
scale down portraits stored before uploads were."""

from django.core.management.base import BaseCommand

from articles import pictures
from people.models import PORTRAIT_MAX_SIDE


class Command(BaseCommand):
    help = (
        "Make the fixed-width renditions (WebP and the original format, full and 3:2 focal-"
        "point crops) of every image that lacks them. New uploads get theirs when saved, "
        "and import_newsroom makes those of the images it restores. "
        f"Portraits of people larger than {PORTRAIT_MAX_SIDE} pixels either way are scaled "
        "down (new uploads are scaled when saved). A file that is missing or unreadable is "
        "reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Remake every rendition.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, force=False, no_progress=False, **options):
        report = pictures.make_ready(force=force, progress=not no_progress)
        self.stdout.write(f"{report.renditions} rendition files written.")
        self.stdout.write(f"Portraits scaled down to {PORTRAIT_MAX_SIDE} pixels: "
                          f"{report.portraits}.")
        self.stdout.write(f"{report.squares} portrait rendition files written.")
        for line in report.failed:
            self.stderr.write(f"Skipped {line}")
        if report.failed:
            self.stderr.write(f"{len(report.failed)} files could not be read; the rest are done.")
