"""A page's skeleton: its template's output with slots in place of its stories, cached as a
part of pages (``articles.caching.fragments``).

Once every card and line of the front page is in the cache, rendering the page's template
around them (the masthead, the head's metadata, the sections' headings, a placeholder per
story) was most of what building it cost. That output depends on the masthead's layout and
on the page's *shape* — whether there is a lead, how many top stories and Latest lines,
which sections with how many stories, which page — not on which stories fill it. So it is
rendered once per shape with ``Slot``s where the stories go, and kept under the layout's
keys: after a publish that keeps the shape the skeleton is still current, and only the new
story's card is built.

A slot stands for "the story at this place of the page's context". ``{% card %}`` and
``{% latest_item %}`` write a placeholder naming the slot and the card's options; each
request resolves the slots against its own stories (``Slot.ref`` into the real context)
and the page's ``cards.Batch`` fills them as it fills any page. A template that reads
anything else of a slot — a story's headline outside its card, its id, its truth as
anything but "there is a story here" — raises ``SlotError``: story-dependent output can
never be frozen into a skeleton unnoticed.
"""

import json
import secrets

from django.template.response import TemplateResponse

from articles.caching import cards, fragments

# The slots each skeleton had when this process last read it, so that the skeleton and
# the parts it names are looked up in one round trip. A hint only, as ``fragments.key_hints``:
# the skeleton's own list is what is filled.
slot_hints = {}
HINTS_MAX = 1_000


class SlotError(Exception):
    """A template read a story where its skeleton only knows a slot. Not one of the errors
    Django's templates turn into an empty string: it stops the page."""


class Slot:
    """A place for a story in a skeleton; ``ref`` is its path in the page's context
    (``("top_stories", 3)``). Only the page's parts (``{% card %}``, ``{% latest_item %}``)
    may take it; anything else done with it raises."""

    __slots__ = ("ref",)

    def __init__(self, ref):
        object.__setattr__(self, "ref", tuple(ref))

    def _refuse(self, *_args, **_kwargs):
        raise SlotError(f"a skeleton's template read its story at {self.ref!r} "
                        "outside a {% card %} or {% latest_item %}")

    def __getattr__(self, name):
        self._refuse()

    def __bool__(self):
        return True  # "a story is here": part of the shape

    __getitem__ = __setattr__ = __str__ = __repr__ = __iter__ = __len__ = _refuse
    __eq__ = __hash__ = __lt__ = __format__ = _refuse


class Blocked(Slot):
    """Whatever of the view's context the skeleton does not name by shape (the stories'
    list itself, the view): reading it raises as reading a slot does."""

    __bool__ = Slot._refuse


class FrozenPage:
    """What a skeleton's template may read of its page of the list (the pagination's
    links): numbers that are part of the shape."""

    def __init__(self, page):
        self.number, self.count = page.number, len(page.object_list)
        self.next = page.next_page_number() if page.has_next() else None
        self.previous = page.previous_page_number() if page.has_previous() else None

    def shape(self):
        return ("page", self.number, self.count, self.next, self.previous)

    def __len__(self):
        return self.count

    def has_next(self):
        return self.next is not None

    def has_previous(self):
        return self.previous is not None

    def next_page_number(self):
        return self.next

    def previous_page_number(self):
        return self.previous

    def __getattr__(self, name):
        raise SlotError(f"a skeleton's template read page_obj.{name}, which is not in its shape")


def resolve(context, ref):
    value = context[ref[0]]
    for step in ref[1:]:
        value = value[step]
    return value


class Recorder:
    """Stands in for the page's ``cards.Batch`` while the skeleton renders: notes each
    slot's part, and renders other parts (the masthead and footer, the layout's, as the
    skeleton is) in place."""

    def __init__(self):
        self.token = secrets.token_hex(8)
        self.slots = []
        self.keys = set()

    def _note(self, slot, kind, shown):
        if not isinstance(slot, Slot) or isinstance(slot, Blocked):
            raise SlotError(f"a skeleton's {kind} was given {type(slot).__name__}, not a slot")
        self.slots.append([kind, list(slot.ref), shown])
        return f"<!--card:{self.token}:{len(self.slots) - 1}:html-->"

    def placeholder(self, slot, shown):
        return self._note(slot, "card", shown)

    def latest_placeholder(self, slot):
        return self._note(slot, "latest", None)

    def part_placeholder(self, _name, build, field):
        value, keys = build()
        self.keys.update(keys)
        return value[field]


class SkeletonResponse(TemplateResponse):
    """A TemplateResponse whose content comes from its skeleton when it has one (``use``)."""

    skeleton = None

    @property
    def rendered_content(self):
        if self.skeleton is None:
            return super().rendered_content
        return self.skeleton.render(self)


def use(response, name, slotted, keys):
    """Have ``response`` (a ``SkeletonResponse`` whose parts a ``cards.Batch`` collects)
    render from skeleton ``name``: ``slotted`` is its context with ``Slot``s (and
    ``Blocked``) for the stories, ``keys`` the skeleton's surrogate keys (its layout's)."""
    response.skeleton = Skeleton(name, slotted, keys)
    return response


class Skeleton:
    def __init__(self, name, slotted, keys):
        self.name, self.slotted, self.keys = name, slotted, set(keys)

    def build(self, response):
        request = response._request
        recorder, batch = Recorder(), request._card_batch
        request._card_batch = recorder
        try:
            context = response.resolve_context({**self.slotted, cards.BATCH: recorder})
            html = response.resolve_template(response.template_name).render(context, request)
        finally:
            request._card_batch = batch
        value = {"html": html, "token": recorder.token, "slots": json.dumps(recorder.slots)}
        return value, self.keys | recorder.keys

    def note(self, batch, stories, slots):
        """Each slot's part noted in the page's batch, for its story in this request."""
        batch.remap = [
            batch.placeholder_position(resolve(stories, ref), shown) if kind == "card"
            else batch.latest_position(resolve(stories, ref))
            for kind, ref, shown in slots]

    def render(self, response):
        request, stories = response._request, response.context_data
        batch = request._card_batch
        hinted = slot_hints.get(self.name)
        if hinted is not None:
            # The skeleton and its parts in one lookup.
            self.note(batch, stories, hinted)
            fragments.missing(request, [self.name, *(name for name, *_ in batch.parts)])
        value = fragments.cached(request, self.name, lambda: self.build(response))
        slots = json.loads(value["slots"])
        if slots != hinted:
            if len(slot_hints) >= HINTS_MAX:
                slot_hints.clear()
            slot_hints[self.name] = slots
            batch.parts.clear()
            batch.positions.clear()
            self.note(batch, stories, slots)
        batch.token = value["token"]
        return value["html"]
