"""The newest stories of a masthead as the front page ranks them, read without the ORM's
cost per request.

The front page reads the newest few hundred public stories' ids and ranking columns on every
build (``HomeView``). The query is always the same but for the time: building it through
the ORM (``published().on().newest_first()``: filters, a filtered join, aliases) and
compiling it to SQL cost more than running it. So it is built and compiled once per process,
masthead and database, with a placeholder for "now", and each request runs that SQL with its
own time. What it selects is still decided by ``Article.objects.published()`` and ``on()``
alone: the SQL is theirs, compiled by Django.
"""

from datetime import UTC, datetime

from django.db import router
from django.db.models import F
from django.utils import timezone

from articles.models import Article
from articles.reading.compiled import CompiledQuery

# Stands for the request's time in the compiled SQL: a moment no story is ever stamped with
# by chance (the fraction of a second too), only ever compared with itself.
NOW = datetime(1999, 12, 31, 23, 59, 58, 123457, tzinfo=UTC)

_compiled = {}  # (database, masthead id, window) -> CompiledQuery


def newest_stories(publication_pk, window):
    """[(id, featured, priority, section id), …]: the ``window`` newest public stories on
    masthead ``publication_pk``, newest first, with this masthead's featured flag and
    section for each (its run's) and the story's priority."""
    alias = router.db_for_read(Article)
    key = (alias, publication_pk, window)
    if key not in _compiled:
        _compiled[key] = _compile(alias, publication_pk, window)
    return _compiled[key].rows(now=timezone.now())


def _compile(alias, publication_pk, window):
    stories = (Article.objects.published(at=NOW).on(publication_pk).newest_first()
               .values_list("pk", F("run__featured"), "priority", F("run__section_id")))
    # Prepared: parsed and planned once per connection. Its plan is made knowing the
    # masthead and the status (constants, written into the SQL) but not the time: by the
    # masthead's runs, newest first, until 400 pass (a third of a millisecond at 10,000
    # stories). Made with the masthead and status as parameters too, it joined every run
    # of the masthead to every published story (5 ms).
    return CompiledQuery(stories[:window], {"now": NOW}, using=alias, prepared=True)
