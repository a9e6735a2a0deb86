from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AcademicYear, Consent, Guardian, Holiday, Student
from .services import assistants_of_school
from .uploads import validate_document


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StudentForm(forms.ModelForm):
    class Meta:
        model = Student
        fields = [
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "iin",
            "grade",
            "class_letter",
            "sen_category",
            "joined",
            "left",
            "pmpc_number",
            "pmpc_date",
            "pmpc_valid_until",
            "pmpc_text",
        ]
        widgets = {
            "birth_date": DateInput(),
            "joined": DateInput(),
            "left": DateInput(),
            "pmpc_date": DateInput(),
            "pmpc_valid_until": DateInput(),
            "pmpc_text": forms.Textarea(attrs={"rows": 3}),
        }

    create_anyway = forms.BooleanField(
        label=_("This is a different child: create the record anyway"), required=False
    )

    def __init__(self, *args, ask: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask or self.instance.pk:
            # Asked only when the school already has a pupil with this name and date of birth.
            del self.fields["create_anyway"]

    def clean(self):
        data = super().clean()
        joined, left = data.get("joined"), data.get("left")
        if joined and left and left < joined:
            self.add_error("left", _("The leaving date cannot be before the joining date."))
        issued, until = data.get("pmpc_date"), data.get("pmpc_valid_until")
        if issued and until and until < issued:
            self.add_error("pmpc_valid_until", _("“Valid until” cannot be before the date issued."))
        return data

    def clean_iin(self):
        return self.cleaned_data.get("iin") or None


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["full_name", "relation", "phone", "email"]


class AssignForm(forms.Form):
    assistant = forms.ModelChoiceField(label=_("Teaching assistant"), queryset=None)
    start = forms.DateField(label=_("from"), widget=DateInput())

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assistant"].queryset = assistants_of_school(school.pk).order_by("full_name")


class AcademicYearForm(forms.ModelForm):
    class Meta:
        model = AcademicYear
        fields = ["start", "half_year_end", "end", "saturday_school"]
        widgets = {"start": DateInput(), "half_year_end": DateInput(), "end": DateInput()}

    def clean(self):
        data = super().clean()
        start, half, end = data.get("start"), data.get("half_year_end"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The year must end after it starts."))
        elif start and half and end and not start < half < end:
            self.add_error("half_year_end", _("The half-year boundary must lie inside the year."))
        return data


class HolidayForm(forms.ModelForm):
    # Shown on the year's page beside AcademicYearForm, which also has `start` and `end`: the
    # prefix keeps the ids (id_holiday-start) and so the labels' `for` unique on the page.
    prefix = "holiday"

    grades = forms.CharField(
        label=_("only for grades"),
        required=False,
        help_text=_("Leave empty when the holiday applies to every grade; e.g. “1” or “1, 2”."),
    )

    class Meta:
        model = Holiday
        fields = ["name", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def clean_grades(self):
        raw = self.cleaned_data.get("grades") or ""
        try:
            grades = sorted({int(g) for g in raw.replace(";", ",").split(",") if g.strip()})
        except ValueError:
            raise forms.ValidationError(_("Write grade numbers separated by commas.")) from None
        if any(not 0 <= g <= 12 for g in grades):
            raise forms.ValidationError(_("Grades are numbers from 0 to 12."))
        return grades

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The last day cannot be before the first day."))
        return data


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["given_by", "given_on", "scope", "document"]
        widgets = {"given_on": DateInput(), "scope": forms.Textarea(attrs={"rows": 3})}

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return given_on

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "size"):
            validate_document(document)
        return document


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("Until"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end must not be before the start."))
        return data


class ReadLogFilterForm(DateRangeForm):
    """The school's read log: a period, optionally one person and pupils by name."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    pupil = forms.CharField(
        label=_("Pupil"),
        required=False,
        max_length=100,
        help_text=_("A part of the surname or first name."),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"
