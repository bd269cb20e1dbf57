"""manage.py import_wordpress: bring a WordPress site's posts into a publication."""

from django.core.management.base import BaseCommand, CommandError

from articles.importers.wordpress import WordPressFileError, WordPressImporter
from articles.models import Publication


def publication_option(slug):
    """The publication named by --publication, else the default one."""
    if slug:
        publication = Publication.objects.filter(slug=slug).first()
        if publication is None:
            known = ", ".join(Publication.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No publication has the slug “{slug}” (known: {known}).")
        return publication
    publication = Publication.objects.filter(is_default=True).first() or Publication.objects.first()
    if publication is None:
        raise CommandError("There is no publication yet: run migrate, or create one in the admin.")
    return publication


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR, from Tools → Export) into a publication. Authors "
        "become people (never logins), categories sections, tags tags, and posts articles "
        "with their status (publish → published, future → scheduled, draft and private → "
        "draft, pending → in review), dates, slugs and excerpts. Featured images are read "
        "from --media-dir (a copy of wp-content/uploads). Pages and other post types are "
        "reported and skipped. Safe to run again: nothing is created twice, and changed "
        "posts are updated. A summary lists what was created, updated, skipped or failed, "
        "and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="The WXR file, e.g. harbor-herald.WordPress.xml.")
        parser.add_argument(
            "--media-dir", help="A copy of the site's wp-content/uploads folder, where "
            "featured images are looked up by their upload path (e.g. 2024/03/ferry.jpg).",
        )
        parser.add_argument(
            "--publication", metavar="SLUG",
            help="The publication to import into (default: the default publication).",
        )
        parser.add_argument(
            "--fetch-media", action="store_true",
            help="Download featured images missing from --media-dir from their URL in the "
            "export. Only public internet addresses are contacted, never loopback, private "
            "or link-local ones.",
        )
        parser.add_argument(
            "--max-image-bytes", type=int, metavar="BYTES",
            help="Largest image to read or download (default: NEWSROOM_IMAGE_MAX_BYTES).",
        )
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Read everything and print the summary, then undo it all: nothing is saved "
            "and no image file is written.",
        )
        parser.add_argument("--no-progress", action="store_true",
                            help="Do not draw a progress bar.")

    def handle(self, *args, export, media_dir=None, publication=None, fetch_media=False,
               max_image_bytes=None, no_progress=False, dry_run=False, **options):
        target = publication_option(publication)
        importer = WordPressImporter(
            publication=target, media_dir=media_dir, fetch=fetch_media,
            max_fetch_bytes=max_image_bytes, progress=False if no_progress else None,
            dry_run=dry_run,
        )
        try:
            report = importer.run(export)
        except WordPressFileError as exc:
            raise CommandError(f"{export}: {exc}") from exc
        style = self.style.WARNING if report.failed else self.style.SUCCESS
        if dry_run:
            self.stdout.write(style(f"Dry run into {target.name}: nothing was saved. It would do:"))
        else:
            self.stdout.write(style(f"WordPress import into {target.name} finished:"))
        for line in report.lines():
            self.stdout.write(line)
