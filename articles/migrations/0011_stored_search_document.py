"""Story search reads a stored, GIN-indexed document instead of parsing bodies per query.

PostgreSQL only; on SQLite the column stays empty and search uses its fallback.
"""

import django.contrib.postgres.search
from django.db import migrations

DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(headline, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, "
    "COALESCE(dek, '') || ' ' || COALESCE(summary, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, "
    "regexp_replace(COALESCE(body, ''), '<[^>]+>', ' ', 'g')), 'C')"
)


def store_documents(apps, schema_editor):
    """Fill the column, index it, and drop the expression index it replaces."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"UPDATE articles_article SET search_document = {DOCUMENT}")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS article_search_document_idx ON articles_article "
        "USING gin (search_document)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS article_search_idx")


def drop_documents_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_document_idx")


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0010_search_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='search_document',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(store_documents, drop_documents_index),
    ]
