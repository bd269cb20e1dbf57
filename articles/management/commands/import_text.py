"""manage.py import_text: plain-text wire stories become drafts for review."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from articles.importers.wire import MAX_CHARS, WireError, create_wire_draft, parse_wire
from articles.management.commands.import_wordpress import publication_option
from articles.models import Section


def read_wire_file(name):
    """The text of a wire file, or WireError saying in one line why it cannot be read."""
    path = Path(name)
    try:
        # UTF-8 takes at most 4 bytes a character: a larger file is never read whole.
        if path.stat().st_size > MAX_CHARS * 4:
            raise WireError(f"The file is larger than a wire story can be ({MAX_CHARS:,} "
                            "characters).")
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WireError("This is not UTF-8 text (a binary file, or another encoding?).") from exc
    except OSError as exc:
        raise WireError(exc.strerror or str(exc)) from exc


class Command(BaseCommand):
    help = (
        "Turn plain-text wire stories into drafts, one per file. Blank-line separated, "
        "one-paragraph-per-line and hard-wrapped copy (CRLF or not) all read the same. A slug "
        "line on top (“BC-US--Marines-Rockets/540”) becomes the slug; the headline is the "
        "first line, or is left empty when the copy opens with its lead; a “By …” line "
        "(“By X and Y”, “By X, Agency”, “By X | Agency”) and a closing “<Name> is the … for …” "
        "line become the byline when a person of that name exists (or with --create-people), "
        "the closing line their bio line; a dateline such as “WASHINGTON —”, “FORT BRAGG, "
        "N.C. —” or “KYIV, Ukraine (AP) —” becomes the story's dateline; a summary is proposed "
        "from the lead; page furniture (“Advertisement”, “Related: …”, “In Other News”, "
        "“Load More”) is dropped. The same story imported twice into a publication makes one "
        "draft. Nothing is published: an editor reviews each draft."
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
        failed, created, repeats = [], 0, 0
        for name in files:
            try:
                story = parse_wire(read_wire_file(name))
            except WireError as exc:
                failed.append(f"{name}: not imported: {exc}")
                if len(files) > 1:
                    self.stderr.write(failed[-1])
                continue
            draft = create_wire_draft(story, publication=target, section=chosen,
                                      create_people=create_people)
            article = draft.article
            link = reverse("admin:articles_article_change", args=[article.pk])
            if not draft.created:
                repeats += 1
                self.stdout.write(f"{name}: already imported as draft “{article.headline or '(no headline)'}” "
                                  f"({link}): nothing new was made")
                continue
            created += 1
            self.stdout.write(f"{name}: draft “{article.headline or '(no headline)'}” ({link}; "
                              f"{'; '.join(self.details(story, article, draft))})")
            for person in draft.unmatched:
                self.stdout.write(f"  no person named “{person}”: add them, or run again with "
                                  "--create-people")
        if failed and len(files) == 1:
            raise CommandError(failed[0])
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} files could not be imported.")
        done = f"Created {created} drafts for review."
        if repeats:
            done += f" {repeats} already imported."
        self.stdout.write(self.style.SUCCESS(done))

    def details(self, story, article, draft):
        details = [f"dateline {story.dateline}" if story.dateline else "no dateline"]
        names = [b.person.full_name for b in article.bylines.select_related("person")]
        details.append(f"byline {', '.join(names)}" if names else "no byline")
        if draft.bios_set:
            details.append(f"bio line set for {', '.join(draft.bios_set)}")
        details.append("summary proposed from the lead" if article.summary else "no summary")
        if not story.headline:
            details.append("NO HEADLINE: write one before publishing")
        if story.dropped:
            details.append(f"{len(story.dropped)} furniture lines dropped")
        return details
