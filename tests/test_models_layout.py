"""articles/models/ is a package of modules re-exported from its __init__: the app label,
the migrations and ``from articles.models import X`` are the same as for one models.py,
and the models depend on no other room of ``articles``."""

import ast
from pathlib import Path

from django.apps import apps

import articles.models

MODELS_DIR = Path(articles.models.__file__).parent
# What a model module may import from inside ``articles`` (lazily or not).
ALLOWED = ("articles.models", "articles.sanitize")


def _imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module
        elif isinstance(node, ast.ImportFrom):
            yield "articles.models"  # a relative import stays inside the package


def test_the_models_import_no_other_room_of_articles_not_even_lazily():
    wrong = {
        f"{path.name}: {module}"
        for path in MODELS_DIR.glob("*.py")
        for module in _imported_modules(path)
        if (module == "articles" or module.startswith("articles."))
        and not module.startswith(ALLOWED)
    }
    assert not wrong


def test_every_model_of_the_app_is_importable_from_articles_models():
    for model in apps.get_app_config("articles").get_models():
        assert getattr(articles.models, model.__name__) is model
        assert model.__module__.startswith("articles.models.")
        assert model._meta.app_label == "articles"
