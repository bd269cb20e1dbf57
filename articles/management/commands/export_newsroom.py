"""manage.py export_newsroom: a full, versioned export of the newsroom's content."""

from django.core.management.base import BaseCommand, CommandError

from articles.backup.export import export_newsroom
from articles.backup.format import VERSION, BackupError


class Command(BaseCommand):
    help = (
        "Export all content — publications, sections, people (with photos and social "
        "links), images, tags, articles with bylines, related items, corrections and "
        "revisions — to a folder or a .zip file, in the documented newsroom-export format "
        f"(version {VERSION}; see docs/import-export.md). Restore it with import_newsroom. "
        "Logins and passwords are not exported, nor renditions (the restore makes them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "out", help="A new or empty folder, or a new file name ending in .zip "
            "(e.g. backup-2026-11-25.zip).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args, out, no_progress=False, **options):
        try:
            exported = export_newsroom(out, progress=not no_progress)
        except (BackupError, OSError) as exc:
            raise CommandError("Nothing was exported: " + " ".join(str(exc).split())) from exc
        manifest = exported.manifest
        for path in exported.missing:
            self.stderr.write(f"Missing image file, not exported: {path}")
        rows = ", ".join(f"{t['rows']} {t['name'].replace('_', ' ')}" for t in manifest["tables"])
        self.stdout.write(f"{rows}; {len(manifest['media'])} image files.")
        self.stdout.write(self.style.SUCCESS(
            f"Exported {sum(t['rows'] for t in manifest['tables'])} rows and "
            f"{len(manifest['media'])} image files to {out} (format version {VERSION})."
        ))
