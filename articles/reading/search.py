"""Story search: PostgreSQL full-text search with ranking and highlighted snippets, and a
plain ``icontains`` fallback on SQLite.

Both start from the queryset they are given (always ``published()``, on the reader's
masthead: ``on()``) and return it in order of relevance (PostgreSQL) or recency (the
fallback). ``with_snippets`` (PostgreSQL)
and ``fallback_snippet`` give each result a snippet: plain text with the matched words
between ``MARK_START`` and ``MARK_END``, turned into safe HTML by ``snippet_html``.
"""

import html
import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, connections
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Concat, Replace
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models.search_document import SEARCH_CONFIG
from articles.sanitize import plain_text

MAX_QUERY_LENGTH = 200
SEARCH_WINDOW = 1000
MAX_TERMS = 8
MARK_START, MARK_END = "\x02", "\x03"


def terms(query):
    """Words of a query, without the punctuation of search syntax, at most MAX_TERMS."""
    words = re.findall(r"\w[\w'’-]*", query)
    return [w.strip("-'’") for w in words if w.strip("-'’")][:MAX_TERMS]


def search(queryset, query):
    if connection.vendor == "postgresql":
        return _search_postgres(queryset, query)
    return _search_fallback(queryset, query)


def _plain_body():
    # Tags out, so snippets never cut through markup; entities are unescaped in Python.
    return Func(F("body"), Value("<[^>]+>"), Value(" "), Value("g"),
                function="regexp_replace", output_field=TextField())


def _newest_matches(queryset, ts_query):
    # search_document @@ query: answered from the GIN index on the stored column (or, for
    # a word in nearly every story, by walking the newest-first index), and ranked from it
    # without parsing any story again. News search ranks the newest SEARCH_WINDOW matches:
    # a word found in half the archive costs no more than a rare one.
    return queryset.filter(search_document=ts_query).newest_first()


def _search_postgres(queryset, query):
    ts_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    newest = _newest_matches(queryset, ts_query).values("pk")[:SEARCH_WINDOW]
    return (
        queryset.filter(pk__in=newest)
        .annotate(rank=SearchRank(F("search_document"), ts_query))
        .order_by("-rank", "-publish_at", "-pk")
    )


def ranked_ids_sql(queryset, query):
    """SQL and parameters for the ids of ``search(queryset, query)`` in order (PostgreSQL).

    The same answer as the queryset, in one pass: each of the newest matches is ranked as
    it is read, then the window is sorted by rank, with no second visit to any story.
    """
    ts_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    newest = (
        _newest_matches(queryset, ts_query)
        .annotate(search_rank=SearchRank(F("search_document"), ts_query))
        .values_list("pk", "publish_at", "search_rank")[:SEARCH_WINDOW]
    )
    sql, params = newest.query.sql_with_params()
    return (
        f"SELECT id FROM ({sql}) AS newest (id, publish_at, rank) "
        "ORDER BY rank DESC, publish_at DESC, id DESC",
        params,
    )


def ranked_ids(queryset, query):
    """The ids of the stories in ``queryset`` matching ``query``, best first (PostgreSQL):
    the newest SEARCH_WINDOW matches, ranked."""
    sql, params = ranked_ids_sql(queryset, query)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def with_snippets(queryset, query):
    """``queryset`` annotated with ``snippet``: the story's text around the matched words
    (PostgreSQL's ts_headline, which parses each story: use it on one page of results)."""
    ts_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    text = Concat(F("summary"), Value(" "), _plain_body(), output_field=TextField())
    return queryset.annotate(
        snippet=SearchHeadline(
            Replace(text, Value("\n"), Value(" ")), ts_query, config=SEARCH_CONFIG,
            start_sel=MARK_START, stop_sel=MARK_END, max_words=35, min_words=15,
            max_fragments=2, fragment_delimiter=" … ",
        )
    )


def _search_fallback(queryset, query):
    words = terms(query)
    if not words:
        return queryset.none()
    condition = Q()
    for word in words:
        condition &= (
            Q(headline__icontains=word) | Q(dek__icontains=word)
            | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return queryset.filter(condition).newest_first()


def fallback_snippet(article, query, *, width=220):
    """A window of the story's text around the first matched word, words marked."""
    text = plain_text(f"{article.summary} {article.body}")
    text = " ".join(text.split())
    words = terms(query)
    if not words:
        return text[:width]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    match = pattern.search(text)
    start = max(0, match.start() - width // 3) if match else 0
    if start:  # begin and end on whole words
        start = text.find(" ", start) + 1 if " " in text[start : match.start()] else start
    end = start + width
    if end < len(text) and " " in text[start + width // 2 : end]:
        end = text.rfind(" ", start, end)
    window = text[start:end]
    window = ("… " if start else "") + window + (" …" if end < len(text) else "")
    return pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", window)


def snippet_html(snippet):
    """Escape everything the story's text holds, then turn our markers into <mark>."""
    text = escape(html.unescape(snippet or ""))
    # An unbalanced marker (a fragment cut mid-word) must not leave an open <mark>.
    text = re.sub(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}", r"<mark>\1</mark>", text)
    return mark_safe(text.replace(MARK_START, "").replace(MARK_END, ""))
