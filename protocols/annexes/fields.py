"""Shared building blocks of the annex forms: field shapes and the form base class.

Each annex module composes these; the rules every annex shares (drafts may be incomplete,
dates inside the academic year, observed dates not in the future) live here once.
"""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from students.forms import DateInput

LONG = 4000  # a long answer: several paragraphs
MEDIUM = 1000
SHORT = 200

RATING_CHOICES = [
    ("", "—"),
    (0, _("0 — not shown")),
    (1, _("1 — with much help")),
    (2, _("2 — with some help")),
    (3, _("3 — independently")),
]
INTENSITY_CHOICES = [("", "—"), (1, _("1 — low")), (2, _("2 — medium")), (3, _("3 — high"))]


def long_text(label, *, required=True, max_length=LONG, rows=3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
    )


def short_text(label, *, required=True, max_length=SHORT) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length)


def rating(label, *, required=True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=required, choices=RATING_CHOICES, coerce=int, empty_value=None
    )


def choice(label, choices, *, required=True) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *choices])


def date_field(label, *, required=True, past_only=True) -> forms.DateField:
    field = forms.DateField(label=label, required=required, widget=DateInput())
    field.past_only = past_only  # an observed date cannot be in the future; a plan's can
    return field


def time_field(label, *, required=True) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=required, widget=forms.TimeInput(attrs={"type": "time"})
    )


class AnnexForm(forms.Form):
    """The base of every annex form and row form.

    ``strict=False`` (drafts, autosave): every field optional, the other checks still apply so
    the user sees a bad date at once. ``strict=True`` (submit): required fields required.
    ``year`` (start, end) bounds every date; ``today`` bounds observed dates.
    """

    def __init__(
        self,
        *args: Any,
        strict: bool = False,
        year: tuple[date, date] | None = None,
        today: date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.strict, self.year, self.today = strict, year, today
        for field in self.fields.values():
            if field.required:
                # Needed to submit: said before submitting (a visible mark from the CSS),
                # also while the draft leaves it optional.
                field.widget.attrs["aria-required"] = "true"
            if not strict:
                field.required = False

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            value = data.get(name)
            if not isinstance(value, date):
                continue
            if self.year and not self.year[0] <= value <= self.year[1]:
                self.add_error(name, _("The date must lie within the academic year."))
            elif self.today and getattr(field, "past_only", False) and value > self.today:
                self.add_error(name, _("The date cannot be in the future."))
        return data
