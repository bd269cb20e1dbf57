"""The benchmark's own tools: the seeder, the page list, the floor and the query header."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from articles.models import Article, Byline

pytestmark = pytest.mark.django_db


def test_seed_adds_stories_up_to_the_asked_number_and_no_more(publication):
    out = io.StringIO()
    call_command("seed_newsroom", "--articles", "120", "--batch-size", "50", "--no-progress",
                 stdout=out)
    assert Article.objects.filter(publication=publication).count() == 120
    assert Article.objects.published().count() > 100
    assert Byline.objects.count() >= 120
    assert Article.objects.published().first().tags.count() == 3
    call_command("seed_newsroom", "--articles", "120", "--no-progress", stdout=out)
    assert Article.objects.count() == 120


def test_bench_urls_lists_pages_that_open(client, publication):
    call_command("seed_newsroom", "--articles", "30", "--no-progress", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_urls", stdout=out, stderr=io.StringIO())
    paths = json.loads(out.getvalue())
    for name in ["home", "article", "section", "tag", "author"]:
        assert client.get(paths[name]).status_code == 200, name


@override_settings(NEWSROOM_BENCHMARK=True)
def test_query_count_header_counts_queries(rf):
    from django.contrib.auth.models import Group
    from django.http import HttpResponse

    from newsroom.benchmark import QueryCountMiddleware, floor

    def view(request):
        list(Group.objects.all())
        list(Group.objects.all())
        return HttpResponse("x")

    assert QueryCountMiddleware(view)(rf.get("/"))["X-Newsroom-Queries"] == "2"
    assert QueryCountMiddleware(floor)(rf.get("/"))["X-Newsroom-Queries"] == "0"
