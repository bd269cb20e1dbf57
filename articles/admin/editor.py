"""The rich-text editor for story bodies: django-prose-editor (ProseMirror/Tiptap).

Its JavaScript and CSS ship inside the Python package and are served from our own
static files; nothing loads from another host. The editor offers only what
``articles.sanitize`` keeps — headings, bold/italic, links, lists, block quotes (with a
"pull quote" style) and figures with captions — and cleans what is pasted into it (a word
processor's styles and spans never reach the form). Pictures go in from the library
("Insert a picture from the library" under the editor, ``media_picker.js``): a figure whose
<img> refers to the picture by id, with its caption and credit; the editor's Image and
Credit extensions (``library_image.js``) keep both. The server still cleans every
save with ``sanitize_html``, so a raw POST gets no further than the editor would.
"""

from django.urls import reverse
from django_prose_editor.config import html_tags, process_image
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.admin.picture_picker import PICKER_MEDIA

BODY_EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Subscript": True,
        "Superscript": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "NodeClass": {"cssClasses": {"blockquote": ["pull-quote"]}},
        "HorizontalRule": True,
        "HardBreak": True,
        "Link": {"protocols": ["http", "https", "mailto", "tel"]},
        "Figure": True,
        "Image": True,
        "Caption": True,
        "Credit": True,
        "History": True,
        "HTML": True,
        "Typographic": True,
    }
}


def library_image_allowlist(config, shared_config):
    """What our Image extension writes, for django-prose-editor's own sanitizer (ours is
    ``articles.sanitize``, which keeps the same)."""
    process_image(config, shared_config)
    shared_config["attributes"].setdefault("img", set()).add("data-image-id")


def credit_allowlist(config, shared_config):
    html_tags(["small"])(config, shared_config)
    shared_config.setdefault("allowed_classes", {}).setdefault("small", set()).add("credit")


class BodyEditorWidget(AdminProseEditorWidget):
    template_name = "admin/articles/body_editor_widget.html"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, config=BODY_EDITOR_CONFIG, preset="configurable")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["library_url"] = reverse("admin:articles_image_library_pictures")
        return context

    @property
    def media(self):
        return super().media + PICKER_MEDIA
