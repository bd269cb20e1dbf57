"""What the API says about each thing: a story carries what its page carries.

Every address is absolute (the host asked), so a partner can use it as it is. The story's
text is its cleaned HTML, with library pictures as plain <img> of a fixed rendition at a
full address, as feeds give them.
"""

from django.urls import reverse
from rest_framework import serializers

from articles import body_images
from articles.distribution.metadata import canonical_url, modified_time
from articles.models import Article, Byline, Correction
from newsroom import renditions


def absolute(request, path):
    return request.build_absolute_uri(path) if path else None


class TrimmedSerializer(serializers.Serializer):
    """``?fields=id,headline`` keeps only those fields (``articles.api.views`` checks the
    names against ``field_names`` first)."""

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        # ``fields=`` may leave any field out, so the schema must not promise one.
        for field in self.fields.values():
            field.required = False
        if fields:
            for name in set(self.fields) - set(fields):
                self.fields.pop(name)


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class FocalPointSerializer(serializers.Serializer):
    x = serializers.FloatField(help_text="0 is the left edge, 1 the right.")
    y = serializers.FloatField(help_text="0 is the top edge, 1 the bottom.")


class ImageRenditionsSerializer(serializers.Serializer):
    full = RenditionSerializer(many=True, help_text="The whole picture, WebP, each width.")
    full_fallback = RenditionSerializer(
        many=True, help_text="The whole picture in its own format (JPEG or PNG).")
    crop = RenditionSerializer(many=True, help_text="A 3:2 crop around the focal point, WebP.")
    crop_fallback = RenditionSerializer(many=True, help_text="The crop in JPEG or PNG.")


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    alt = serializers.CharField(source="alt_text")
    caption = serializers.CharField()
    credit = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    focal_point = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField()

    def get_focal_point(self, image) -> FocalPointSerializer:
        return {"x": image.focal_x, "y": image.focal_y}

    def get_renditions(self, image) -> ImageRenditionsSerializer:
        request = self.context["request"]

        def listed(kind, ext=None):
            return [{"url": absolute(request, r.url), "width": r.width, "height": r.height}
                    for r in renditions.renditions(image, kind, ext)]

        return {"full": listed("full", "webp"), "full_fallback": listed("full"),
                "crop": listed("crop", "webp"), "crop_fallback": listed("crop")}


class PortraitRenditionsSerializer(serializers.Serializer):
    square = RenditionSerializer(
        many=True, help_text="Square crops, WebP, each width (64, 128, 160 and 320 pixels, "
        "up to the photo's own size).")
    square_fallback = RenditionSerializer(
        many=True, help_text="The same squares in the photo's own format (JPEG or PNG).")


class PortraitSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The photo as uploaded, at most 800 pixels.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    renditions = PortraitRenditionsSerializer()


def portrait(person, request):
    """A person's portrait: the photo and its square renditions (``newsroom.portraits``),
    sizes from the database alone; None without a photo."""
    if not person.photo:
        return None
    squares = person.portrait_renditions()

    def listed(ext):
        return [{"url": absolute(request, r.url), "width": r.width, "height": r.height}
                for r in squares.get(ext, [])]

    fallback = next((ext for ext in squares if ext != "webp"), "webp")
    return {"url": absolute(request, person.photo.url), "width": person.photo_width or 0,
            "height": person.photo_height or 0,
            "renditions": {"square": listed("webp"), "square_fallback": listed(fallback)}}


class PersonSerializer(TrimmedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    slug = serializers.CharField()
    title = serializers.CharField(source="job_title", help_text="e.g. Senior Reporter")
    bio_line = serializers.CharField(source="short_bio")
    url = serializers.SerializerMethodField(help_text="The author page.")
    portrait = serializers.SerializerMethodField(
        help_text="The portrait with its square renditions; null without one.")

    def get_url(self, person) -> str:
        return absolute(self.context["request"], person.get_absolute_url())

    def get_portrait(self, person) -> PortraitSerializer(allow_null=True):
        return portrait(person, self.context["request"])


class BylineSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Byline.Role.choices)
    credit = serializers.SerializerMethodField(help_text="How the page credits it, e.g. By.")
    person = PersonSerializer(help_text="With the bio line this masthead prints for them.")

    def get_credit(self, byline) -> str:
        return Byline.Role(byline.role).credit_label

    def to_representation(self, byline):
        data = super().to_representation(byline)
        # A person may have a bio line of their own on this masthead (``MastheadBio``).
        if getattr(byline, "masthead_bio", None):
            data["person"]["bio_line"] = byline.masthead_bio
        return data


class SectionSerializer(TrimmedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, section) -> str:
        return absolute(self.context["request"], section.get_absolute_url())


class TagSerializer(TrimmedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, tag) -> str:
        return absolute(self.context["request"], reverse("articles:tag", args=[tag.slug]))


class CorrectionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Correction.Kind.choices)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class StoryLinkSerializer(serializers.Serializer):
    """Another story, as In Other News lists it (or a link elsewhere: ``id`` null)."""

    id = serializers.IntegerField(allow_null=True)
    headline = serializers.CharField()
    url = serializers.URLField()


class StorySerializer(TrimmedSerializer):
    """A story in a list: everything but its text and In Other News."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="The story's page on this masthead.")
    canonical_url = serializers.SerializerMethodField(
        help_text="Where search engines are sent: the page; its page on its home masthead "
        "when a sister masthead runs it; or its original address if it was first "
        "published elsewhere.")
    path = serializers.SerializerMethodField(help_text="The page's path, for stories/by-path/.")
    kicker = serializers.CharField()
    headline = serializers.CharField()
    list_headline = serializers.CharField(
        help_text="The headline this masthead's lists give the story (its own, if set).")
    dek = serializers.CharField()
    dateline = serializers.CharField()
    summary = serializers.CharField()
    bylines = BylineSerializer(many=True, source="bylines.all")
    lead_image = ImageSerializer(allow_null=True)
    section = SectionSerializer(allow_null=True)
    tags = TagSerializer(many=True, source="tags.all")
    published_at = serializers.DateTimeField(source="publish_at")
    updated_at = serializers.DateTimeField(
        allow_null=True, help_text="The “Updated” time readers see; null if never updated.")
    modified_at = serializers.SerializerMethodField(
        help_text="When the story last changed for readers: an update or a correction, "
        "else its publication.")

    def get_url(self, article) -> str:
        return absolute(self.context["request"], article.get_absolute_url())

    def get_canonical_url(self, article) -> str:
        return canonical_url(article, self.context["request"])

    def get_path(self, article) -> str:
        return article.get_absolute_url()

    def get_modified_at(self, article) -> serializers.DateTimeField:
        return serializers.DateTimeField().to_representation(modified_time(article))


class StoryDetailSerializer(StorySerializer):
    """A story as its page shows it: with its text, corrections and In Other News."""

    body = serializers.SerializerMethodField(help_text="The story's cleaned HTML.")
    corrections = CorrectionSerializer(many=True, source="corrections.all")
    other_news = serializers.SerializerMethodField(
        help_text="In Other News: the editors' picks, then the best matches.")

    def get_body(self, article) -> str:
        return body_images.render(article.body,
                                  absolute=self.context["request"].build_absolute_uri)

    def get_other_news(self, article) -> StoryLinkSerializer(many=True):
        request = self.context["request"]
        return [
            {"id": item.target_id, "headline": item.display_title,
             "url": absolute(request, item.href) if item.target_id else item.href}
            if not isinstance(item, Article) else
            {"id": item.pk, "headline": item.headline,
             "url": absolute(request, item.get_absolute_url())}
            for item in self.context["other_news"]
        ]


class PublicCorrectionSerializer(TrimmedSerializer, CorrectionSerializer):
    """A correction on the corrections list, with the story it corrects."""

    id = serializers.IntegerField()
    story = serializers.SerializerMethodField()

    def get_story(self, correction) -> StoryLinkSerializer:
        article = correction.article
        return {"id": article.pk, "headline": article.headline,
                "url": absolute(self.context["request"], article.get_absolute_url())}

