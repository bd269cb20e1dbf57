"""The stored search document of a story: what full-text search matches and ranks.

``Article.save()`` keeps it in ``search_document`` (PostgreSQL), which has a GIN index;
``articles.reading.search`` queries it with the same text-search configuration. To change
the expression, change it here, then run ``Article.objects.refresh_search_documents()``.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func

# The text-search configuration of the stored document; queries must parse with the same.
SEARCH_CONFIG = "english"

# The fields the document is made of: a save that touches none of them keeps it as it is.
SEARCH_FIELDS = {"headline", "dek", "summary", "body"}

# The story as one weighted document: headline (A), dek and summary (B), body without its
# tags (C).
DOCUMENT_SQL = (
    "setweight(to_tsvector('english'::regconfig, COALESCE({headline}, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, "
    "COALESCE({dek}, '') || ' ' || COALESCE({summary}, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, "
    "regexp_replace(COALESCE({body}, ''), '<[^>]+>', ' ', 'g')), 'C')"
)


class Document(Func):
    """The indexed search document of a story (PostgreSQL only)."""

    output_field = SearchVectorField()

    def __init__(self):
        super().__init__(F("headline"), F("dek"), F("summary"), F("body"))

    def as_sql(self, compiler, connection, **extra_context):
        columns = [compiler.compile(expression)[0] for expression in self.source_expressions]
        return "(" + DOCUMENT_SQL.format(
            **dict(zip(["headline", "dek", "summary", "body"], columns, strict=True))
        ) + ")", []
