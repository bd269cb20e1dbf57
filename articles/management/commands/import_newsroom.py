"""manage.py import_newsroom: load an export_newsroom export into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from articles.backup.format import VERSION, BackupError
from articles.backup.restore import restore_newsroom


class Command(BaseCommand):
    help = (
        "Load an export written by export_newsroom (a folder or .zip, format version "
        f"{VERSION}) into this database, keeping ids, slugs, times and image file names, so "
        "every public page looks as it did. The database must be empty: run migrate on a "
        "new database first (the one publication a fresh install starts with is replaced). "
        "Image files are written to MEDIA_ROOT. Links to logins are matched by username to "
        "users that already exist here."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The export folder or .zip file.")

    def handle(self, *args, source, **options):
        try:
            loaded = restore_newsroom(source, progress=self.stdout.write)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        articles = loaded.get("articles", 0)
        self.stdout.write(self.style.SUCCESS(
            f"Imported {articles} articles and {loaded['media files']} image files from {source}."
        ))
