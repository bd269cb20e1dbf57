"""manage.py export_newsroom: a full, versioned export of the newsroom's content."""

from django.core.management.base import BaseCommand, CommandError

from articles.backup.export import export_newsroom
from articles.backup.format import VERSION, BackupError


class Command(BaseCommand):
    help = (
        "Export all content — publications, sections, people (with photos and social "
        "links), images, tags, articles with bylines, related items, corrections and "
        "revisions — to a folder or a .zip file, in the documented newsroom-export format "
        f"(version {VERSION}; see docs/import-export.md). Load it with import_newsroom. Logins and "
        "passwords are not exported."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "out", help="A new or empty folder, or a file name ending in .zip "
            "(e.g. backup-2026-11-25.zip).",
        )

    def handle(self, *args, out, **options):
        try:
            manifest = export_newsroom(out, progress=self.stdout.write)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in manifest["tables"])
        self.stdout.write(self.style.SUCCESS(
            f"Exported {rows} rows and {len(manifest['media'])} image files to {out}."
        ))
