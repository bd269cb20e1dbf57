"""Hash indexes for looking up a story by its id and a story's runs, on PostgreSQL only.

In Other News looks up each of its few hundred candidates: the story (is it public?) and,
for a tag's candidates, its run on the masthead (is it shown there, in which section?).
A B-tree lookup reads one page more for each level the archive's growth adds (with the
row, three pages at 10,000 stories, four at a million); a hash index reads one bucket page
at any size. The planner picks whichever costs less; the B-trees still serve every walk in
order and every unique constraint.

Built concurrently: a newsroom keeps saving stories while it migrates. SQLite has no hash
indexes; its In Other News is ranked by the ORM and needs none.
"""

from django.db import migrations

INDEXES = {
    "article_id_hash_idx": "articles_article USING hash (id)",
    "run_article_hash_idx": "articles_run USING hash (article_id)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("articles", "0021_tagged_latest_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
