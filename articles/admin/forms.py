"""Forms for the editorial workflow: the inputs each transition asks for.

Times are typed in the newsroom's zone (``TIME_ZONE``) and stored in UTC. Two local
times need care: one that does not exist (the hour skipped when clocks spring forward)
is refused, and one that happens twice (the hour repeated when clocks fall back) must be
told apart by the editor, who picks the earlier or the later one.
"""

from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.editorial import workflow
from articles.models import Correction, Section

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                       "%Y-%m-%d %H:%M:%S"]


def local_to_utc(naive, *, fold=None, tz=None):
    """Make a naive newsroom-local time aware.

    Raises ``ValidationError`` for a time that does not exist in the zone, and for one
    that happens twice unless ``fold`` says which (0 = the earlier, 1 = the later).
    """
    tz = tz or timezone.get_current_timezone()
    label = f"{naive:%Y-%m-%d %H:%M}"
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise ValidationError(
            f"{label} does not exist in {tz}: the clocks jump forward over that hour. "
            "Choose another time.", code="nonexistent",
        )
    if first.utcoffset() != second.utcoffset():
        if fold is None:
            raise ValidationError(
                f"{label} happens twice in {tz} (the clocks go back that night). "
                "Say whether you mean the earlier or the later one.", code="ambiguous",
            )
        # In UTC: Python never compares a repeated local time equal across zones.
        return (second if fold else first).astimezone(UTC)
    return first.astimezone(UTC)


class LocalDateTimeField(forms.Field):
    """A date and time typed in the newsroom's zone; cleans to a naive datetime."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        if isinstance(value, datetime):
            return value
        value = (value or "").strip()
        if not value:
            return None
        for fmt in LOCAL_INPUT_FORMATS:
            try:
                return datetime.strptime(value, fmt)
            except ValueError:
                continue
        raise ValidationError("Enter a date and time like 2026-03-08 14:30.", code="invalid")


class WorkflowForm(forms.Form):
    """Base for a transition's form: ``run`` calls the workflow function."""

    confirm_label = "Confirm"
    done_label = "updated"

    def __init__(self, *args, article, **kwargs):
        self.article = article
        super().__init__(*args, **kwargs)

    def run(self, user):
        raise NotImplementedError


class SubmitForm(WorkflowForm):
    confirm_label = "Submit for review"
    done_label = "submitted for review"

    def run(self, user):
        return workflow.article_submit_for_review(article=self.article, user=user)


class ReturnForm(WorkflowForm):
    confirm_label = "Return to reporter"
    done_label = "returned to the reporter"
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=2000,
        help_text="What the reporter should change. They get it by email and on the story.",
    )

    def run(self, user):
        return workflow.article_return_to_reporter(
            article=self.article, user=user, note=self.cleaned_data["note"])


class PublishForm(WorkflowForm):
    confirm_label = "Publish now"
    done_label = "published"

    def run(self, user):
        return workflow.article_publish(article=self.article, user=user)


class ScheduleForm(WorkflowForm):
    confirm_label = "Schedule"
    done_label = "scheduled"
    REPEATED = [("", "—"), ("0", "the earlier one (daylight time)"),
                ("1", "the later one (standard time)")]

    publish_at = LocalDateTimeField(
        label="Publish time",
        help_text="In the newsroom's time zone. The story goes live by itself at this time.",
    )
    embargo_until = LocalDateTimeField(
        label="Embargo until", required=False,
        help_text="Optional: hidden from every page, feed and search until this time.",
    )
    repeated_hour = forms.ChoiceField(
        label="If a time happens twice", choices=REPEATED, required=False,
        help_text="Only matters on the night the clocks go back.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.article.publish_at and not self.is_bound:
            self.initial["publish_at"] = timezone.localtime(self.article.publish_at).replace(
                tzinfo=None)
        self.fields["publish_at"].help_text += f" Zone: {timezone.get_current_timezone()}."

    def clean(self):
        data = super().clean()
        fold = data.get("repeated_hour")
        fold = int(fold) if fold in ("0", "1") else None
        for name in ("publish_at", "embargo_until"):
            if data.get(name) is not None:
                try:
                    data[name] = local_to_utc(data[name], fold=fold)
                except ValidationError as error:
                    self.add_error(name, error)
        publish_at = data.get("publish_at")
        if publish_at and publish_at <= timezone.now():
            self.add_error("publish_at", "Choose a time in the future, or use Publish now.")
        return data

    def run(self, user):
        return workflow.article_schedule(
            article=self.article, user=user, publish_at=self.cleaned_data["publish_at"],
            embargo_until=self.cleaned_data.get("embargo_until"),
        )


class UnpublishForm(WorkflowForm):
    confirm_label = "Unpublish"
    done_label = "unpublished"
    note = forms.CharField(required=False, max_length=300,
                           help_text="Optional: why, for the story's history.")

    def run(self, user):
        return workflow.article_unpublish(article=self.article, user=user,
                                          note=self.cleaned_data["note"])


class LiftEmbargoForm(WorkflowForm):
    confirm_label = "Lift the embargo now"
    done_label = "released from its embargo"

    def run(self, user):
        return workflow.article_lift_embargo(article=self.article, user=user)


class CorrectionForm(WorkflowForm):
    confirm_label = "Add to the story"
    done_label = "corrected: the note is on the story"
    kind = forms.ChoiceField(choices=Correction.Kind.choices)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text="Shown to readers under the story; the story's “Updated” time moves to now.",
    )

    def run(self, user):
        return workflow.article_add_correction(
            article=self.article, user=user, kind=self.cleaned_data["kind"],
            text=self.cleaned_data["text"])


class FeatureForm(WorkflowForm):
    @property
    def done_label(self):
        return "unfeatured" if self.article.featured else "featured"

    @property
    def confirm_label(self):
        return "Unfeature" if self.article.featured else "Feature"

    def run(self, user):
        return workflow.article_set_featured(article=self.article, user=user,
                                             featured=not self.article.featured)


class PublishChangesForm(WorkflowForm):
    confirm_label = "Publish changes"
    done_label = "changed for readers: the pending changes are live"

    def run(self, user):
        return workflow.article_publish_changes(article=self.article, user=user)


class SubmitChangesForm(WorkflowForm):
    confirm_label = "Submit changes for review"
    done_label = "has changes waiting for an editor's review"

    def run(self, user):
        return workflow.article_submit_changes(article=self.article, user=user)


class DiscardChangesForm(WorkflowForm):
    confirm_label = "Discard changes"
    done_label = "is back to its live version: the pending changes are discarded"

    def run(self, user):
        return workflow.article_discard_changes(article=self.article, user=user)


ACTION_FORMS = {
    "submit": SubmitForm,
    "return": ReturnForm,
    "publish": PublishForm,
    "schedule": ScheduleForm,
    "unpublish": UnpublishForm,
    "lift_embargo": LiftEmbargoForm,
    "correct": CorrectionForm,
    "feature": FeatureForm,
    "publish_changes": PublishChangesForm,
    "submit_changes": SubmitChangesForm,
    "discard_changes": DiscardChangesForm,
}


class MoveSectionForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.select_related("publication"))
