"""Templates' ``{% url %}`` (``newsroom.url_tag``, a builtin of TEMPLATES): Django's answer
for every form of the tag, with each address reversed once per process."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix

from newsroom import addresses


def render(source, **context):
    return Template(source).render(Context(context))


@pytest.fixture
def reversing(monkeypatch):
    """The calls that reach Django's reverse, counted; nothing remembered from before."""
    calls = []
    real = addresses.reverse

    def counting(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(addresses, "reverse", counting)
    addresses._reversed.cache_clear()
    yield calls
    addresses._reversed.cache_clear()


def test_the_tag_is_djangos_answer_for_arguments_keywords_and_as(reversing):
    assert render("{% url 'articles:tag' slug %}", slug="city-hall") == reverse(
        "articles:tag", args=["city-hall"])
    assert render("{% url 'articles:tag' slug=slug %}", slug="city-hall") == reverse(
        "articles:tag", kwargs={"slug": "city-hall"})
    assert render("{% url 'articles:home' as home %}[{{ home }}]") == f"[{reverse('articles:home')}]"
    assert render("{% url 'articles:other-news' 12 %}") == reverse("articles:other-news", args=[12])


def test_each_address_is_reversed_once_per_process(reversing):
    template = Template("{% url 'articles:tag' slug %}")
    pages = [template.render(Context({"slug": slug})) for slug in ["a", "b", "a", "b", "a"]]
    assert pages == [reverse("articles:tag", args=[s]) for s in ["a", "b", "a", "b", "a"]]
    assert len(reversing) == 2


def test_values_that_are_not_plain_are_reversed_each_time(reversing):
    """A model or a lazy value stands for its text: it is reversed as Django does, never
    remembered under an object that may change."""

    class Slug:
        def __str__(self):
            return "harbor"

    template = Template("{% url 'articles:tag' slug %}")
    assert template.render(Context({"slug": Slug()})) == reverse("articles:tag", args=["harbor"])
    template.render(Context({"slug": Slug()}))
    assert len(reversing) == 2


def test_addresses_follow_the_script_prefix(reversing):
    plain = render("{% url 'articles:home' %}")
    set_script_prefix("/news/")
    try:
        assert render("{% url 'articles:home' %}") == "/news" + plain
    finally:
        set_script_prefix("/")
    assert render("{% url 'articles:home' %}") == plain


def test_an_address_that_does_not_exist_fails_as_djangos_tag_does(reversing):
    with pytest.raises(NoReverseMatch):
        render("{% url 'articles:no-such-page' %}")
    assert render("{% url 'articles:no-such-page' as missing %}[{{ missing }}]") == "[]"


def test_the_admins_current_app_chooses_its_namespace(reversing):
    """The admin asks for addresses in its own instance's namespace (request.current_app),
    as Django's tag does; the answer is remembered per app."""
    request = RequestFactory().get("/")
    request.current_app = "admin"
    context = Context({"request": request})
    context.request = request
    assert Template("{% url 'admin:index' %}").render(context) == reverse(
        "admin:index", current_app="admin")

