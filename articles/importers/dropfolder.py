"""A folder an agency drops ninjs files into, watched by polling.

Each ``tick`` imports the files that are ready and moves each one out of the way:
into ``processed/`` when every item in it was imported (or was already there), into
``failed/`` otherwise, with a ``NAME.error.txt`` beside it saying why. A file is ready when
its size and modification time are the same as at the previous tick, so a file still being
written is left alone; files named the way agencies name a file while they write it
(``.part``, ``.tmp``, ``.filepart``, a leading dot or tilde) are never read, so the usual
convention of writing to a temporary name and renaming it when done works too.
"""

import shutil
from pathlib import Path

from django.utils import timezone

IN_PROGRESS_SUFFIXES = {".part", ".partial", ".tmp", ".filepart", ".crdownload", ".download"}


def is_candidate(path):
    name = path.name
    return (path.is_file() and path.suffix.casefold() == ".json"
            and not name.startswith((".", "~"))
            and not any(name.casefold().endswith(s) for s in IN_PROGRESS_SUFFIXES))


class DropFolder:
    def __init__(self, path, importer):
        self.path = Path(path)
        self.importer = importer
        self.processed = self.path / "processed"
        self.failed = self.path / "failed"
        self._seen = {}  # name -> (size, mtime) at the last tick

    def ready_files(self):
        """Files whose size and time have not moved since the previous call."""
        now, ready = {}, []
        for entry in sorted(self.path.iterdir()):
            try:
                if not is_candidate(entry):
                    continue
                stat = entry.stat()
            except FileNotFoundError:
                continue  # taken away between the listing and the look: gone is gone
            now[entry.name] = (stat.st_size, stat.st_mtime_ns)
            if self._seen.get(entry.name) == now[entry.name]:
                ready.append(entry)
        self._seen = now
        return ready

    def tick(self):
        """Import what is ready; returns [(path, [Outcome, …])] for the files handled."""
        ready = self.ready_files()
        if not ready:
            return []
        results = self.importer.import_files(ready, progress=False)
        for path, outcomes in results.items():
            failed = any(outcome.outcome == "failed" for outcome in outcomes)
            target = self._move(path, self.failed if failed else self.processed)
            if failed:
                note = "\n".join(f"{o.label}: {o.outcome}: {o.message}" for o in outcomes)
                target.with_name(target.name + ".error.txt").write_text(note + "\n",
                                                                        encoding="utf-8")
            self._seen.pop(path.name, None)
        return list(results.items())

    def _move(self, path, folder):
        folder.mkdir(exist_ok=True)
        target = folder / path.name
        if target.exists():
            # The same name delivered again (agencies reuse names for new versions).
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
            target = folder / f"{path.stem}.{stamp}{path.suffix}"
        shutil.move(str(path), str(target))
        return target
