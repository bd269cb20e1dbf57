"""The reading site: a GIN full-text index for story search, on PostgreSQL only.

The indexed expression is ``articles.models.search_document.DOCUMENT_SQL`` (copied here, as migrations
must not change when code does). SQLite has no GIN indexes; its search needs none.
"""

from django.db import migrations

DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(headline, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, "
    "COALESCE(dek, '') || ' ' || COALESCE(summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, "
    "regexp_replace(COALESCE(body, ''), '<[^>]+>', ' ', 'g')), 'C')"
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS article_search_idx ON articles_article "
            f"USING gin (({DOCUMENT}))"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_idx")


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_imports")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
