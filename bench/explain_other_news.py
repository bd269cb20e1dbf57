"""PostgreSQL's work for In Other News's first batch, on the database `make bench` seeded.

    .venv/bin/python bench/explain_other_news.py                    # 10,000 stories
    .venv/bin/python bench/explain_other_news.py --articles 1000000

Runs ``EXPLAIN (ANALYZE, BUFFERS)`` on the batch's ranking a story page runs (its SQL as
the page compiles it, with the story's own values; the stories it ranks are then loaded by
id, a lookup by key whatever the archive's size) for --stories stories spread over the
archive (newest, middle, oldest …), each --tries times, and prints for each story the best
run's buffers (shared hits and reads) and execution time, then the medians: whether the
box costs the same on a large archive as on a small one (docs/benchmarks.md).
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def explain(stories, tries):
    """[(position, tag count, buffers, run ms, planning ms), …]: the best of ``tries``
    runs of the first batch's query for each of ``stories`` stories spread over the
    published archive, newest to oldest (on the default database, set up by Django)."""
    import json

    from django.db import connection

    from articles.models import Article
    from articles.reading import related

    public = Article.objects.published().order_by("-publish_at", "-pk")
    total = public.count()
    rows = []
    for position in sorted({round(n * (total - 1) / max(1, stories - 1))
                            for n in range(stories)}):
        article = public.select_related("publication")[position]
        publication = article.publication
        tag_ids = list(dict.fromkeys(tag.pk for tag in article.tags.all()))
        sql, params = related.batch_sql(article, publication, tag_ids, [article.pk], 0,
                                        related.BATCH_SIZE + 1)
        best = None
        for _ in range(tries):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
                result = cursor.fetchone()[0]
            plan = json.loads(result)[0] if isinstance(result, str) else result[0]
            top = plan["Plan"]  # its counts include its children's
            run = (top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0),
                   plan["Execution Time"], plan["Planning Time"])
            best = run if best is None or run[1] < best[1] else best
        rows.append((position, len(tag_ids), *best))
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000,
                        help="the bench database's size (newsroom_bench_<N>; default 10000)")
    parser.add_argument("--database-url", help="instead of the bench database")
    parser.add_argument("--stories", type=int, default=9, help="stories measured (default 9)")
    parser.add_argument("--tries", type=int, default=3, help="runs per story, best kept (3)")
    args = parser.parse_args()
    from profile_page import bench_environment  # bench/, this script's folder

    os.environ.update(bench_environment(args.database_url, args.articles,
                                        DJANGO_SETTINGS_MODULE="newsroom.settings"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    rows = explain(args.stories, args.tries)
    for position, tags, buffers, run, planning in rows:
        print(f"story #{position:>9,} ({tags} tags): {buffers:>6,} buffers, "
              f"{run:6.2f} ms run, {planning:5.2f} ms planning")
    print(f"median of {len(rows)} stories: "
          f"{statistics.median(r[2] for r in rows):,.0f} buffers, "
          f"{statistics.median(r[3] for r in rows):.2f} ms run, "
          f"{statistics.median(r[4] for r in rows):.2f} ms planning")


if __name__ == "__main__":
    main()
