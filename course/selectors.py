"""Reads for course pages, with a fixed number of queries whatever the size."""

from decimal import Decimal

from django.utils import formats

from grading import rules

from .models import Course, Enrolment, Module, Score, Task, Topic

HOUR_COLUMNS = ("lecture", "practical", "self_study", "masterclass")


def programme(course: Course) -> dict:
    """The plan with every total computed from the topics (SPEC §4): two queries."""
    modules = list(Module.objects.filter(course=course).order_by("number"))
    topics = list(
        Topic.objects.filter(module__course=course).order_by("module__number", "position")
    )
    by_module = {m.pk: [] for m in modules}
    for t in topics:
        by_module[t.module_id].append(t)
    rows = []
    for m in modules:
        ts = by_module[m.pk]
        sums = {c: sum(getattr(t, c) for t in ts) for c in HOUR_COLUMNS}
        rows.append({"module": m, "topics": ts, "sums": sums, "total": sum(sums.values())})
    totals = {c: sum(r["sums"][c] for r in rows) for c in HOUR_COLUMNS}
    modules_total = sum(totals.values())
    return {
        "rows": rows,
        "totals": totals,
        "modules_total": modules_total,
        "classroom": totals["lecture"] + totals["practical"],
        "course_total": modules_total + course.final_test_hours + course.support_hours,
    }


def score_grid(cohort) -> dict:
    """Listeners × tasks with their scores: three queries (listeners, tasks, scores)."""
    enrolments = list(
        Enrolment.objects.active()
        .filter(cohort=cohort)
        .select_related("listener")
        .order_by("sort_key", "pk")
    )
    tasks = list(Task.objects.active().filter(cohort=cohort).select_related("module"))
    values = {
        (e, t): v
        for e, t, v in Score.objects.filter(task__cohort=cohort).values_list(
            "enrolment_id", "task_id", "value"
        )
    }
    rows = [(e, [grid_cell(e, t, values.get((e.pk, t.pk))) for t in tasks]) for e in enrolments]
    return {"tasks": tasks, "rows": rows}


def _plain(value: Decimal) -> Decimal:
    text = f"{value:f}"
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)


def grid_cell(enrolment, task, value) -> dict:
    """What one cell of the score grid shows; the project rubric comes from the rules module."""
    return {
        "enrolment_id": enrolment.pk,
        "task_id": task.pk,
        "label": f"{enrolment.listener.full_name} — {task.title}",
        "value": value,
        # As typed: 85,5 not 85,50 (the user's decimal separator, no trailing zeros).
        "text": None if value is None else formats.number_format(_plain(value)),
        "error": "",
        "saved": False,
        "rubric": rules.work_rubric(value) if task.is_project and value is not None else None,
    }
