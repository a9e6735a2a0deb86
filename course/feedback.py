"""The module feedback questionnaire (§8.2): reads and the one write."""

from django.db import transaction
from django.db.models import Avg, Count

from .models import Enrolment, Module, ModuleFeedback


def modules_with_feedback(enrolment: Enrolment) -> list[tuple[Module, bool]]:
    """The course's modules and whether the listener has answered for each: two queries."""
    answered = set(enrolment.feedback.values_list("module_id", flat=True))
    modules = Module.objects.filter(course_id=enrolment.cohort.course_id).order_by("number")
    return [(m, m.pk in answered) for m in modules]


def results_per_module(cohort) -> list[dict]:
    """Per module: answers, mean ratings and the comments — no names (one query + modules)."""
    stats = {
        row["module_id"]: row
        for row in ModuleFeedback.objects.filter(enrolment__cohort=cohort)
        .values("module_id")
        .annotate(
            answers=Count("pk"),
            clarity=Avg("clarity"),
            usefulness=Avg("usefulness"),
            pace=Avg("pace"),
        )
    }
    comments: dict[int, list[str]] = {}
    for module_id, comment in (
        ModuleFeedback.objects.filter(enrolment__cohort=cohort)
        .exclude(comment="")
        .order_by("module_id", "-updated_at")
        .values_list("module_id", "comment")
    ):
        comments.setdefault(module_id, []).append(comment)
    out = []
    for module in Module.objects.filter(course_id=cohort.course_id).order_by("number"):
        row = stats.get(module.pk, {"answers": 0})
        out.append({"module": module, **row, "comments": comments.get(module.pk, [])})
    return out


@transaction.atomic
def feedback_save(*, enrolment: Enrolment, module: Module, data: dict) -> ModuleFeedback:
    """Answer or change one's answer (one per module)."""
    feedback, _created = ModuleFeedback.objects.select_for_update().get_or_create(
        enrolment=enrolment, module=module, defaults=data
    )
    for key, value in data.items():
        setattr(feedback, key, value)
    feedback.full_clean()
    feedback.save()
    return feedback
