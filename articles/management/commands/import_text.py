"""manage.py import_text: plain-text wire stories become drafts for review."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importers.wire import WireError, create_wire_draft, parse_wire
from articles.management.commands.import_wordpress import publication_option
from articles.models import Section


class Command(BaseCommand):
    help = (
        "Turn plain-text wire stories into drafts, one per file. The first line is the "
        "headline; a dateline such as “WASHINGTON —”, “WASHINGTON (Coastal Wire) —” or "
        "“PORT ALDER, Ore. —” becomes the story's dateline; blank lines separate paragraphs; "
        "a “By …” line or a closing “<Name> is the … for …” line becomes the byline when a "
        "person of that name exists (or with --create-people); page furniture such as "
        "“In Other News”, “Related” and “Load More” is dropped. Nothing is published: an "
        "editor reviews each draft."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files.")
        parser.add_argument("--publication", metavar="SLUG",
                            help="Publication for the drafts (default: the default one).")
        parser.add_argument("--section", metavar="SLUG",
                            help="Section of that publication for the drafts, e.g. nation.")
        parser.add_argument(
            "--create-people", action="store_true",
            help="Add a person for each author not yet in the newsroom (their closing line "
            "becomes their bio line). Without it, such authors are only reported.",
        )

    def handle(self, *args, files, publication=None, section=None, create_people=False,
               **options):
        target = publication_option(publication)
        chosen = None
        if section:
            chosen = Section.objects.filter(publication=target, slug=section).first()
            if chosen is None:
                raise CommandError(f"{target.name} has no section with the slug “{section}”.")
        failed = 0
        for name in files:
            try:
                text = Path(name).read_text(encoding="utf-8")
                story = parse_wire(text)
            except (OSError, UnicodeDecodeError, WireError) as exc:
                failed += 1
                self.stderr.write(f"{name}: not imported: {exc}")
                continue
            article, unmatched = create_wire_draft(
                story, publication=target, section=chosen, create_people=create_people
            )
            details = [f"dateline {story.dateline}" if story.dateline else "no dateline"]
            names = [b.person.full_name for b in article.bylines.select_related("person")]
            details.append(f"byline {', '.join(names)}" if names else "no byline")
            if story.dropped:
                details.append(f"{len(story.dropped)} furniture lines dropped")
            self.stdout.write(f"{name}: draft “{article.headline}” ({'; '.join(details)})")
            for person in unmatched:
                self.stdout.write(f"  no person named “{person}”: add them, or run again with "
                                  "--create-people")
        if failed:
            raise CommandError(f"{failed} of {len(files)} files could not be imported.")
        self.stdout.write(self.style.SUCCESS(f"Created {len(files)} drafts for review."))
