"""The rich-text editor for story bodies: django-prose-editor (ProseMirror/Tiptap).

Its JavaScript and CSS ship inside the Python package and are served from our own
static files; nothing loads from another host. The editor offers only what
``articles.sanitize`` keeps — headings, bold/italic, links, lists, block quotes (with a
"pull quote" style) and inline images with captions — and cleans what is pasted into it
(a word processor's styles and spans never reach the form). The server still cleans every
save with ``sanitize_html``, so a raw POST gets no further than the editor would.
"""

from django_prose_editor.widgets import AdminProseEditorWidget

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
        "History": True,
        "HTML": True,
        "Typographic": True,
    }
}


class BodyEditorWidget(AdminProseEditorWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, config=BODY_EDITOR_CONFIG, preset="configurable")
