"""Side-by-side, word-level differences between two revisions, as safe HTML."""

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.editorial.revisions import FIELDS, display_value

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|figure|tr)>", re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]+>")
_TOKEN = re.compile(r"\s+|[^\s]+")


def body_text(value):
    """Story HTML as the paragraphs a reader sees, for comparing wording."""
    text = _BREAK.sub("\n", _BLOCK_END.sub("\n\n", value or ""))
    text = html.unescape(_TAG.sub("", text))
    return "\n\n".join(p.strip() for p in text.split("\n\n") if p.strip())


def _render(tokens, tag=None):
    text = escape("".join(tokens))
    return f"<{tag}>{text}</{tag}>" if tag and text.strip() else text


def side_by_side(old, new):
    """(left, right) HTML: words removed marked <del> on the left, added <ins> on the right."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    left, right = [], []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(_render(a[i1:i2]))
            right.append(_render(b[j1:j2]))
        else:
            left.append(_render(a[i1:i2], "del"))
            right.append(_render(b[j1:j2], "ins"))
    return mark_safe("".join(left)), mark_safe("".join(right))


@dataclass
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    left: str
    right: str

    @property
    def changed(self):
        return self.old != self.new


def compare(old_data, new_data, *, only_changed=True):
    """Field-by-field differences between two snapshots (see ``articles.editorial.revisions``)."""
    diffs = []
    for name, label in FIELDS:
        old = (old_data or {}).get(name)
        new = (new_data or {}).get(name)
        if name == "body":
            old_text, new_text = body_text(old), body_text(new)
        else:
            old_text, new_text = display_value(name, old), display_value(name, new)
        if only_changed and old == new:
            continue
        left, right = side_by_side(old_text, new_text)
        diffs.append(FieldDiff(name, label, old_text, new_text, left, right))
    return diffs
