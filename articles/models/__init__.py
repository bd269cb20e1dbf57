"""The newsroom's content, one module per kind of record; everything is re-exported here,
so ``from articles.models import Article`` and the app's migrations never change.

Django registers a model when its module is imported: every module that defines models
must be imported below.
"""

from articles.models.api_keys import ApiKey
from articles.models.article import (
    SLUG_MAX_LENGTH,
    Article,
    ArticleManager,
    ArticleQuerySet,
    Byline,
    Correction,
    RelatedItem,
    TaggedArticle,
    unique_slug,
)
from articles.models.cache import PendingInvalidation
from articles.models.editorial import (
    Autosave,
    EditingSession,
    PendingChanges,
    PreviewLink,
    PublicationEvent,
    Revision,
)
from articles.models.imports import ImportedItem
from articles.models.media import Image, TaggedImage
from articles.models.network import MastheadBio, Membership, Run
from articles.models.site import Publication, Section
from articles.models.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "SLUG_MAX_LENGTH", "ApiKey", "Article", "ArticleManager", "ArticleQuerySet", "Autosave", "Byline",
    "Correction", "EditingSession", "Image", "ImportedItem", "MastheadBio", "Membership",
    "PendingChanges", "PendingInvalidation", "PreviewLink", "Publication", "PublicationEvent",
    "RelatedItem", "Revision", "Run", "Section", "TaggedArticle", "TaggedImage", "WebhookAttempt",
    "WebhookDelivery", "WebhookEndpoint", "WebhookEvent", "unique_slug",
]
