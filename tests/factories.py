"""factory_boy factories: the smallest valid objects, in a fictional newsroom."""

import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from articles.models import (
    Article,
    Byline,
    Correction,
    Image,
    Publication,
    RelatedItem,
    Run,
    Section,
)
from people.models import Person


def image_bytes(fmt="JPEG", size=(120, 80), color=(30, 90, 160)):
    out = io.BytesIO()
    PILImage.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@newsroom.example")
    password = factory.django.Password("correct horse battery")
    is_staff = True


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"The Lakeside Courier {n}")
    slug = factory.Sequence(lambda n: f"courier-{n}")
    domain = factory.Sequence(lambda n: f"courier{n}.example")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    publication = factory.SubFactory(PublicationFactory)
    name = factory.Sequence(lambda n: f"Metro {n}")
    slug = factory.Sequence(lambda n: f"metro-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Avery Lindqvist {n}")
    job_title = "Staff Reporter"
    short_bio = factory.LazyAttribute(
        lambda p: f"{p.full_name} is a staff reporter for The Lakeside Courier."
    )
    email = factory.Sequence(lambda n: f"reporter{n}@courier.example")


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    file = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="photo.jpg"))
    alt_text = "A ferry leaves the harbor at dawn."
    caption = "The morning ferry to Gull Island."
    credit = "Tomas Reed for The Lakeside Courier"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    publication = factory.SubFactory(PublicationFactory)
    section = factory.SubFactory(
        SectionFactory, publication=factory.SelfAttribute("..publication")
    )
    headline = factory.Sequence(lambda n: f"Council weighs new ferry schedule, part {n}")
    dek = "Commuters would gain two early sailings under the plan."
    dateline = "Port Alder"
    summary = "The harbor council will vote next week on adding early ferry sailings."
    body = "<p>The harbor council heard the proposal on Tuesday.</p><p>A vote is due next week.</p>"
    status = Article.Status.DRAFT

    class Params:
        published = factory.Trait(
            status=Article.Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2)),
        )
        scheduled = factory.Trait(
            status=Article.Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() + timedelta(hours=3)),
        )


class BylineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Byline

    article = factory.SubFactory(ArticleFactory)
    person = factory.SubFactory(PersonFactory)
    role = Byline.Role.AUTHOR


class RelatedItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedItem

    article = factory.SubFactory(ArticleFactory)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory, published=True)
    kind = Correction.Kind.CORRECTION
    text = "An earlier version of this story gave the wrong sailing time."


class RunFactory(factory.django.DjangoModelFactory):
    """A sister masthead running a story, in a section of its own (the address and publish
    time are filled in by Run.save)."""

    class Meta:
        model = Run

    article = factory.SubFactory(ArticleFactory, published=True)
    publication = factory.SubFactory(PublicationFactory)
    section = factory.SubFactory(
        SectionFactory, publication=factory.SelfAttribute("..publication")
    )
