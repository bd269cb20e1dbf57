import json
import time

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article, Publication


class Command(BaseCommand):
    help = (
        "Save one live story again and again, as an editor updating a story as it unfolds: "
        "the newest public story of the default publication (the one `bench_urls` lists "
        "pages of), its headline changed and saved through the ORM every --every seconds for "
        "--seconds seconds. Prints a line when it starts, then, as JSON, how many saves it made "
        "and how long they took. For the benchmark's hot-story case (bench/run.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0.3,
                            help="seconds from the start of one save to the next (default 0.3)")
        parser.add_argument("--seconds", type=float, default=10,
                            help="how long to keep saving (default 10)")

    def handle(self, *args, every, seconds, **options):
        if every <= 0 or seconds <= 0:
            raise CommandError("--every and --seconds must be more than 0.")
        publication = Publication.objects.get(is_default=True)
        story = (Article.objects.published().for_publication(publication)
                 .order_by("-publish_at").first())
        if story is None:
            raise CommandError("No public story to save: seed the newsroom first.")
        headline = story.headline
        self.stdout.write(f"saving story {story.pk} every {every} s for {seconds} s")
        self.stdout.flush()
        durations, start = [], time.monotonic()
        while time.monotonic() - start < seconds:
            began = time.monotonic()
            story.headline = f"{headline} (update {len(durations) + 1})"
            story.save()
            durations.append(time.monotonic() - began)
            time.sleep(max(0.0, began + every - time.monotonic()))
        story.headline = headline
        story.save()
        durations.sort()
        self.stdout.write(json.dumps({
            "story": story.pk, "saves": len(durations),
            "save_p50_ms": round(durations[len(durations) // 2] * 1000, 1),
            "save_max_ms": round(durations[-1] * 1000, 1),
        }))
