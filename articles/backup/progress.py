"""Progress bars for export and restore that leave nothing on the screen when they close.

Until an export or a restore has finished, nothing it did is kept: a bar left at "Rows:
100%" above an error would say otherwise. So the bars are wiped, done or not, and the
command's summary (or its one line of error) is what stays.
"""

import contextlib

from tqdm import tqdm


@contextlib.contextmanager
def progress_bar(shown, **options):
    """A tqdm bar (drawn only if ``shown``), wiped when the block ends, however it ends."""
    bar = tqdm(disable=not shown, leave=False, **options)
    try:
        yield bar
    finally:
        bar.close()
