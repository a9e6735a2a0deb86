"""The module feedback questionnaire: the listener answers, the course administrator reads."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import feedback
from .access import get_cohort_for_admin, get_own_enrolment
from .models import Module, ModuleFeedback


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = ModuleFeedback
        fields = ["clarity", "usefulness", "pace", "comment"]
        widgets = {
            "clarity": forms.RadioSelect,
            "usefulness": forms.RadioSelect,
            "pace": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 3}),
        }


@login_required
def module_feedback(request, cohort_id: int, module_number: int):
    enrolment = get_own_enrolment(request.user, cohort_id)
    module = Module.objects.filter(
        course_id=enrolment.cohort.course_id, number=module_number
    ).first()
    if module is None:
        raise Http404
    existing = enrolment.feedback.filter(module=module).first()
    form = FeedbackForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        feedback.feedback_save(enrolment=enrolment, module=module, data=form.cleaned_data)
        messages.success(request, _("Thank you: your answers help improve the module."))
        return redirect("course:my", cohort_id)
    ctx = {"form": form, "module": module, "cohort": enrolment.cohort}
    return render(request, "course/feedback_form.html", ctx, status=400 if form.errors else 200)


@login_required
def feedback_results(request, cohort_id: int):
    cohort = get_cohort_for_admin(request.user, cohort_id)
    ctx = {"cohort": cohort, "results": feedback.results_per_module(cohort)}
    return render(request, "course/feedback_results.html", ctx)
