"""The rooms of ``articles/`` and who may import whom, as docs/architecture.md states them.

The rules live in one place, the table under "Who may import whom" in docs/architecture.md;
this test reads that table, so the map a newcomer reads is the one the code is held to.
Every import counts: at the top of a module or inside a function (a lazy import still loads
the module when it runs), ``importlib.import_module("…")`` with a written name, and the
imports of what is imported: ``people`` importing ``newsroom.images`` would break "people
never imports articles" if ``newsroom.images`` imported ``articles``.
"""

import ast
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("articles", "people", "newsroom")
ARCHITECTURE = "docs/architecture.md"
RULES_HEADING = "## Who may import whom"


@dataclass(frozen=True)
class Edge:
    source: str  # the importing module, e.g. "articles.reading.views"
    target: str  # the imported module, e.g. "articles.caching.pages"
    path: str  # the importing file, relative to the repository
    line: int


@dataclass(frozen=True)
class Rule:
    sources: tuple[str, ...]  # empty: every module outside the forbidden rooms
    forbidden: tuple[str, ...]
    allowed: tuple[str, ...]  # exceptions inside the forbidden rooms
    text: str  # the table row, for the error message

    def covers(self, module):
        if not self.sources:
            return not within(module, self.forbidden)
        return within(module, self.sources)

    def forbids(self, module):
        return (within(module, self.forbidden) and not within(module, self.allowed)
                and not self.covers(module))


def within(module, rooms):
    return any(module == room or module.startswith(room + ".") for room in rooms)


def modules_under(root):
    """Every module of the project's packages: {"articles.models": Path(...), …}."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def nearest_module(name, modules):
    """The module that importing ``name`` loads: itself, or the package that defines it."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imported_names(tree, module, is_package):
    """(name, line) for every import in a module's syntax tree, at any depth."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*base, node.module] if node.module else base)
            else:
                base = node.module
            # ``from articles import sanitize`` loads articles.sanitize, a module;
            # ``from articles.models import Article`` loads articles.models.
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"):
            yield node.args[0].value, node.lineno


def import_graph(root):
    """{module: [Edge, …]} over the project's own modules; other libraries are left out.

    Loading ``a.b.c`` runs ``a/b/__init__.py`` first, so an import of a module also reaches
    the packages above it (except those above the importer, which are loaded already).
    """
    modules = modules_under(root)
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        relative = str(path.relative_to(root))
        edges = []
        for name, line in imported_names(tree, module, path.name == "__init__.py"):
            target = nearest_module(name, modules)
            while target and not within(module, [target]):
                edges.append(Edge(module, target, relative, line))
                target = target.rpartition(".")[0]
                target = target if target in modules else None
        graph[module] = edges
    return graph


def parse_rules(markdown):
    """The rules table under "Who may import whom": one rule per row.

    First column: the rooms the rule is about (`articles.reading`, …), or "anything".
    Second column: the rooms they may not import, then optionally "except" and the rooms
    inside them that stay allowed.
    """
    section = markdown.partition(RULES_HEADING)[2]
    assert section, f"{ARCHITECTURE} has no section {RULES_HEADING!r}"
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]
    rules = []
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) >= 2, f"{ARCHITECTURE}: cannot read the rule {row!r}"
        forbidden, _, allowed = cells[1].partition("except")
        rule = Rule(
            sources=tuple(re.findall(r"`([\w.]+)`", cells[0])),
            forbidden=tuple(re.findall(r"`([\w.]+)`", forbidden)),
            allowed=tuple(re.findall(r"`([\w.]+)`", allowed)),
            text=f"{cells[0]} may not import {cells[1]}",
        )
        assert rule.forbidden, f"{ARCHITECTURE}: the rule {row!r} names no room it forbids"
        assert rule.sources or cells[0].lower() == "anything", (
            f"{ARCHITECTURE}: the rule {row!r} names no room it is about (or 'anything')")
        rules.append(rule)
    return rules


def _path_to_forbidden(graph, start, rule):
    """The shortest chain of edges from ``start`` to a module the rule forbids, or None.

    The chain does not go on through the exceptions a rule names (``articles.models`` for
    ``articles.caching``): what they import is their own rule's business, and blaming every
    room above them for it would bury the one line to change.
    """
    if within(start, rule.allowed):
        return None
    seen = {start}
    queue = deque([(start, [])])
    while queue:
        module, chain = queue.popleft()
        for edge in graph.get(module, []):
            if edge.target in seen:
                continue
            if rule.forbids(edge.target):
                return [*chain, edge]
            seen.add(edge.target)
            if not within(edge.target, rule.allowed):
                queue.append((edge.target, [*chain, edge]))
    return None


def violations(root, rules):
    """One message per import that breaks a rule, naming the file, the line and the rule.

    An import is reported where it leaves the rule's rooms: a module of ``articles.reading``
    that imports another of ``articles.reading`` is not blamed for what that one imports.
    """
    graph = import_graph(root)
    found, blamed = [], set()
    for rule in rules:
        for module in sorted(graph):
            if not rule.covers(module):
                continue
            for edge in graph[module]:
                # One message per import statement: its module, not the packages above it.
                if rule.covers(edge.target) or (edge.path, edge.line, rule) in blamed:
                    continue
                if rule.forbids(edge.target):
                    chain = [edge]
                else:
                    rest = _path_to_forbidden(graph, edge.target, rule)
                    if rest is None:
                        continue
                    chain = [edge, *rest]
                blamed.add((edge.path, edge.line, rule))
                steps = "\n".join(f"    {step.path}:{step.line} imports {step.target}"
                                  for step in chain)
                found.append(f"{steps}\n  breaks the rule: {rule.text} ({ARCHITECTURE})")
    return sorted(found)


def test_the_code_keeps_the_import_rules_of_docs_architecture():
    rules = parse_rules((ROOT / ARCHITECTURE).read_text())
    broken = violations(ROOT, rules)
    assert not broken, "Imports that break the rules:\n" + "\n".join(broken)


def test_every_room_a_rule_names_exists():
    modules = modules_under(ROOT)
    for rule in parse_rules((ROOT / ARCHITECTURE).read_text()):
        for room in (*rule.sources, *rule.forbidden, *rule.allowed):
            assert room in modules, (
                f"{ARCHITECTURE} names {room!r} in the rule {rule.text!r}, "
                "but there is no such module or package: did it move?")


@pytest.mark.parametrize(("importer", "imported"), [
    ("people.models", "articles.models"),
    ("articles.models.article", "articles.reading.search"),
    ("articles.models.article", "articles.editorial.workflow"),
    ("articles.reading.views", "articles.admin.forms"),
    ("articles.distribution.feeds", "articles.admin"),
    ("articles.caching.pages", "articles.admin.workflow"),
    ("articles.models.article", "articles.admin"),
    ("articles.reading.views", "articles.importers.wire"),
    ("articles.importers.wire", "articles.management.commands.import_text"),
])
def test_the_rules_keep_the_promises_of_the_brief(importer, imported):
    """Whatever the table's wording, these imports stay forbidden."""
    rules = parse_rules((ROOT / ARCHITECTURE).read_text())
    assert any(rule.covers(importer) and rule.forbids(imported) for rule in rules), (
        f"no rule in {ARCHITECTURE} forbids {importer} to import {imported}")


@pytest.mark.parametrize("room", sorted(
    path.parent.name for path in (ROOT / "articles").glob("*/__init__.py")))
def test_every_room_of_articles_says_what_it_owns_and_is_on_the_map(room):
    init = ROOT / "articles" / room / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text()))
    assert docstring, f"articles/{room}/__init__.py needs a docstring saying what it owns"
    assert f"`articles/{room}/`" in (ROOT / ARCHITECTURE).read_text(), (
        f"articles/{room}/ is not on the map in {ARCHITECTURE}")


# The checker itself, on a small made-up project: it must see what it is meant to catch.

RULES = f"""{RULES_HEADING}

| code in | may not import | because |
|---|---|---|
| `people` | `articles` | people stand alone |
| `articles.models` | `articles`, except `articles.models`, `articles.sanitize` | the floor |
| anything | `articles.admin` | the top |
"""


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for package in PACKAGES:
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").touch()


def test_a_lazy_import_inside_a_function_is_caught_with_its_file_line_and_rule(tmp_path):
    write(tmp_path, {
        "articles/models/__init__.py": "from articles.sanitize import clean\n",
        "articles/sanitize.py": "",
        "articles/reading/__init__.py": "",
        "articles/reading/search.py": "",
        "articles/models/article.py": (
            "from articles.models import base\n\n"
            "def refresh():\n"
            "    from articles.reading.search import Document\n"
            "    return Document\n"),
        "articles/models/base.py": "",
    })
    [message] = violations(tmp_path, parse_rules(RULES))
    assert "articles/models/article.py:4 imports articles.reading.search" in message
    assert "`articles.models` may not import `articles`, except" in message


def test_an_import_through_another_module_is_caught_with_the_whole_chain(tmp_path):
    write(tmp_path, {
        "newsroom/images.py": "import importlib\nimportlib.import_module('articles.thing')\n",
        "articles/thing.py": "",
        "people/models.py": "\n\nfrom newsroom.images import check\n",
    })
    [message] = violations(tmp_path, parse_rules(RULES))
    assert message.splitlines()[:2] == [
        "    people/models.py:3 imports newsroom.images",
        "    newsroom/images.py:2 imports articles.thing",
    ]
    assert "`people` may not import `articles`" in message


def test_relative_and_from_package_imports_resolve_to_the_module_they_load(tmp_path):
    write(tmp_path, {
        "articles/admin/__init__.py": "from . import forms\n",
        "articles/admin/forms.py": "",
        "articles/reading/__init__.py": "",
        "articles/reading/views.py": "from ..admin import forms\nfrom articles import admin\n",
        "articles/editorial/workflow.py": "import articles.editorial.signals\n",
        "articles/editorial/__init__.py": "",
        "articles/editorial/signals.py": "",
    })
    messages = violations(tmp_path, parse_rules(RULES))
    assert [m.splitlines()[0] for m in messages] == [
        "    articles/reading/views.py:1 imports articles.admin.forms",
        "    articles/reading/views.py:2 imports articles.admin",
    ]


def test_allowed_imports_pass(tmp_path):
    write(tmp_path, {
        "articles/sanitize.py": "import nh3\n",
        "articles/models/__init__.py": "from articles.sanitize import clean\nfrom people.models import P\n",
        "people/models.py": "from newsroom.images import check\n",
        "newsroom/images.py": "from PIL import Image\n",
        "articles/admin/__init__.py": "from articles.models import Article\n",
    })
    assert violations(tmp_path, parse_rules(RULES)) == []
