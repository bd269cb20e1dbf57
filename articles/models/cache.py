"""The cache's journal: changes whose invalidation may not have reached the shared cache."""

from django.db import models

__all__ = ["PendingInvalidation"]


class PendingInvalidation(models.Model):
    """Surrogate keys a change has to refresh in the shared cache, kept until it has.

    Written in the transaction that makes the change, so the two commit or roll back
    together; deleted once the keys' generations have moved on in Redis. A row still here
    is a refresh that did not reach the cache (Redis was out of reach, or the process
    stopped between the commit and the refresh); ``articles.caching.journal`` applies it
    before anything kept in the cache is trusted again.
    """

    keys = models.JSONField(help_text="The surrogate keys to refresh, e.g. [\"article:12\"].")
    hard = models.BooleanField(
        default=False,
        help_text="Something left readers' view (an unpublish, a deletion): no page showing "
        "it may be served again, not even for the few seconds a page is kept after a save.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{'hard' if self.hard else 'soft'} refresh of {len(self.keys)} keys"
