"""Choosing a picture from the library in the story form: the lead picture's widget (a
hidden id, its thumbnail, and a button opening the library's grid in a dialog), and the
Media that the body editor's "Insert a picture from the library" uses too.

The dialog (``static/articles/admin/media_picker.js``) lists pictures from the library's
JSON endpoint (``articles/admin/media_library.py``), searched as the grid is searched.
"""

from django import forms
from django.urls import reverse

from articles.admin.media_library import library_entry
from articles.models import Image

PICKER_MEDIA = forms.Media(
    css={"all": ["articles/admin/media_library.css"]},
    js=["articles/admin/media_picker.js"],
)


class LeadPictureWidget(forms.Widget):
    template_name = "admin/articles/image/lead_picture_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        picture = None
        if value not in (None, "") and str(value).isdigit():
            image = Image.objects.filter(pk=value).first()
            picture = library_entry(image) if image else None
        context["widget"]["picture"] = picture
        context["widget"]["library_url"] = reverse("admin:articles_image_library_pictures")
        return context

    @property
    def media(self):
        return PICKER_MEDIA


class LeadPictureField(forms.ModelChoiceField):
    widget = LeadPictureWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Image.objects.all())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Lead picture")
        kwargs.setdefault("help_text", "Shown at the top of the story, on cards and when "
                                       "the story is shared.")
        super().__init__(**kwargs)
