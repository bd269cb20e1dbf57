"""manage.py import_wordpress: bring a WordPress site's posts into a publication."""

from django.core.management.base import BaseCommand, CommandError

from articles.importers.wordpress import WordPressFileError, WordPressImporter, read_export
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
        "Import a WordPress export (WXR 1.0, 1.1 or 1.2, from Tools → Export) into a "
        "publication. Authors become people (never logins), categories sections, tags tags, "
        "and posts articles with their dates, slugs and excerpts; sticky posts are featured. "
        "Nothing WordPress kept from readers becomes public: draft, private and "
        "password-protected posts arrive as drafts, pending ones for review, scheduled ones "
        "scheduled. Pictures (featured and in the text) are read from --media-dir or "
        "fetched with --fetch-media and shown with their renditions. Pages, comments, menus "
        "and unused attachments are counted and left out. Safe to run again: a post is known "
        "by its site and post id, so nothing is created twice and only changed posts are "
        "updated. A summary lists what was created, updated, left out or failed, and why; a "
        "file that is not a WordPress export, or holds no post, is refused with exit status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="The WXR file, e.g. harbor-herald.WordPress.xml.")
        parser.add_argument(
            "--media-dir", help="A copy of the site's uploads (wp-content/uploads, or a "
            "WordPress.com media export). A picture is found by the end of its address's "
            "path under any host: https://old.example/wp-content/uploads/2024/03/ferry.jpg "
            "and https://site.files.wordpress.com/2024/03/ferry.jpg both find "
            "2024/03/ferry.jpg.",
        )
        parser.add_argument(
            "--publication", metavar="SLUG",
            help="The publication to import into (default: the default publication).",
        )
        parser.add_argument(
            "--fetch-media", action="store_true",
            help="Download pictures missing from --media-dir from their address in the "
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
        # The whole file is checked before the database is touched: a file that is not a
        # WordPress export, or holds nothing to import, changes nothing.
        try:
            site = read_export(export)
        except WordPressFileError as exc:
            raise CommandError(f"{export}: {exc}") from exc
        target = publication_option(publication)
        importer = WordPressImporter(
            publication=target, media_dir=media_dir, fetch=fetch_media,
            max_fetch_bytes=max_image_bytes, progress=False if no_progress else None,
            dry_run=dry_run,
        )
        try:
            report = importer.run(export, site=site)
        except WordPressFileError as exc:
            raise CommandError(f"{export}: {exc}") from exc
        style = self.style.WARNING if report.failed else self.style.SUCCESS
        if dry_run:
            self.stdout.write(style(f"Dry run into {target.name}: nothing was saved. It would do:"))
        else:
            self.stdout.write(style(f"WordPress import into {target.name} finished:"))
        for line in report.lines():
            self.stdout.write(line)
