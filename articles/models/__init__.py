"""The newsroom's content, one module per kind of record; everything is re-exported here,
so ``from articles.models import Article`` and the app's migrations never change."""

from .article import *  # noqa: F401,F403
from .article import SLUG_MAX_LENGTH, unique_slug  # noqa: F401
