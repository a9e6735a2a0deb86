"""Forms of the support team's review: a decision (with comments per section), a meeting, a
pupil discussed at a meeting."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from students.forms import DateInput

from .. import annexes
from ..models import AnnexCode, Outcome
from .selectors import PERIODS

ACTIONS = [
    ("comment", _("Comment only")),
    (Outcome.APPROVED, _("Approve")),
    (Outcome.RETURNED, _("Return with comments")),
]


def comment_field_name(section: str) -> str:
    return f"comment_{section or 'general'}"


class DecisionForm(forms.Form):
    """One textarea per section of the conclusion, the decision and its note; the revision
    the reviewer saw travels along so a changed conclusion is not decided blindly."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("decision"), choices=ACTIONS)
    text = forms.CharField(
        label=_("Decision note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    meeting = forms.ModelChoiceField(label=_("meeting"), queryset=None, required=False)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.sections = []
        general = forms.CharField(
            label=_("The conclusion as a whole"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields[comment_field_name("")] = general
        self.sections.append(("", comment_field_name("")))
        for name, field in annexes.get(AnnexCode.G).form.base_fields.items():
            self.fields[comment_field_name(name)] = forms.CharField(
                label=format_lazy("{}: {}", _("Comment"), field.label),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.sections.append((name, comment_field_name(name)))

    def comments(self) -> dict[str, str]:
        return {section: self.cleaned_data.get(fname, "") for section, fname in self.sections}

    def section_fields(self):
        return [(section, self[fname]) for section, fname in self.sections]


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("date"), widget=DateInput())
    starts_at = forms.TimeField(
        label=_("time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("attendees"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = team
        self.fields["attendees"].label_from_instance = lambda u: u.full_name or u.email


class MeetingItemForm(forms.Form):
    pupil = forms.ModelChoiceField(label=_("pupil"), queryset=None)
    conclusion = forms.ModelChoiceField(label=_("conclusion"), queryset=None, required=False)
    decision = forms.CharField(
        label=_("decision"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    step_text = forms.CharField(
        label=_("next step"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible = forms.ModelChoiceField(label=_("responsible"), queryset=None, required=False)
    due = forms.DateField(label=_("due"), required=False, widget=DateInput())

    def __init__(self, *args, pupils, conclusions, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: f"{p.full_name} · {p.class_name}"
        self.fields["conclusion"].queryset = conclusions
        self.fields["conclusion"].label_from_instance = lambda c: (
            f"{c.letter} · {c.student.full_name} · {PERIODS.get(c.window_key.split(':')[-1], '')}"
            f" · {c.get_status_display()}"
        )
        self.fields["responsible"].queryset = team
        self.fields["responsible"].label_from_instance = lambda u: u.full_name or u.email

    def clean(self):
        data = super().clean()
        if (data.get("step_text") or "").strip():
            if not data.get("responsible"):
                self.add_error("responsible", _("Choose who is responsible for the next step."))
            if not data.get("due"):
                self.add_error("due", _("Give the next step a due date."))
        conclusion, pupil = data.get("conclusion"), data.get("pupil")
        if conclusion and pupil and conclusion.student_id != pupil.pk:
            self.add_error("conclusion", _("The conclusion is of another pupil."))
        return data
