import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from articles.editorial.publication_events import run_due_events


class Command(BaseCommand):
    help = (
        "Run the side effects of stories that went live (cache purge, email to the "
        "reporter), once each. Safe to run several at once, e.g. from cron every minute, "
        "or as a worker with --loop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running.")
        parser.add_argument(
            "--interval", type=float, default=30.0,
            help="Seconds between runs with --loop (default 30).",
        )

    def handle(self, *args, loop=False, interval=30.0, **options):
        while True:
            try:
                events = run_due_events()
            except DatabaseError:
                if not loop:
                    raise
                # A worker outlives a database restart: log, reconnect, try again later.
                logging.getLogger(__name__).exception("Publication events failed; retrying")
                close_old_connections()
                events = []
            for event in events:
                self.stdout.write(f"{event.outcome}: {event}")
            if not loop:
                return
            time.sleep(max(interval, 1.0))
