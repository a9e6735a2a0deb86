from django import forms
from django.utils.translation import gettext_lazy as _

from students.forms import DateInput

from .importing import parse_score
from .models import Certificate, Cohort, Module, Question, Session, SupportActivity, Task, Topic


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ScoreField(forms.CharField):
    """A 0–100 score as people type it here: "85,5" and "85.5" both work, empty clears."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_score(value)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = [
            "name",
            "start",
            "end",
            "trainers",
            "test_minutes",
            "test_open",
            "require_test_pass",
            "test_rule_decision",
        ]
        widgets = {
            "start": DateInput(),
            "end": DateInput(),
            "trainers": forms.Textarea({"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The last day cannot be before the first day."))
        if not data.get("require_test_pass") and not (data.get("test_rule_decision") or "").strip():
            self.add_error(
                "test_rule_decision",
                _(
                    # xgettext:no-python-format
                    "Switching the 70 % rule off needs the training organisation's recorded "
                    "decision."
                ),
            )
        return data


class EnrolForm(forms.Form):
    email = forms.EmailField(label=_("e-mail"))
    # Needed only for a new account; an existing one is invited and keeps its own name.
    full_name = forms.CharField(label=_("full name"), max_length=200, required=False)


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["kind", "control", "module", "title", "deadline"]
        widgets = {"deadline": DateTimeInput()}

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(course_id=cohort.course_id)


class ScoreCellForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    task = forms.IntegerField(widget=forms.HiddenInput)
    value = ScoreField(label=_("score"))
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)


class PaperScoreForm(forms.Form):
    score = ScoreField(label=_("final test score"), required=True)
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)

    def clean_score(self):
        value = self.cleaned_data.get("score")
        if value is None:
            raise forms.ValidationError(_("This field is required."))
        return value


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["topic", "kind", "starts_at", "hours", "trainer"]
        widgets = {"starts_at": DateTimeInput()}

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(
            module__course_id=cohort.course_id
        ).select_related("module")


class SupportForm(forms.ModelForm):
    class Meta:
        model = SupportActivity
        fields = ["kind", "date", "hours", "note"]
        widgets = {"date": DateInput()}
        localized_fields = ["hours"]


class PostForm(forms.Form):
    text = forms.CharField(label=_("message"), max_length=4000, widget=forms.Textarea({"rows": 3}))


class QuestionForm(forms.Form):
    """One question typed in by hand: up to four answers, each in Kazakh and Russian."""

    ANSWERS = 4

    module = forms.ModelChoiceField(label=_("module"), queryset=Module.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=Question.Kind.choices)
    text_kk = forms.CharField(label=_("question (Kazakh)"), widget=forms.Textarea({"rows": 2}))
    text_ru = forms.CharField(label=_("question (Russian)"), widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(course=course).order_by("number")
        for i in range(1, self.ANSWERS + 1):
            self.fields[f"answer{i}_kk"] = forms.CharField(
                label=_("answer %(n)d (Kazakh)") % {"n": i}, max_length=500, required=i <= 2
            )
            self.fields[f"answer{i}_ru"] = forms.CharField(
                label=_("answer %(n)d (Russian)") % {"n": i}, max_length=500, required=i <= 2
            )
            self.fields[f"correct{i}"] = forms.BooleanField(
                label=_("answer %(n)d is correct") % {"n": i}, required=False
            )

    def clean(self):
        data = super().clean()
        choices = []
        for i in range(1, self.ANSWERS + 1):
            kk, ru = data.get(f"answer{i}_kk", ""), data.get(f"answer{i}_ru", "")
            if bool(kk) != bool(ru):
                self.add_error(
                    f"answer{i}_ru" if kk else f"answer{i}_kk",
                    _("Each answer is needed in Kazakh and Russian."),
                )
            elif kk:
                choices.append((kk, ru, data.get(f"correct{i}", False)))
        keys = sum(1 for *_t, ok in choices if ok)
        if keys == 0 or (data.get("kind") == Question.Kind.SINGLE and keys != 1):
            self.add_error(
                None,
                _("A single-choice question has exactly one correct answer.")
                if data.get("kind") == Question.Kind.SINGLE
                else _("Mark at least one correct answer."),
            )
        data["choices"] = choices
        return data


class RevokeForm(forms.Form):
    # The category is what the public verify page shows; the reason stays with the staff.
    category = forms.ChoiceField(
        label=_("Category (shown on the public verify page)"),
        choices=Certificate.RevokeCategory.choices,
    )
    reason = forms.CharField(label=_("Reason (internal, never shown publicly)"), max_length=300)
