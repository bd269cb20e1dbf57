"""The newsroom-export format (docs/import-export.md, "The export format"): its name and
version, the tables it holds in load order, and the field rules export and restore share.

An export is a folder or .zip holding ``manifest.json``, one JSON-lines file per table (one
row per line, in load order), and ``media/`` with every image file under its stored name, so
image URLs are the same after a restore. Rows keep their ids, slugs and times exactly; links
to login users are written as usernames, since logins are not part of the export.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from taggit.models import Tag

from articles.models import (
    Article,
    Byline,
    Correction,
    Image,
    ImportedItem,
    MastheadBio,
    Publication,
    RelatedItem,
    Revision,
    Run,
    Section,
    TaggedArticle,
    TaggedImage,
)
from people.models import Person, SocialLink

FORMAT = "newsroom-export"
VERSION = 1
BATCH = 500

# Load order: every row's links point to rows of tables listed before it.
TABLES = [
    ("publications", Publication),
    ("sections", Section),
    ("people", Person),
    ("social_links", SocialLink),
    ("masthead_bios", MastheadBio),
    ("images", Image),
    ("tags", Tag),
    ("image_tags", TaggedImage),
    ("articles", Article),
    ("runs", Run),
    ("tagged_items", TaggedArticle),
    ("bylines", Byline),
    ("related_items", RelatedItem),
    ("corrections", Correction),
    ("revisions", Revision),
    ("imported_items", ImportedItem),
]


class BackupError(Exception):
    """The export cannot be written or loaded; the message says why."""


def is_user(field):
    return field.is_relation and field.related_model is get_user_model()


def is_content_type(field):
    return field.is_relation and field.related_model is ContentType
