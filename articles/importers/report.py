"""What an import did, counted and explained, for the summary printed at the end."""

from collections import Counter, defaultdict


class ImportProblem(Exception):
    """A record cannot be imported; the message says why, in plain words."""


class ImportReport:
    OUTCOMES = ["created", "updated", "unchanged", "matched", "withdrawn", "skipped", "failed"]

    def __init__(self):
        self.counts = defaultdict(Counter)
        self.skipped = []
        self.failed = []
        self.warnings = []

    def count(self, kind, outcome):
        self.counts[kind][outcome] += 1

    def skip(self, label, reason):
        self.count("items", "skipped")
        self.skipped.append(f"{label}: {reason}")

    def fail(self, kind, label, reason):
        self.count(kind, "failed")
        self.failed.append(f"{label}: {reason}")

    def warn(self, label, message):
        self.warnings.append(f"{label}: {message}")

    def total(self, kind, outcome):
        return self.counts[kind][outcome]

    def lines(self):
        out = []
        for kind, counter in self.counts.items():
            parts = [f"{counter[o]} {o}" for o in self.OUTCOMES if counter[o]]
            out.append(f"  {kind}: {', '.join(parts)}")
        for title, entries in [("Skipped", self.skipped), ("Failed", self.failed),
                               ("Warnings", self.warnings)]:
            if entries:
                out.append(f"{title} ({len(entries)}):")
                out.extend(f"  - {entry}" for entry in entries)
        return out
