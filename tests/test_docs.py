"""The README and docs/ name only things that exist, and the README stays short.

Docs go stale silently: a module moves, a make target is renamed, a setting is dropped, and
the page that sends a newcomer there still reads well. So every reference the docs make is
checked against the tree: paths (``articles/reading/views.py``, ``docs/caching.md``), links
between pages and their #anchors, ``make`` targets, ``manage.py`` commands, migrations,
dotted Python names (``articles.caching.pages``), and settings or environment variables
(``NEWSROOM_FEED_ITEMS``), which must be read somewhere in the code.
"""

import importlib
import re
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_LIMIT = 15 * 1024  # bytes: what a newcomer reads in five minutes

# A path in prose or code: it starts at one of the repository's own folders.
PATH = re.compile(r"(?<![\w/.-])((?:articles|people|newsroom|tests|docs|templates|static|bench"
                  r"|\.ci)/[\w./*<>…{}-]*)")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`\n]+)`")
MAKE = re.compile(r"\bmake\s+(?:[A-Z_]+=\S+\s+)*([a-z][\w-]*)")
MANAGE = re.compile(r"\bmanage\.py\s+([a-z_]+)")
MIGRATION = re.compile(r"\b(\d{4}_[a-z]\w*)")
DOTTED = re.compile(r"(?:articles|people|newsroom)(?:\.\w+)+")
SETTING = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]\b")
# Where a setting or environment variable may be read.
CODE_FILES = ("newsroom/**/*.py", "articles/**/*.py", "people/**/*.py", "bench/**/*.py",
              "tests/*.py", "Makefile", ".ci/run")


def code_of(markdown):
    """The text of fenced code blocks and inline code spans."""
    fenced = FENCED.findall(markdown)
    return [*fenced, *INLINE.findall(FENCED.sub("", markdown))]


@cache
def make_targets():
    makefile = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([\w.-]+)\s*:(?!=)", makefile, re.MULTILINE))


@cache
def gitignored():
    lines = (ROOT / ".gitignore").read_text().splitlines()
    return [line.strip().rstrip("/") for line in lines if "/" in line.strip().rstrip("/")]


@cache
def code_text():
    """The code a setting may be read in (not this file, whose made-up names must stay unread)."""
    return "\n".join(path.read_text() for pattern in CODE_FILES for path in ROOT.glob(pattern)
                     if path != Path(__file__))


@cache
def migrations():
    return {path.stem for path in ROOT.glob("*/migrations/0*.py")}


def path_exists(reference, base):
    """Whether a path exists; one with a placeholder (``<N>``, ``*``, ``…``) needs its folder."""
    reference = reference.rstrip(".")
    if "*" in reference:
        return any(base.glob(reference))
    placeholder = re.search(r"[<…{]", reference)
    if placeholder:
        reference = reference[: placeholder.start()].rpartition("/")[0]
    if any(reference == ignored or reference.startswith(ignored + "/") for ignored in gitignored()):
        return True  # made by a run (bench/results/), never committed
    return (base / reference).exists()


def heading_anchors(markdown):
    """GitHub's anchors for a page's headings: lower case, punctuation gone, spaces to dashes."""
    headings = re.findall(r"^#+\s+(.*)$", FENCED.sub("", markdown), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def python_name_exists(name):
    """A module, or an attribute of one; or a model label or permission (``articles.article``,
    ``articles.publish_article``)."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            found = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        try:
            for attribute in parts[cut:]:
                found = getattr(found, attribute)
            return True
        except AttributeError:
            break
    if len(parts) == 2 and parts[0] in {config.label for config in apps.get_app_configs()}:
        models = apps.get_app_config(parts[0]).get_models()
        if any(model._meta.model_name == parts[1] for model in models):
            return True
        permissions = {
            codename
            for model in apps.get_app_config(parts[0]).get_models()
            for codename in [
                *(f"{action}_{model._meta.model_name}" for action in model._meta.default_permissions),
                *(codename for codename, _ in model._meta.permissions),
            ]
        }
        return parts[1] in permissions
    return False


def stale_references(markdown, doc):
    """What ``markdown`` (the text of the file ``doc``) names that does not exist."""
    where = doc.relative_to(ROOT) if doc.is_relative_to(ROOT) else doc.name
    stale = []
    for reference in PATH.findall(markdown):
        if not path_exists(reference, ROOT):
            stale.append(f"{where} names the path {reference}, which does not exist")
    for target in LINK.findall(markdown):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        file_part, _, anchor = target.partition("#")
        linked = (doc.parent / file_part).resolve() if file_part else doc
        if not linked.exists():
            stale.append(f"{where} links to {target}, which does not exist")
        elif anchor and linked.suffix == ".md":
            text = markdown if linked == doc else linked.read_text()
            if anchor not in heading_anchors(text):
                stale.append(f"{where} links to {target}: {file_part or where} has no such heading")
    for code in code_of(markdown):
        for target in MAKE.findall(code):
            if target not in make_targets():
                stale.append(f"{where} names `make {target}`, but the Makefile has no such target")
        for command in MANAGE.findall(code):
            if command not in get_commands():
                stale.append(f"{where} names `manage.py {command}`, which is no command")
        for setting in SETTING.findall(code):
            if not re.search(rf"\b{setting}\b", code_text()):
                stale.append(f"{where} names {setting}, which no code reads")
        if DOTTED.fullmatch(code.strip()) and not python_name_exists(code.strip()):
            stale.append(f"{where} names {code.strip()}, which no module defines")
    for migration in MIGRATION.findall(markdown):
        if migration not in migrations():
            stale.append(f"{where} names the migration {migration}, which does not exist")
    return stale


def test_the_readme_is_short_enough_to_read_in_five_minutes():
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_LIMIT, (
        f"README.md is {size} bytes, over {README_LIMIT}: move reference material to docs/")


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(ROOT)))
def test_everything_the_docs_name_exists(doc):
    stale = stale_references(doc.read_text(), doc)
    assert not stale, "\n".join(stale)


def test_every_page_of_docs_the_code_points_to_exists():
    """Docstrings, help texts and comments that send a reader to docs/ send them somewhere."""
    pointers = {
        (path.relative_to(ROOT), page)
        for pattern in (*CODE_FILES, "templates/**/*.html")
        for path in ROOT.glob(pattern)
        if path != Path(__file__)
        for page in re.findall(r"\bdocs/[\w-]+\.md", path.read_text())
    }
    missing = [f"{path} points to {page}" for path, page in sorted(pointers)
               if not (ROOT / page).exists()]
    assert not missing, "\n".join(missing)


def test_every_page_of_docs_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        assert f"docs/{page.name}" in readme, f"README.md does not link to docs/{page.name}"


def test_stale_references_of_every_kind_are_caught(tmp_path):
    doc = tmp_path / "page.md"
    doc.write_text("# Page\n")
    markdown = """# A page gone stale

See `articles/cache.py`, [the guide](docs/nowhere.md) and [a part](#no-such-part).
Images: `docs/screenshots/*.gif`. Reports land in `bench/results/<N>.json`.

```sh
make tset
PORT=8001 make run
.venv/bin/python manage.py import_wordpres x.xml
```

The door is `articles.caching.pages.NoSuchDoor`; the permission `articles.publish_article`.
Set `NEWSROOM_NO_SUCH_SETTING`; `NEWSROOM_FEED_ITEMS` is real. Migration 0004_site_renditions.
"""
    stale = stale_references(markdown, doc)
    assert stale == [
        "page.md names the path articles/cache.py, which does not exist",
        "page.md names the path docs/nowhere.md, which does not exist",
        "page.md names the path docs/screenshots/*.gif, which does not exist",
        "page.md links to docs/nowhere.md, which does not exist",
        "page.md links to #no-such-part: page.md has no such heading",
        "page.md names `make tset`, but the Makefile has no such target",
        "page.md names `manage.py import_wordpres`, which is no command",
        "page.md names articles.caching.pages.NoSuchDoor, which no module defines",
        "page.md names NEWSROOM_NO_SUCH_SETTING, which no code reads",
        "page.md names the migration 0004_site_renditions, which does not exist",
    ]
