"""The workflow's side effects: emails to editors and reporters, and cache purges.

``connect()`` wires the receivers; ``ArticlesConfig.ready`` calls it. Everything leaves
the process only after the transaction that caused it commits (``on_commit``): a
rolled-back transition sends nothing.
Emails have a plain-text and an HTML part; both are rendered by templates with
autoescaping, so a headline like ``"><svg onload=…>`` stays text.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from articles.caching import invalidation
from articles.editorial import signals
from articles.editorial.roles import EDITOR
from articles.models import Membership

logger = logging.getLogger(__name__)

def editors(publication_id):
    """Active users who review a masthead's stories, with an email: the editors on its desk
    (in the Editor group, with an editor's role there) and superusers."""
    on_desk = Q(groups__name=EDITOR, memberships__publication_id=publication_id,
                memberships__role=Membership.Role.EDITOR)
    return (
        get_user_model().objects.filter(is_active=True)
        .filter(on_desk | Q(is_superuser=True))
        .exclude(email="").distinct()
    )


def _send(template, recipients, **context):
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    context["admin_url"] = reverse("admin:articles_article_change", args=[context["article"].pk])
    subject = " ".join(render_to_string(f"articles/email/{template}_subject.txt", context).split())
    text = render_to_string(f"articles/email/{template}.txt", context)
    html = render_to_string(f"articles/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")

    def send():
        try:
            message.send()
        except OSError:
            logger.exception("Could not send the %s email", template)

    transaction.on_commit(send)


def _reporter_email(article):
    return article.created_by.email if article.created_by_id and article.created_by.is_active else ""


def notify_editors_of_submission(sender, article, user, **kwargs):
    _send("submitted", [u.email for u in editors(article.publication_id) if u != user],
          article=article, user=user)


def notify_reporter_of_return(sender, article, user, note, **kwargs):
    _send("returned", [_reporter_email(article)], article=article, user=user, note=note)


def notify_reporter_of_publication(sender, article, **kwargs):
    _send("published", [_reporter_email(article)], article=article)


def purge_public_caches(sender, article, **kwargs):
    """A story went live without a save (its time came): refresh every page that shows it.

    Saves are covered by ``articles.caching.invalidation``; this is the one change no save marks.
    """
    invalidation.bump_on_commit(invalidation.story_keys(article))


def connect():
    """Connect the receivers above, each once however often this runs (``dispatch_uid``)."""
    signals.article_submitted.connect(notify_editors_of_submission,
                                      dispatch_uid="notify-editors-of-submission")
    signals.article_returned.connect(notify_reporter_of_return,
                                     dispatch_uid="notify-reporter-of-return")
    signals.article_went_live.connect(notify_reporter_of_publication,
                                      dispatch_uid="notify-reporter-of-publication")
    signals.article_went_live.connect(purge_public_caches, dispatch_uid="purge-went-live")
