"""manage.py import_newsroom: restore an export_newsroom export into an empty database."""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from articles.backup.format import VERSION, BackupError
from articles.backup.restore import restore_newsroom
from people.models import PORTRAIT_MAX_SIDE


class Command(BaseCommand):
    help = (
        "Restore an export written by export_newsroom (a folder or .zip, format version "
        f"{VERSION}; see docs/import-export.md) into this database, keeping ids, slugs, times "
        "and image file names, so every public page looks as it did; then make the "
        "renditions of every image (as make_renditions does). The database must be empty: "
        "run migrate on a new database first (the one publication a fresh install starts "
        "with is replaced). Image files are written to the media storage (MEDIA_ROOT). "
        "Links to logins are matched by username to users that already exist here. "
        "All or nothing: if the export cannot be restored, nothing is."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The export folder or .zip file.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args, source, no_progress=False, **options):
        try:
            restored = restore_newsroom(source, progress=not no_progress)
        except BackupError as exc:
            # One line: what went wrong, and that the database and media are as they were.
            raise CommandError("Nothing was restored: " + " ".join(str(exc).split())) from exc
        rows = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in restored.rows.items())
        self.stdout.write(f"Loaded from {source} (format version {VERSION}, exported "
                          f"{when(restored.exported_at)}): {rows}; "
                          f"{restored.media_files} image files.")
        if restored.unmatched_users:
            self.stdout.write("No login here for: " + ", ".join(restored.unmatched_users)
                              + " (their stories and revisions are kept without a user).")
        report = restored.pictures_report
        self.stdout.write(f"Renditions: {report.renditions} files written; portraits scaled "
                          f"down to {PORTRAIT_MAX_SIDE} pixels: {report.portraits}.")
        for line in report.failed:
            self.stderr.write(f"Skipped {line}")
        if report.failed:
            self.stderr.write(
                f"{len(report.failed)} pictures could not be made ready; everything else is "
                "restored. Run manage.py make_renditions once their files are fixed."
            )
        self.stdout.write(self.style.SUCCESS(
            f"Restored {restored.rows.get('articles', 0)} articles and "
            f"{restored.media_files} image files from {source}."
        ))


def when(exported_at):
    """The export's time as a person reads it: 2026-11-25 16:55 UTC."""
    try:
        moment = datetime.fromisoformat(exported_at).astimezone(UTC)
    except ValueError:
        return exported_at or "at an unknown time"
    return moment.strftime("%Y-%m-%d %H:%M UTC")
