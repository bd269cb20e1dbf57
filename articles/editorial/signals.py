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
# Sent by ``run_publication_events`` exactly once per go-live moment; event: the
# PublicationEvent. The place for cache purges and "your story is live" emails.
article_went_live = Signal()
