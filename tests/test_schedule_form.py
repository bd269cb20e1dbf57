"""Times are typed in the newsroom's zone and stored in UTC; clock changes are handled."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from articles.admin.forms import ScheduleForm

from .workflow_helpers import ready_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def new_york(settings):
    settings.TIME_ZONE = "America/New_York"
    timezone.activate("America/New_York")
    yield
    timezone.deactivate()


def schedule_form(article, **data):
    return ScheduleForm(data, article=article)


def test_a_local_time_is_stored_in_utc(publication):
    form = schedule_form(ready_article(publication), publish_at="2030-07-04T09:00")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["publish_at"] == datetime(2030, 7, 4, 13, 0, tzinfo=UTC)


def test_a_time_in_the_spring_forward_gap_is_a_form_error(publication):
    form = schedule_form(ready_article(publication), publish_at="2030-03-10T02:30")
    assert not form.is_valid()
    assert "does not exist" in form.errors["publish_at"][0]


def test_a_repeated_fall_back_time_must_be_told_apart(publication):
    article = ready_article(publication)
    form = schedule_form(article, publish_at="2030-11-03T01:30")
    assert not form.is_valid()
    assert "happens twice" in form.errors["publish_at"][0]
    earlier = schedule_form(article, publish_at="2030-11-03T01:30", repeated_hour="0")
    later = schedule_form(article, publish_at="2030-11-03T01:30", repeated_hour="1")
    assert earlier.is_valid() and later.is_valid()
    assert earlier.cleaned_data["publish_at"] == datetime(2030, 11, 3, 5, 30, tzinfo=UTC)
    assert later.cleaned_data["publish_at"] == datetime(2030, 11, 3, 6, 30, tzinfo=UTC)


def test_past_times_and_garbage_are_form_errors(publication):
    article = ready_article(publication)
    assert "in the future" in schedule_form(
        article, publish_at="2001-01-01T10:00").errors["publish_at"][0]
    assert "Enter a date and time" in schedule_form(
        article, publish_at="next tuesday").errors["publish_at"][0]
    bad_embargo = schedule_form(article, publish_at="2030-07-04T09:00",
                                embargo_until="2030-03-10T02:15")
    assert "does not exist" in bad_embargo.errors["embargo_until"][0]


def test_the_schedule_page_shows_the_dst_error_and_keeps_the_typed_time(client, publication,
                                                                       editor):
    from django.urls import reverse

    article = ready_article(publication, status="in_review")
    client.force_login(editor)
    url = reverse("admin:articles_article_workflow", args=[article.pk, "schedule"])
    response = client.post(url, {"publish_at": "2030-03-10T02:30"})
    assert response.status_code == 200
    assert "does not exist" in response.text
    assert 'value="2030-03-10T02:30"' in response.text
    article.refresh_from_db()
    assert article.status == "in_review"
