"""Every cache key and surrogate key is spelled once, in ``articles/caching/keys.py``.

A key is spelled where a page is stored and again where a change is announced. Built by
hand in two places, the spellings can drift apart without any error, and pages then stay
stale. So the source is searched for keys built by hand anywhere else.
"""

import ast
import shutil
from pathlib import Path

import pytest

from articles.caching import keys

ROOT = Path(__file__).resolve().parent.parent
SEARCHED = ("articles", "newsroom")
KEYS_MODULE = Path("articles/caching/keys.py")

# How keys begin: surrogate keys, names of parts of pages, entries of the cache. Whatever
# else keys.py spells is added by ``key_prefixes``, so a new kind of key is covered too.
KNOWN_PREFIXES = (
    "article:", "section:", "tag:", "person:", "publication:", "layout:", "sitemap:",
    "corrections:", "newsroom:", "card:", "chrome:", "story:", "other-news:",
    "story-address:", "filter-fields:", "sitemap-index", "image-size:",
)
# PEOPLE and TAGS are whole keys; as plain words they are also field, app and URL names,
# so they count as keys only where keys go (see ``Finder``).
WHOLE_KEYS = {keys.PEOPLE, keys.TAGS}
TAKES_KEYS = {"add_keys", "bump", "bump_on_commit", "sitemap_keys", "generations",
              "current_generations", "generations_since", "generations_as_of"}

# Strings that look like keys and are not, with why. Each must still be in its file.
NOT_KEYS = {
    ("articles/distribution/feeds.py", 'f"tag:{host},{day}:article:{item.pk}"'):
        "an item's guid, a tag: URI (RFC 4151), not a cache key",
}


def key_prefixes():
    """KNOWN_PREFIXES, and the start (up to its first colon) of every string keys.py
    builds."""
    found = set(KNOWN_PREFIXES)
    for node in ast.walk(ast.parse((ROOT / KEYS_MODULE).read_text())):
        if isinstance(node, ast.JoinedStr):
            node = node.values[0] if node.values else None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            head, colon, _rest = node.value.partition(":")
            if colon and head and " " not in head:
                found.add(head + colon)
    return tuple(sorted(found))


class Finder(ast.NodeVisitor):
    """The strings in one module that build a cache key."""

    def __init__(self, source, prefixes):
        self.source, self.prefixes, self.found = source, prefixes, []

    def report(self, node):
        self.found.append((node.lineno, ast.get_source_segment(self.source, node)))

    def visit_JoinedStr(self, node):
        # f"article:{pk}": only how it begins counts (its parts are not visited apart).
        first = node.values[0] if node.values else None
        if isinstance(first, ast.Constant) and str(first.value).startswith(self.prefixes):
            self.report(node)

    def visit_Constant(self, node):
        # "article:" + str(pk), "section:%s" % pk, "newsroom:page:v2:" …
        if isinstance(node.value, str) and node.value.startswith(self.prefixes):
            self.report(node)

    def visit_Set(self, node):
        # {keys.tag(pk), "tags"}: a set of keys, as views and invalidation make them.
        self.whole_keys(node.elts)
        self.generic_visit(node)

    def visit_Call(self, node):
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name in TAKES_KEYS:
            for arg in node.args:
                if isinstance(arg, (ast.List, ast.Tuple)):
                    self.whole_keys(arg.elts)
                elif isinstance(arg, ast.Call) and isinstance(
                        getattr(arg.func, "value", None), ast.Dict):
                    self.whole_keys(arg.func.value.values)  # {"authors": "people"}.get(name)
                else:
                    self.whole_keys([arg])
        self.generic_visit(node)

    def whole_keys(self, nodes):
        for node in nodes:
            if isinstance(node, ast.Constant) and node.value in WHOLE_KEYS:
                self.report(node)


def hand_built_keys(root):
    """``[(path, line, source)]`` for every key built by hand under ``root``'s SEARCHED
    folders, outside keys.py and NOT_KEYS."""
    prefixes = key_prefixes()
    found = []
    for folder in SEARCHED:
        for path in sorted((root / folder).rglob("*.py")):
            relative = path.relative_to(root)
            if relative == KEYS_MODULE or "migrations" in relative.parts:
                continue
            source = path.read_text()
            finder = Finder(source, prefixes)
            finder.visit(ast.parse(source))
            found += [(relative.as_posix(), line, text) for line, text in finder.found
                      if (relative.as_posix(), text) not in NOT_KEYS]
    return found


def test_no_cache_key_is_built_outside_the_keys_module():
    assert hand_built_keys(ROOT) == []


@pytest.mark.parametrize("line", [
    'key = f"article:{pk}"',
    "key = f'section:{section.pk}'",
    'key = "publication:" + str(pk)',
    'key = "tag:%s" % pk',
    'key = "person:{}".format(pk)',
    'key = f"layout:{publication.pk}"',
    'key = f"sitemap:{pk}"',
    'key = f"corrections:{pk}"',
    'key = "newsroom:page:v2:" + digest',
    'key = f"card:{article.pk}:0002"',
    'key = f"chrome:{publication.pk}:0:{year}"',
    'key = f"story-address:{pk}:{slug}"',
    'key = f"other-news:{pk}:{scheme}:{host}"',
    'key = f"sitemap-index-months:v1:{version}"',
    'add_keys(request, "people")',
    'add_keys(request, keys.layout(1), "tags")',
    'bump_on_commit({keys.tag(1), "tags"})',
    'current_generations(("people", "tags"))',
    'sitemap_keys(request, {"authors": "people"}.get(name))',
])
def test_a_key_built_by_hand_is_found(tmp_path, line):
    module = tmp_path / "articles" / "reading" / "some_view.py"
    module.parent.mkdir(parents=True)
    module.write_text(f"def view(request, pk):\n    {line}\n")
    (tmp_path / "newsroom").mkdir()
    assert {(path, n) for path, n, _text in hand_built_keys(tmp_path)} == {
        ("articles/reading/some_view.py", 2)}


@pytest.mark.parametrize("line", [
    "key = keys.article(pk)",
    'qs = Article.objects.prefetch_related("tags")',
    'fields = ["section", "tags", "people"]',
    'path("sitemaps/tags.xml", view, {"name": "tags"})',
    'html = f"<!--card:{token}:{n}-->"',
    'environ["newsroom.page_cache.missed"] = key',
    'labels = {"people": "People", "tags": "Tags"}',
])
def test_words_that_are_not_keys_are_left_alone(tmp_path, line):
    module = tmp_path / "articles" / "some_module.py"
    module.parent.mkdir(parents=True)
    module.write_text(f"def view(request, pk):\n    {line}\n")
    (tmp_path / "newsroom").mkdir()
    assert hand_built_keys(tmp_path) == []


def test_a_key_put_back_by_hand_in_a_real_module_is_found(tmp_path):
    """The search walks the real tree: the project's views with one key spelled again."""
    for folder in SEARCHED:
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    views = tmp_path / "articles" / "reading" / "views.py"
    source = views.read_text()
    assert "keys.section(self.section.pk)" in source
    views.write_text(source.replace("keys.section(self.section.pk)", 'f"section:{self.section.pk}"'))
    found = hand_built_keys(tmp_path)
    assert [(path, text) for path, _line, text in found] == [
        ("articles/reading/views.py", 'f"section:{self.section.pk}"')]


def test_every_exception_is_still_where_it_is_said_to_be():
    for path, text in NOT_KEYS:
        assert text in (ROOT / path).read_text(), (path, text)


def test_surrogate_keys_keep_the_names_a_cdn_purges_by():
    """These go out in Surrogate-Key and Cache-Tag headers: a CDN's purge rules (and pages
    it holds) know them by these names."""
    assert [keys.article(12), keys.section(3), keys.tag(7), keys.person(5),
            keys.publication(1), keys.layout(1), keys.sitemap(1), keys.corrections(1),
            keys.PEOPLE, keys.TAGS] == [
        "article:12", "section:3", "tag:7", "person:5", "publication:1", "layout:1",
        "sitemap:1", "corrections:1", "people", "tags"]


def test_the_publications_named_among_keys_are_found():
    named = {keys.article(4), keys.publication(2), keys.layout(3), keys.publication(9)}
    assert keys.publications_in(named) == {"2", "9"}


def test_a_page_key_names_scheme_host_and_address(rf):
    plain = rf.get("/politics/?page=2", HTTP_HOST="herald.example")
    assert keys.page(plain).startswith(keys.PAGE_PREFIX)
    assert keys.page(plain) == keys.page(rf.get("/politics/?page=2", HTTP_HOST="herald.example"))
    assert keys.page(plain) != keys.page(rf.get("/politics/?page=3", HTTP_HOST="herald.example"))
    assert keys.page(plain) != keys.page(rf.get("/politics/?page=2", HTTP_HOST="valley.example"))
    assert keys.page(plain) != keys.page(
        rf.get("/politics/?page=2", HTTP_HOST="herald.example", secure=True))


def test_a_cards_name_spells_its_story_masthead_flags_and_heading_level():
    from articles.caching.cards import options

    assert keys.card(12, 3, options(lead=True, level=3, hide_section=True)) == "card:12:3:1013"
    assert keys.card(12, 3, options(eager=True)) == "card:12:3:0102"
