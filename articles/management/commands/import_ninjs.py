"""manage.py import_ninjs: IPTC ninjs items from an agency become drafts (or update them)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importers.dropfolder import DropFolder, is_candidate
from articles.importers.ninjs import NinjsImporter
from articles.management.commands.import_wordpress import publication_option
from articles.models import Section


class Command(BaseCommand):
    help = (
        "Import IPTC ninjs news items (the JSON that AP, NTB, Superdesk and other agencies "
        "send; ninjs 1.x and 2.x) from a file, or from every .json file in a folder. A new "
        "story becomes a draft: headline, byline(s), dateline (located), body (cleaned of "
        "scripts), description as summary, subjects as tags, the first associated picture as "
        "lead image with caption and credit (its file is read from beside the item, or "
        "downloaded with --fetch-media), and the embargo. A newer version of a story updates "
        "its draft, keeping the editor's changes on top (both are in its revisions, a diff "
        "apart); a withheld or canceled version takes a published story down. The same uri "
        "and version twice changes nothing. With --watch, PATH is a folder an agency drops "
        "files into: it is polled, each file is imported once its size stops changing, then "
        "moved to processed/ or failed/ (with a .error.txt saying why)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="A ninjs .json file or a folder of them.")
        parser.add_argument("--publication", metavar="SLUG",
                            help="Publication for the drafts (default: the default one).")
        parser.add_argument("--section", metavar="SLUG",
                            help="Section of that publication for new drafts, e.g. world.")
        parser.add_argument(
            "--create-people", action="store_true",
            help="Add a person for each author not yet in the newsroom. Without it, such "
            "authors are only reported.",
        )
        parser.add_argument(
            "--fetch-media", action="store_true",
            help="Download pictures not delivered beside the item from their rendition's "
            "address (public internet addresses only).",
        )
        parser.add_argument("--max-image-bytes", type=int, metavar="BYTES",
                            help="Largest picture to read (default: NEWSROOM_IMAGE_MAX_BYTES).")
        parser.add_argument("--watch", action="store_true",
                            help="Keep polling the folder PATH for new files.")
        parser.add_argument("--interval", type=float, default=5.0, metavar="SECONDS",
                            help="Seconds between two looks at the folder (default 5).")
        parser.add_argument("--max-seconds", type=float, metavar="SECONDS",
                            help="Stop watching after this long (default: until stopped).")
        parser.add_argument("--no-progress", action="store_true",
                            help="Do not draw a progress bar.")

    def handle(self, *args, path, publication=None, section=None, create_people=False,
               fetch_media=False, max_image_bytes=None, watch=False, interval=5.0,
               max_seconds=None, no_progress=False, **options):
        target = publication_option(publication)
        chosen = None
        if section:
            chosen = Section.objects.filter(publication=target, slug=section).first()
            if chosen is None:
                raise CommandError(f"{target.name} has no section with the slug “{section}”.")
        importer = NinjsImporter(publication=target, section=chosen,
                                 create_people=create_people, fetch=fetch_media,
                                 max_fetch_bytes=max_image_bytes)
        where = Path(path)
        if watch:
            if not where.is_dir():
                raise CommandError(f"{path}: --watch needs a folder to watch.")
            return self.watch(DropFolder(where, importer), interval, max_seconds)
        if where.is_dir():
            files = [p for p in sorted(where.iterdir()) if is_candidate(p)]
        elif where.exists():
            files = [where]
        else:
            raise CommandError(f"{path}: no such file or folder.")
        results = importer.import_files(files, progress=False if no_progress else None)
        outcomes = [o for found in results.values() for o in found]
        failed = [o for o in outcomes if o.outcome == "failed"]
        if len(outcomes) == 1 and failed:
            raise CommandError(f"{failed[0].label}: not imported: {failed[0].message}")
        for outcome in outcomes:
            self.write(outcome)
        self.stdout.write(f"ninjs import into {target.name}:")
        for line in importer.report.lines():
            self.stdout.write(line)
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} items could not be imported.")

    def write(self, outcome):
        line = f"{outcome.label}: {outcome.outcome}: {outcome.message}"
        if outcome.outcome == "failed":
            self.stderr.write(line)
        else:
            self.stdout.write(line)

    def watch(self, folder, interval, max_seconds):
        self.stdout.write(f"Watching {folder.path} every {interval:g} s"
                          + (f" for {max_seconds:g} s" if max_seconds else "") + ".")
        deadline = time.monotonic() + max_seconds if max_seconds else None
        try:
            while True:
                try:
                    handled = folder.tick()
                except OSError as exc:
                    # A folder the agency's upload made unreadable for a moment, a full
                    # disk: say so and look again at the next tick, never stop watching.
                    self.stderr.write(f"{folder.path}: {exc}")
                    handled = []
                for _path, outcomes in handled:
                    for outcome in outcomes:
                        self.write(outcome)
                if deadline is not None and time.monotonic() + interval > deadline:
                    break
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        self.stdout.write(f"Processed files are in {folder.processed}, failed ones in "
                          f"{folder.failed}.")
