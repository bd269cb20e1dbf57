"""Model instances made from rows without ``Model.__init__`` (``newsroom.loading``) are the
instances Django's own path makes: the same values under the same names, the same state,
the same signals, deferred fields loaded when read."""

import pytest
from django.db import models
from django.db.models import signals
from django.db.models.base import Model

from articles.models import Article, Byline, Image
from newsroom.loading import LoadedPlainly, stores_plainly
from people.models import Person

from .factories import ArticleFactory, BylineFactory, ImageFactory

pytestmark = pytest.mark.django_db


def made_by_django(queryset):
    """The same rows, each instance made by ``Model.from_db`` (a model's own ``from_db``
    still first)."""
    plain = LoadedPlainly.__dict__["from_db"]
    try:
        LoadedPlainly.from_db = classmethod(Model.from_db.__func__)
        return list(queryset)
    finally:
        LoadedPlainly.from_db = plain


def state(instance):
    values = {k: v for k, v in vars(instance).items() if k not in {"_state", "_loaded_placement"}}
    return values, instance._state.adding, instance._state.db


@pytest.fixture
def story(publication):
    article = ArticleFactory(publication=publication, published=True,
                             lead_image=ImageFactory(), kicker="Harbor")
    BylineFactory(article=article, person__full_name="Dana Reyes")
    return article


@pytest.mark.parametrize("query", [
    lambda: Article.objects.filter(publication__isnull=False),
    lambda: Article.objects.defer("body", "dek").select_related("lead_image", "section"),
    lambda: Article.objects.only("headline"),
])
def test_a_story_is_made_with_the_values_and_state_djangos_path_gives(story, query):
    ours = list(query())
    theirs = made_by_django(query())
    assert [state(a) for a in ours] == [state(a) for a in theirs]
    # Those loaded with them (select_related) as well.
    assert [sorted(a._state.fields_cache) for a in ours] == \
        [sorted(a._state.fields_cache) for a in theirs]
    assert [[state(related) for related in a._state.fields_cache.values()] for a in ours] == \
        [[state(related) for related in a._state.fields_cache.values()] for a in theirs]
    assert ours[0]._state.adding is False and ours[0]._state.db == "default"
    assert ours[0]._loaded_placement == theirs[0]._loaded_placement  # Article's own from_db
    assert ours[0].lead_image.file.name == story.lead_image.file.name


def test_a_deferred_field_is_loaded_when_read(story):
    loaded = Article.objects.only("headline").get(pk=story.pk)
    assert "body" not in vars(loaded)
    assert loaded.body == story.body


def test_related_objects_are_made_plainly_too(story):
    byline = Byline.objects.select_related("person", "article").get(article=story)
    assert type(byline.person) is Person and byline.person.full_name == "Dana Reyes"
    assert byline.article.pk == story.pk
    assert byline.person._state.adding is False


def test_a_picture_is_a_file_with_its_size_and_saves_as_loaded(story):
    picture = Image.objects.get(pk=story.lead_image_id)
    assert picture.file.name and picture.file.instance is picture
    assert (picture.width, picture.height) == (story.lead_image.width, story.lead_image.height)
    picture.alt_text = "The ferry at the pier."
    picture.save()
    assert Image.objects.get(pk=picture.pk).alt_text == "The ferry at the pier."


def test_a_loaded_story_saves_as_an_update(story):
    loaded = Article.objects.get(pk=story.pk)
    loaded.headline = "Ferry fares hold for the winter"
    loaded.save()
    assert Article.objects.count() == 1
    assert Article.objects.get(pk=story.pk).headline == "Ferry fares hold for the winter"


def test_post_init_receivers_see_each_instance(story):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append((sender, instance.pk, instance._state.adding))

    signals.post_init.connect(receiver, sender=Article)
    try:
        list(Article.objects.all())
    finally:
        signals.post_init.disconnect(receiver, sender=Article)
    assert seen == [(Article, story.pk, False)]


def test_with_a_pre_init_receiver_django_makes_the_instance_and_it_is_told(story):
    told = []

    def receiver(sender, args, kwargs, **extra):
        told.append(len(args))

    signals.pre_init.connect(receiver, sender=Article)
    try:
        loaded = Article.objects.get(pk=story.pk)
    finally:
        signals.pre_init.disconnect(receiver, sender=Article)
    assert told == [len(Article._meta.concrete_fields)]
    assert loaded.headline == story.headline and loaded._state.adding is False


class Shouting:
    """A descriptor that changes what is assigned to it."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        return self if instance is None else instance.__dict__[self.field.attname]

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value.upper()


class ShoutingField(models.CharField):
    descriptor_class = Shouting


class Plain(LoadedPlainly):
    name = models.CharField(max_length=10)
    picture = models.ImageField()
    owner = models.ForeignKey(Person, on_delete=models.CASCADE)

    class Meta:
        abstract = True


class Loud(LoadedPlainly):
    name = ShoutingField(max_length=10)

    class Meta:
        abstract = True


def test_only_a_model_whose_fields_store_values_as_they_are_is_made_plainly():
    assert stores_plainly(Plain)
    assert not stores_plainly(Loud)  # its instances are made by Django's path
    assert all(stores_plainly(model) for model in (Article, Image, Person, Byline))
