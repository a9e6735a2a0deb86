from datetime import date

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .selectors import PERIODS, months_of


def current_year_start(today: date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


class PeriodForm(forms.Form):
    """The academic year and the period an oversight page shows (GET)."""

    year = forms.TypedChoiceField(
        label=_("Academic year"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    period = forms.ChoiceField(
        label=_("Period"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = current_year_start()
        years = range(now, now - 5, -1)
        self.fields["year"].choices = [(y, f"{y}–{y + 1}") for y in years]
        self.fields["year"].initial = now
        chosen = self.data.get("year") or now
        try:
            chosen = int(chosen)
        except (TypeError, ValueError):
            chosen = now
        months = [
            (m.strftime("%Y-%m"), date_format(m, "YEAR_MONTH_FORMAT"))
            for m in months_of(chosen, "year")
        ]
        self.fields["period"].choices = [*PERIODS.items(), (_("Month"), months)]
        self.fields["period"].initial = "year"

    def chosen(self) -> tuple[int, str]:
        """The valid choice, or the defaults (the form then shows why)."""
        if self.is_valid():
            return self.cleaned_data["year"], self.cleaned_data["period"] or "year"
        return self.fields["year"].initial, "year"
