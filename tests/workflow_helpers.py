"""Shared fixtures and builders for the workflow tests: people in each role, and stories
that are ready to publish."""

import pytest
from django.contrib.auth.models import Group

from articles.editorial.roles import EDITOR, REPORTER
from articles.models import Membership, Publication

from .factories import ArticleFactory, BylineFactory, SectionFactory, UserFactory


def user_in(role, username, *, desks=None, **kwargs):
    """A staff user in ``role`` (REPORTER, EDITOR or None) on the desks of ``desks``: by
    default every masthead there is now, as the migration to desks gave existing users."""
    user = UserFactory(username=username, **kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
        desk_role = {REPORTER: "reporter", EDITOR: "editor"}[role]
        for publication in Publication.objects.all() if desks is None else desks:
            Membership.objects.create(user=user, publication=publication, role=desk_role)
    return user


@pytest.fixture
def reporter(db):
    return user_in(REPORTER, "dana", email="dana@herald.example")


@pytest.fixture
def other_reporter(db):
    return user_in(REPORTER, "sam", email="sam@herald.example")


@pytest.fixture
def editor(db):
    return user_in(EDITOR, "ruth", email="ruth@herald.example")


@pytest.fixture
def admin_user(db):
    return user_in(None, "chief", is_superuser=True, email="chief@herald.example")


@pytest.fixture
def staff_without_role(db):
    return user_in(None, "temp", email="")


def ready_article(publication, created_by=None, **kwargs):
    """A story with everything publishing needs: headline, body, section, byline, summary."""
    section = kwargs.pop("section", None) or SectionFactory(publication=publication)
    article = ArticleFactory(publication=publication, section=section, created_by=created_by,
                             **kwargs)
    BylineFactory(article=article)
    return article
