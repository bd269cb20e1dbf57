"""Signals sent by ``articles.editorial.workflow`` after each editorial transition.

Every signal is sent with ``sender=Article`` and the keyword arguments ``article`` and
``user`` (``None`` for the publication-events runner), plus those listed. Receivers run
inside the transition's transaction: anything that reaches outside the database (email,
cache purges) should use ``transaction.on_commit``. The project's own receivers are in
``articles.editorial.notifications`` and are connected in ``ArticlesConfig.ready``.
"""

from django.dispatch import Signal

article_submitted = Signal()  # a reporter asks for review
article_returned = Signal()  # note: the editor's note to the reporter
article_scheduled = Signal()  # approved; publish_at (may be now) and embargo_until
article_published = Signal()  # approved to go live now
article_unpublished = Signal()
article_corrected = Signal()  # correction: the new Correction
embargo_lifted = Signal()
article_featured = Signal()  # featured: True or False
article_moved = Signal()  # section: the new Section
# A sister masthead's desk decides how the story runs there (articles.models.Run).
article_run_started = Signal()  # run: the new Run
article_run_changed = Signal()  # run: the Run, with its new section, headline or featured flag
article_run_dropped = Signal()  # publication: the masthead that no longer runs it
# Sent by ``run_publication_events`` exactly once per go-live moment; event: the
# PublicationEvent. The place for cache purges and "your story is live" emails.
article_went_live = Signal()
article_changes_published = Signal()  # the pending changes to a live story are now live
