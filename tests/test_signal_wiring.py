"""Side effects are wired where they can be seen: every signal receiver is connected by a
``connect()`` that ``ArticlesConfig.ready`` calls, each exactly once, and none as a side
effect of importing a module."""

import ast
import weakref
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from taggit.models import Tag

from articles.caching import invalidation
from articles.editorial import notifications, signals, workflow
from articles.models import Article, TaggedArticle
from people.models import Person, SocialLink

from .workflow_helpers import ready_article

ROOT = Path(settings.BASE_DIR)
OUR_APPS = ["articles", "people", "newsroom"]
WORKFLOW_SIGNALS = [getattr(signals, name) for name in dir(signals)
                    if isinstance(getattr(signals, name), type(signals.article_submitted))]
MODEL_SIGNALS = [post_save, post_delete, pre_delete, m2m_changed]
# The workflow sends with sender=Article; the model signals with each model.
SENDERS = [*apps.get_app_config("articles").get_models(), Person, SocialLink, Tag]


def _ours(receiver):
    return getattr(receiver, "__module__", "").split(".")[0] in OUR_APPS


def _receivers():
    """Every (signal, sender, receiver) of ours that a signal would call, duplicates kept."""
    found = []
    for signal in [*WORKFLOW_SIGNALS, *MODEL_SIGNALS]:
        for sender in SENDERS:
            sync, asynchronous = signal._live_receivers(sender)
            found += [(signal, sender, r) for r in [*sync, *asynchronous] if _ours(r)]
    return found


def _module_level_wiring(path):
    """Lines where a module connects a receiver as it is imported."""
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        decorators = getattr(node, "decorator_list", [])
        if any("receiver" in ast.unparse(d) for d in decorators):
            yield f"{path.relative_to(ROOT)}:{node.lineno} @receiver"
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and func.attr == "connect":
                yield f"{path.relative_to(ROOT)}:{node.lineno} .connect()"


def test_no_module_connects_a_receiver_when_it_is_imported():
    modules = [p for app in OUR_APPS for p in (ROOT / app).rglob("*.py")
               if "migrations" not in p.parts]
    assert modules
    assert [line for path in modules for line in _module_level_wiring(path)] == []


def test_each_receiver_of_ours_is_connected_under_a_dispatch_uid():
    # Django keys a connection by dispatch_uid if given, else by the receiver's id: a
    # reloaded module or a bound method would be connected a second time.
    for signal in [*WORKFLOW_SIGNALS, *MODEL_SIGNALS]:
        for (uid, _sender), receiver, _is_async in signal.receivers:
            receiver = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
            if receiver is not None and _ours(receiver):
                assert isinstance(uid, str), (signal, receiver)


def test_each_receiver_is_connected_exactly_once_even_after_a_second_ready():
    before = _receivers()
    apps.get_app_config("articles").ready()
    invalidation.connect()
    notifications.connect()
    after = _receivers()
    assert sorted(map(repr, after)) == sorted(map(repr, before))
    assert len(after) == len(set(after))
    wired = {(signal, receiver) for signal, _sender, receiver in after}
    for signal, receiver in [
        (signals.article_submitted, notifications.notify_editors_of_submission),
        (signals.article_returned, notifications.notify_reporter_of_return),
        (signals.article_went_live, notifications.notify_reporter_of_publication),
        (signals.article_went_live, notifications.purge_public_caches),
        (post_save, invalidation.article_saved),
        (m2m_changed, invalidation.tags_changed),
    ]:
        assert (signal, receiver) in wired
    assert (m2m_changed, TaggedArticle, invalidation.tags_changed) in set(after)


def test_a_submission_emails_each_editor_once_however_often_ready_ran(publication, reporter,
                                                                      editor, commit):
    apps.get_app_config("articles").ready()
    article = ready_article(publication, created_by=reporter)
    with commit():
        workflow.article_submit_for_review(article=article, user=reporter)
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
