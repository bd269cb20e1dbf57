"""The picture library in the admin: the Image list as a grid of thumbnails, with search
(caption, credit, alt text, tags), filters (publication, date, missing alt text), uploads
by drag and drop, and alt text, caption, credit and focal point edited in place.

The grid's JavaScript (``static/articles/admin/media_library.js``) talks to three JSON
endpoints on ``ImageAdmin``, each behind the admin's login, CSRF check and the model
permissions of the person asking (the same matrix as the Image form):

- ``library/pictures/?q=…&page=…`` — pictures for the story form's picker (view);
- ``library/upload/`` — one file per request, so each has its own progress and its own
  error (add);
- ``<id>/library/`` — some of alt text, caption, credit, focal point (change).

Uploads and edits go through the same model form fields as the Image form: the same
validation (``newsroom.images``: real image, size and pixel limits) and the same
re-encoding on save, and each is logged in the admin's history like a form save.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from articles.models import Image, Publication
from newsroom import renditions

PICKER_PAGE_SIZE = 24
EDITABLE_IN_PLACE = ["alt_text", "caption", "credit", "focal_x", "focal_y"]


def thumbnail_html(image, size=60):
    if not image or not image.file:
        return "—"
    return format_html(
        '<img src="{}" alt="" width="{}" height="{}" style="object-fit:cover">',
        image.file.url, size, round(size * 2 / 3),
    )


def library_entry(image, *, can_change=False):
    """What the grid and the pickers need to show and edit one picture."""
    full = renditions.renditions(image)
    return {
        "id": image.pk,
        "src": image.file.url,
        "thumbnail": full[0].url if full else image.file.url,
        "srcset": ", ".join(f"{r.url} {r.width}w" for r in full),
        "width": image.width,
        "height": image.height,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "focal_x": image.focal_x,
        "focal_y": image.focal_y,
        "tags": sorted(tag.name for tag in image.tags.all()),
        "missing_alt_text": not image.alt_text.strip(),
        "change_url": reverse("admin:articles_image_change", args=[image.pk]),
        "edit_url": reverse("admin:articles_image_library_edit", args=[image.pk])
        if can_change else "",
    }


class MissingAltTextFilter(admin.SimpleListFilter):
    title = "alt text"
    parameter_name = "alt"
    MISSING = "missing"

    def lookups(self, request, model_admin):
        return [(self.MISSING, "Missing alt text")]

    def queryset(self, request, queryset):
        if self.value() == self.MISSING:
            return queryset.missing_alt_text()
        return queryset


class UsedOnFilter(admin.SimpleListFilter):
    title = "publication (lead pictures)"
    parameter_name = "used_on"

    def lookups(self, request, model_admin):
        return [(str(p.pk), p.name) for p in Publication.objects.order_by("name")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.used_on(int(self.value()))
        return queryset


class LibraryChangeList(ChangeList):
    """The changelist with each picture made ready for the grid."""

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.can_upload = self.model_admin.has_add_permission(request)
        self.can_edit = self.model_admin.has_change_permission(request)

    @property
    def tiles(self):
        return [library_entry(image, can_change=self.can_edit) for image in self.result_list]


class ImageInPlaceForm(forms.ModelForm):
    """The fields the grid edits, with the Image form's own fields and validators."""

    class Meta:
        model = Image
        fields = EDITABLE_IN_PLACE


class ImageUploadForm(forms.ModelForm):
    """One dropped file; the words come afterwards, in place."""

    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption", "credit"]


def _errors(form):
    return {field: [str(message) for message in messages]
            for field, messages in form.errors.items()}


class MediaLibraryAdminMixin:
    """The grid, its filters and its JSON endpoints, for ImageAdmin."""

    def get_changelist(self, request, **kwargs):
        return LibraryChangeList

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("library/pictures/", view(self.library_pictures),
                 name="articles_image_library_pictures"),
            path("library/upload/", view(self.library_upload),
                 name="articles_image_library_upload"),
            path("<int:pk>/library/", view(self.library_edit),
                 name="articles_image_library_edit"),
            *super().get_urls(),
        ]

    @staticmethod
    def _refused(message):
        return JsonResponse({"error": message}, status=403)

    def library_pictures(self, request):
        """A page of pictures for the story form's picker, searched as the grid is."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_or_change_permission(request):
            return self._refused("You may not see the picture library.")
        queryset = self.get_queryset(request).prefetch_related("tags")
        term = request.GET.get("q", "").strip()[:200]
        if term:
            queryset, _duplicates = self.get_search_results(request, queryset, term)
            queryset = queryset.distinct()
        if request.GET.get(MissingAltTextFilter.parameter_name) == MissingAltTextFilter.MISSING:
            queryset = queryset.missing_alt_text()
        paginator = Paginator(queryset.order_by("-created_at", "-pk"), PICKER_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        can_change = self.has_change_permission(request)
        return JsonResponse({
            "results": [library_entry(image, can_change=can_change) for image in page],
            "page": page.number,
            "pages": paginator.num_pages,
            "count": paginator.count,
        })

    def library_upload(self, request):
        """One uploaded file: 201 with the new picture, or 400 with what was wrong."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            return self._refused("You may not add pictures to the library.")
        form = ImageUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return JsonResponse({"errors": _errors(form)}, status=400)
        image = form.save()
        self.log_addition(request, image, [{"added": {}}])
        return JsonResponse({"image": library_entry(
            image, can_change=self.has_change_permission(request, image))}, status=201)

    def library_edit(self, request, pk):
        """Some of the picture's words or its focal point, changed from the grid."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        image = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, image):
            return self._refused("You may not change this picture.")
        posted = [name for name in EDITABLE_IN_PLACE if name in request.POST]
        if not posted:
            return JsonResponse({"errors": {"__all__": ["Nothing to change."]}}, status=400)
        data = {name: getattr(image, name) for name in EDITABLE_IN_PLACE}
        data.update({name: request.POST[name] for name in posted})
        form = ImageInPlaceForm(data, instance=image)
        if not form.is_valid():
            return JsonResponse({"errors": _errors(form)}, status=400)
        image = form.save()
        self.log_change(request, image, self.construct_change_message(request, form, None))
        return JsonResponse({"image": library_entry(image, can_change=True)})


@admin.register(Image)
class ImageAdmin(MediaLibraryAdminMixin, admin.ModelAdmin):
    list_display = ["thumbnail", "alt_text", "credit", "dimensions", "created_at"]
    list_display_links = ["thumbnail", "alt_text"]
    list_filter = [MissingAltTextFilter, UsedOnFilter]
    search_fields = ["alt_text", "caption", "credit", "tags__name"]
    date_hierarchy = "created_at"
    list_per_page = 48
    readonly_fields = ["preview", "width", "height"]
    fieldsets = [
        (None, {"fields": ["file", "preview", "alt_text", "caption", "credit", "tags"]}),
        ("Cropping", {"fields": ["focal_x", "focal_y", "width", "height"],
                      "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Picture library", **(extra_context or {})})

    @admin.display(description="Image")
    def thumbnail(self, obj):
        return thumbnail_html(obj)

    @admin.display(description="Preview")
    def preview(self, obj):
        return thumbnail_html(obj, size=320) if obj.pk else "—"

    @admin.display(description="Size")
    def dimensions(self, obj):
        return f"{obj.width} × {obj.height}"
