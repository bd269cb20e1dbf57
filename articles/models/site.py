"""Where stories appear: the publications of the network and their sections."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from newsroom.addresses import address
from newsroom.images import ValidatedImageField
from newsroom.loading import LoadedPlainly


class Publication(LoadedPlainly):
    """A masthead. A network has several; a single-publication install has one."""

    name = models.CharField(max_length=120, help_text="e.g. The Harbor Herald")
    slug = models.SlugField(max_length=60, unique=True)
    domain = models.CharField(
        max_length=253, blank=True,
        help_text="The host readers use, without scheme or port, e.g. harborherald.com. "
        "Requests for an unknown host get the default publication.",
    )
    tagline = models.CharField(max_length=200, blank=True)
    logo = ValidatedImageField(upload_to="publications/", blank=True)
    language = models.CharField(
        max_length=10, default="en", help_text="Language code for feeds and pages, e.g. en."
    )
    accent_color = models.CharField(
        "accent colour", max_length=7, default="#1d3557",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1d3557.")],
    )
    is_default = models.BooleanField(
        "default publication", default=False,
        help_text="Served for any host that matches no publication's domain.",
    )
    other_news_from_network = models.BooleanField(
        "In Other News from the whole network", default=False,
        help_text="Fill the automatic part of a story's In Other News from every masthead "
        "of the network, not only this one. A story this masthead does not run links to its "
        "page on its own masthead.",
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=~Q(domain=""), name="unique_publication_domain"
            ),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True),
                name="one_default_publication",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("articles:home")

    def url_for(self, path, *, request):
        """``path`` on this masthead, absolute, for a page served to ``request`` (on this
        masthead or a sister). The mastheads of a network are served alike, so the request's
        scheme and port carry over (``localhost:8000`` → ``valley.localhost:8000``); a
        masthead without a domain is the one served for any host, so the request's host is
        its address."""
        host = request.get_host()
        if self.domain:
            _, colon, port = host.rpartition(":")
            keep_port = colon and port.isdigit() and ":" not in self.domain
            host = f"{self.domain}:{port}" if keep_port else self.domain
        return f"{request.scheme}://{host}{path}"

    @classmethod
    def for_host(cls, host):
        """The publication serving ``host``: its own, else the default, else the first."""
        host = (host or "").split(":")[0].lower()
        return (
            cls.objects.annotate(
                host_match=models.Case(
                    models.When(domain__iexact=host, then=0), default=1,
                    output_field=models.IntegerField(),
                )
            )
            .order_by("host_match", "-is_default", "pk")
            .first()
        )


class Section(LoadedPlainly):
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(max_length=80, help_text="e.g. Politics")
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True, help_text="Shown at the top of the section page.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["publication", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "slug"], name="unique_section_slug")
        ]

    def __str__(self):
        return f"{self.name} ({self.publication})" if self.publication_id else self.name

    def get_absolute_url(self):
        return address("articles:section", slug=self.slug)
