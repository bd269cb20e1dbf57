"""Previews: staff see any story they may read; share links are signed, expire, can be
revoked, and are never indexed or cached by anyone else."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, PreviewLink
from articles.reading.preview import (
    SALT,
    create_preview_link,
    link_for_token,
    preview_token,
    preview_url,
)

from .workflow_helpers import ready_article

pytestmark = pytest.mark.django_db


def assert_private(response):
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert 'rel="canonical"' not in response.text


def test_a_share_link_shows_a_draft_without_a_login(client, publication, reporter):
    article = ready_article(publication, created_by=reporter, headline="Lighthouse keeper retires")
    link = create_preview_link(article=article, user=reporter)
    response = client.get(preview_url(link))
    assert response.status_code == 200
    assert "Lighthouse keeper retires" in response.text
    assert "Preview" in response.text
    assert_private(response)
    # The same context as the public page: bylines and the body render.
    assert article.bylines.first().person.full_name in response.text
    assert "harbor council heard the proposal" in response.text


def test_links_expire_after_the_configured_hours(client, publication, settings):
    settings.NEWSROOM_PREVIEW_HOURS = 48
    article = ready_article(publication)
    link = create_preview_link(article=article, user=None)
    assert timedelta(hours=47) < link.expires_at - timezone.now() <= timedelta(hours=48)
    url = preview_url(link)
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(1))
    assert client.get(url).status_code == 404
    # A link whose row still looks valid but whose signature is older than the limit.
    link2 = create_preview_link(article=article, user=None)
    url2 = preview_url(link2)
    settings.NEWSROOM_PREVIEW_HOURS = 0
    assert client.get(url2).status_code == 404


def test_revoked_tampered_and_forged_links_are_404(client, publication):
    article = ready_article(publication)
    other = ready_article(publication)
    link = create_preview_link(article=article, user=None)
    token = preview_token(link)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    forged_other = signing.dumps({"link": link.pk, "article": other.pk}, salt="wrong-salt")
    swapped = signing.dumps({"link": link.pk, "article": other.pk}, salt=SALT)
    for bad in [tampered, forged_other, swapped, "nonsense", token + "x"]:
        assert client.get(reverse("articles:preview", args=[bad])).status_code == 404, bad
    assert client.get(preview_url(link)).status_code == 200
    link.revoked_at = timezone.now()
    link.save()
    assert client.get(preview_url(link)).status_code == 404


def test_staff_preview_in_the_admin(client, publication, reporter, other_reporter):
    article = ready_article(publication, created_by=reporter, headline="Tugboat parade")
    client.force_login(reporter)
    response = client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    assert response.status_code == 200
    assert "Tugboat parade" in response.text
    assert_private(response)
    client.force_login(other_reporter)
    response = client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    assert response.status_code in (302, 403, 404)
    assert "Tugboat parade" not in response.text
    client.logout()
    response = client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    assert response.status_code == 302


def test_the_share_page_creates_and_revokes_links(client, publication, reporter):
    article = ready_article(publication, created_by=reporter)
    client.force_login(reporter)
    url = reverse("admin:articles_article_share", args=[article.pk])
    assert client.post(url).status_code == 302
    link = PreviewLink.objects.get(article=article)
    page = client.get(url)
    # The token carries the second it was signed: read the page's, not one signed anew.
    shown = re.search(r"/preview/([^/\"<\s]+)/", page.text).group(1)
    assert link_for_token(shown) == link
    assert client.post(url, {"revoke": link.pk}).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(preview_url(link)).status_code == 404


def test_a_preview_of_a_published_story_is_still_marked_private(client, publication):
    article = ready_article(publication, published=True)
    link = create_preview_link(article=article, user=None)
    assert_private(client.get(preview_url(link)))
    assert Article.objects.published().count() == 1


def embargoed_story(publication, created_by):
    return ready_article(publication, created_by=created_by, published=True,
                         headline="Port merger terms",
                         embargo_until=timezone.now() + timedelta(hours=6))


def scheduled_story(publication, created_by):
    return ready_article(publication, created_by=created_by, published=True,
                         headline="Port merger terms",
                         publish_at=timezone.now() + timedelta(hours=6))


@pytest.mark.parametrize("make_story", [embargoed_story, scheduled_story])
def test_a_reporter_cannot_share_another_desks_story_before_it_is_public(
        client, publication, reporter, editor, make_story):
    article = make_story(publication, created_by=editor)
    editors_link = create_preview_link(article=article, user=editor)
    client.force_login(reporter)
    url = reverse("admin:articles_article_share", args=[article.pk])
    assert client.post(url).status_code == 403
    assert client.post(url, {"revoke": editors_link.pk}).status_code == 403
    page = client.get(url)
    assert page.status_code == 403
    assert "/preview/" not in page.text
    assert list(article.preview_links.all()) == [editors_link]
    editors_link.refresh_from_db()
    assert editors_link.revoked_at is None


def test_an_editor_may_share_an_embargoed_story_and_the_page_says_it_is_embargoed(
        client, publication, reporter, editor):
    article = embargoed_story(publication, created_by=reporter)
    client.force_login(editor)
    url = reverse("admin:articles_article_share", args=[article.pk])
    assert client.post(url).status_code == 302
    link = PreviewLink.objects.get(article=article)
    client.logout()
    response = client.get(preview_url(link))
    assert response.status_code == 200
    assert "Embargoed until" in response.text
    assert_private(response)


def test_a_preview_of_a_story_whose_embargo_lifted_does_not_claim_an_embargo(client, publication):
    article = ready_article(publication, published=True,
                            embargo_until=timezone.now() - timedelta(hours=1))
    link = create_preview_link(article=article, user=None)
    assert "Embargoed until" not in client.get(preview_url(link)).text


@pytest.mark.parametrize("when, shown", [
    (None, "Not published yet"),
    (timedelta(days=2), "To be published <time"),
])
def test_a_preview_says_when_the_story_goes_out_and_its_status_in_words(
        client, publication, when, shown):
    article = ready_article(publication, headline="Lighthouse keeper retires")
    if when:
        Article.objects.filter(pk=article.pk).update(
            status=Article.Status.PUBLISHED, publish_at=timezone.now() + when)
        article.refresh_from_db()
    html = client.get(preview_url(create_preview_link(article=article, user=None))).text
    assert shown in html
    assert "Published <time" not in html
    assert "Published</span>" not in html and "Published <" not in html
    assert f"not public. Status: {article.status_string}." in html
    assert "this story is draft" not in html
