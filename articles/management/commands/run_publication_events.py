import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from articles.editorial.publication_events import run_due_events
from articles.webhooks.deliveries import run_due_deliveries


class Command(BaseCommand):
    help = (
        "Run the side effects of stories that went live (cache purge, email to the "
        "reporter), once each, then send the webhook deliveries that are due (retrying "
        "failed ones with backoff). Safe to run several at once, e.g. from cron every "
        "minute, or as a worker with --loop."
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
                attempts = run_due_deliveries()
            except DatabaseError:
                if not loop:
                    raise
                # A worker outlives a database restart: log, reconnect, try again later.
                logging.getLogger(__name__).exception("Publication events failed; retrying")
                close_old_connections()
                events, attempts = [], []
            for event in events:
                self.stdout.write(f"{event.outcome}: {event}")
            for attempt in attempts:
                outcome = "delivered" if attempt.ok else "failed"
                self.stdout.write(f"webhook {outcome} ({attempt.response_code or attempt.error}): "
                                  f"{attempt.delivery}")
            if not loop:
                return
            time.sleep(max(interval, 1.0))
