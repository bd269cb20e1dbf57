"""The API's resources. Every story list and lookup starts from ``public_stories``:
``Article.objects.published().on(masthead)`` for the host asked, as the pages do: the
masthead's own public stories and those it runs from sister mastheads, each as it shows
them (its section and address there, its own headline in lists).

Each response names what it shows with the pages' surrogate keys (``articles.caching``),
so the page cache keeps it and the same exact invalidation refreshes it; its
Last-Modified is the latest change among those keys, and ETag and 304 come from the
middleware as for the pages.
"""

from datetime import UTC, datetime

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.urls import Resolver404, resolve
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from taggit.models import Tag

from articles.api import ninjs, parts
from articles.api.filters import StoryFilter
from articles.api.pagination import IdPagination, KeysetPagination
from articles.api.serializers import (
    PersonSerializer,
    PublicCorrectionSerializer,
    SectionSerializer,
    StoryDetailSerializer,
    StorySerializer,
    TagSerializer,
)
from articles.caching import generations, keys
from articles.caching.pages import add_keys
from articles.models import Article, Byline, Correction, MastheadBio, Section, TaggedArticle
from articles.reading.article_page import prefetch_story
from articles.reading.related import automatic_batch, curated_target_ids
from people.models import Person

FIELDS = "fields"


def publication_of(request):
    publication = request.publication
    if not publication:
        raise Http404("No publication is configured.")
    return publication


def public_stories(request):
    """The one start of every story the API shows: public, on this host's masthead."""
    return Article.objects.published().on(publication_of(request))


def public_story_ids(request):
    """The same, as a subquery of ids (for people, tags and corrections)."""
    return public_stories(request).values("pk")


def bylines_on(publication):
    """Bylines with each person's bio line as this masthead prints it, if it has its own
    (as the story's page does, ``articles.reading.article_page``)."""
    return Byline.objects.select_related("person").annotate(masthead_bio=Subquery(
        MastheadBio.objects.filter(person=OuterRef("person"), publication=publication)
        .values("short_bio")[:1]))


class PublicResource(viewsets.GenericViewSet):
    """What every resource shares: ``?fields=``, surrogate keys and Last-Modified."""

    renderer_classes = [JSONRenderer]
    filter_backends = []
    model = None  # what the resource lists, for the schema
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a host
            return self.model.objects.none()
        return self.public_queryset()

    def get_serializer(self, *args, **kwargs):
        return super().get_serializer(*args, fields=self.requested_fields(), **kwargs)

    def requested_fields(self):
        value = self.request.query_params.get(FIELDS)
        if value is None:
            return None
        wanted = [name.strip() for name in value.split(",") if name.strip()]
        known = list(self.get_serializer_class()().fields)
        unknown = [name for name in wanted if name not in known]
        if unknown or not wanted:
            raise ValidationError({FIELDS: f"Choose among: {', '.join(known)}."})
        return wanted

    def shown(self, request, *surrogate_keys):
        """Name what the response shows; its Last-Modified is the latest change of any."""
        # On Django's request, which the middleware sees (REST framework's wraps it).
        request = request._request
        add_keys(request, *surrogate_keys)
        found = generations.generations_as_of(tuple(request.surrogate_keys),
                                              generations.now()).values()
        # With the cache out of reach a generation is unknown: no Last-Modified then, rather
        # than one nobody can vouch for. A key never changed has a negative generation
        # (minus when it was first seen).
        if found and None not in found:
            latest = max(abs(g) for g in found)
            request.last_modified = datetime.fromtimestamp(latest / 1_000_000, tz=UTC)


FIELDS_PARAMETER = OpenApiParameter(
    FIELDS, str, description="Only these fields, comma-separated, e.g. id,name,url.")


class ListResource:
    @extend_schema(parameters=[FIELDS_PARAMETER])
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if self.paginator is None:
            shown = list(queryset)
            self.shown(request, *self.list_keys(shown))
            return Response(self.get_serializer(shown, many=True).data)
        page = self.paginate_queryset(queryset)
        self.shown(request, *self.list_keys(page))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DetailResource:
    @extend_schema(parameters=[FIELDS_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.shown(request, *self.detail_keys(instance))
        return Response(self.get_serializer(instance).data)


def story_keys(story):
    return {keys.article(story.pk), *(keys.person(b.person_id) for b in story.bylines.all()),
            *(keys.tag(t.pk) for t in story.tags.all())}


class StoryViewSet(ListResource, DetailResource, PublicResource):
    """Public stories of this masthead, newest first."""

    serializer_class = StorySerializer
    # A masthead's list order, read in order from the index of its runs (``newest_first``).
    pagination_class = KeysetPagination.on("run_publish_at",
                                           value_of=lambda story: story.shown_run.publish_at)
    filterset_class = StoryFilter

    filter_backends = [DjangoFilterBackend]

    model = Article
    renderer_classes = [JSONRenderer, ninjs.NinjsRenderer]

    def public_queryset(self):
        if self.action == "list":
            # Only what every record needs: the rest is read for the records that are not
            # in the cache (``articles.api.parts``), and the text not at all.
            return public_stories(self.request).for_cards()
        stories = public_stories(self.request).select_related("lead_image", "publication")
        return stories.prefetch_related(
            Prefetch("bylines", queryset=bylines_on(self.request.publication)), "tags",
            "corrections")  # a story's last change for readers may be its latest correction

    def get_serializer_class(self):
        return StoryDetailSerializer if self.action != "list" else StorySerializer

    def get_renderers(self):
        # A list is JSON only; a story is also ninjs.
        if self.action in ("retrieve", "by_path"):
            return super().get_renderers()
        return [JSONRenderer()]

    @extend_schema(
        summary="A story",
        responses={(200, "application/json"): StoryDetailSerializer,
                   (200, ninjs.MEDIA_TYPE): OpenApiResponse(
                       OpenApiTypes.OBJECT, description="The story as an IPTC ninjs 2.4 item.")},
        parameters=[FIELDS_PARAMETER],
    )
    def retrieve(self, request, *args, **kwargs):
        fields = self.requested_fields()
        data = parts.detail(request, int(self.kwargs["pk"]), request.accepted_renderer.format,
                            lambda: self.story_record(request, self.get_object()))
        return self.story_response(request, data, fields)

    @extend_schema(
        summary="A story by the path of its page",
        parameters=[OpenApiParameter("path", str, required=True,
                                     description="The page's path, e.g. /2025/03/14/ferry-vote/"),
                    FIELDS_PARAMETER],
        responses={(200, "application/json"): StoryDetailSerializer,
                   (200, ninjs.MEDIA_TYPE): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    @action(detail=False, url_path="by-path")
    def by_path(self, request):
        fields = self.requested_fields()
        path = request.query_params.get("path", "")
        try:
            match = resolve(path.split("?")[0])
        except Resolver404:
            raise Http404("No story has this path.") from None
        if match.view_name != "articles:detail":
            raise Http404("No story has this path.")
        # The story's address on this masthead (a sister masthead's story has its own).
        story = get_object_or_404(self.get_queryset(), run_slug=match.kwargs["slug"])
        data = parts.detail(request, story.pk, request.accepted_renderer.format,
                            lambda: self.story_record(request, story))
        return self.story_response(request, data, fields)

    @extend_schema(summary="Public stories, newest first",
                   parameters=[FIELDS_PARAMETER])
    def list(self, request, *args, **kwargs):
        fields = self.requested_fields()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        records = parts.listed(request, page,
                               lambda story: StorySerializer(story, context=context).data,
                               bylines_on(request.publication))
        pub = request.publication.pk
        # Each record named what it shows (``parts.story_keys``); the list is the masthead's.
        self.shown(request, keys.publication(pub), keys.layout(pub))
        return self.get_paginated_response([trimmed(r, fields) for r in records])

    def story_response(self, request, data, fields):
        # The record's keys went to the request with it (built or from the cache).
        self.shown(request)
        if request.accepted_renderer.format == ninjs.NinjsRenderer.format:
            return Response(data)
        return Response(trimmed(data, fields))

    def story_record(self, request, story):
        """A story's own record in the format asked, and the keys of what it shows."""
        masthead = request.publication
        story = prefetch_story(request, story)
        curated = list(story.related_items.all())
        batch = automatic_batch(story, 1, publication=masthead,
                                exclude_ids=curated_target_ids(curated),
                                tag_ids=[t.pk for t in story.tags.all()])
        shows = {keys.layout(masthead.pk), keys.layout(story.publication_id),
                 keys.publication(masthead.pk),
                 keys.NETWORK if masthead.other_news_from_network else None,
                 keys.section(story.section_id) if story.section_id else None,
                 *story_keys(story),
                 *(keys.article(r.target_id) for r in curated if r.target_id),
                 *(keys.article(a.pk) for a in batch.items),
                 *(keys.image(pk) for pk in ninjs.body_images.image_ids(story.body))}
        if request.accepted_renderer.format == ninjs.NinjsRenderer.format:
            return ninjs.item(story, request), shows
        serializer = StoryDetailSerializer(
            story, context={**self.get_serializer_context(),
                            "other_news": [*curated, *batch.items]})
        return serializer.data, shows


def trimmed(record, fields):
    """``?fields=``: only those of the record's fields (all without it)."""
    if not fields:
        return record
    return {name: value for name, value in record.items() if name in fields}


class SectionViewSet(ListResource, DetailResource, PublicResource):
    """This masthead's sections, in menu order."""

    serializer_class = SectionSerializer
    pagination_class = None

    model = Section

    def public_queryset(self):
        return Section.objects.filter(publication=publication_of(self.request))

    def list_keys(self, sections):
        return {keys.layout(self.request.publication.pk)}

    def detail_keys(self, section):
        return {keys.layout(self.request.publication.pk)}


class TagViewSet(ListResource, DetailResource, PublicResource):
    """Tags of this masthead's public stories, by id."""

    serializer_class = TagSerializer
    pagination_class = IdPagination

    model = Tag

    def public_queryset(self):
        on_public = TaggedArticle.objects.filter(
            tag=OuterRef("pk"), content_object__in=public_story_ids(self.request))
        return Tag.objects.filter(Exists(on_public))

    def list_keys(self, tags):
        return {keys.publication(self.request.publication.pk), keys.TAGS,
                *(keys.tag(t.pk) for t in tags)}

    def detail_keys(self, tag):
        return self.list_keys([tag])


class PersonViewSet(ListResource, DetailResource, PublicResource):
    """People with a byline on a public story of this masthead, by id."""

    serializer_class = PersonSerializer
    pagination_class = IdPagination

    model = Person

    def public_queryset(self):
        public_byline = Byline.objects.filter(
            person=OuterRef("pk"), article__in=public_story_ids(self.request))
        return Person.objects.filter(Exists(public_byline))

    def list_keys(self, people):
        return {keys.publication(self.request.publication.pk), keys.PEOPLE,
                *(keys.person(p.pk) for p in people)}

    def detail_keys(self, person):
        return self.list_keys([person])


class CorrectionViewSet(ListResource, PublicResource):
    """Corrections, updates and editor's notes on public stories, newest first."""

    serializer_class = PublicCorrectionSerializer
    pagination_class = KeysetPagination.on("created_at")

    model = Correction

    def public_queryset(self):
        return Correction.objects.filter(
            article__in=public_story_ids(self.request)).select_related("article")

    def list_keys(self, corrections):
        pub = self.request.publication.pk
        return {keys.corrections(pub), keys.publication(pub),
                *(keys.article(c.article_id) for c in corrections)}
