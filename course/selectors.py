"""Reads for course pages, with a fixed number of queries whatever the size."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone

from grading import rules

from .access import cohorts_managed_by, enrolments_of, questions_managed_by
from .models import (
    Attempt,
    AttemptQuestion,
    Certificate,
    CertificateBatch,
    Choice,
    Cohort,
    Course,
    Enrolment,
    EnrolmentInvitation,
    Module,
    Post,
    Question,
    Score,
    Session,
    SupportActivity,
    Task,
    Topic,
)
from .programme import CODE

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


# --- the final test (read-only: a page view never submits anything; issue #12 defect 14) ------


def _keys(question_ids) -> dict[int, set[int]]:
    keys: dict[int, set[int]] = defaultdict(set)
    for q_id, c_id in Choice.objects.filter(question_id__in=question_ids, correct=True).values_list(
        "question_id", "pk"
    ):
        keys[q_id].add(c_id)
    return keys


def _is_correct(chosen, key: set[int]) -> bool:
    # No partial credit: the chosen set must equal the key (SPEC §7 "Final test").
    return bool(chosen) and set(chosen) == key


def count_correct(attempt_ids: list[int]) -> dict[int, int]:
    """Correct answers per attempt, from the answers saved: two queries for any number."""
    items = list(
        AttemptQuestion.objects.filter(attempt_id__in=attempt_ids).values_list(
            "attempt_id", "question_id", "chosen"
        )
    )
    keys = _keys({q for _a, q, _c in items})
    out = dict.fromkeys(attempt_ids, 0)
    for a_id, q_id, chosen in items:
        out[a_id] += _is_correct(chosen, keys[q_id])
    return out


def expired_scores(attempt_ids: list[int]) -> dict[int, Decimal]:
    """The score an attempt past its time limit has, before anything has written it.

    The limit submits the attempt "with what was saved" (SPEC §7); a POST or the sweeper
    (`course.tasks.finalise_expired_attempts`) stores it later, and reads agree meanwhile.
    """
    if not attempt_ids:
        return {}
    counts = count_correct(attempt_ids)
    totals: dict[int, int] = defaultdict(int)
    for a_id in AttemptQuestion.objects.filter(attempt_id__in=attempt_ids).values_list(
        "attempt_id", flat=True
    ):
        totals[a_id] += 1
    return {
        a_id: rules.final_test_score(counts[a_id], totals[a_id] or rules.TEST_QUESTIONS).quantize(
            Decimal("0.01")
        )
        for a_id in attempt_ids
    }


@dataclass
class ModuleResult:
    number: int
    title: str
    correct: int
    total: int


@dataclass
class AttemptOutcome:
    attempt: Attempt
    correct: int
    score: Decimal
    timed_out: bool  # past the limit, scored with the saved answers
    modules: list[ModuleResult] = field(default_factory=list)


def attempt_outcome(attempt: Attempt, *, now=None) -> AttemptOutcome:
    """The result page: the score and the correct answers per module (three queries)."""
    now = now or timezone.now()
    items = list(
        AttemptQuestion.objects.filter(attempt=attempt)
        .select_related("question__module")
        .order_by("position")
    )
    keys = _keys([i.question_id for i in items])
    by_module: dict[int, ModuleResult] = {}
    for i in items:
        m = i.question.module
        row = by_module.setdefault(m.number, ModuleResult(m.number, m.title, 0, 0))
        row.total += 1
        row.correct += _is_correct(i.chosen, keys[i.question_id])
    correct = sum(r.correct for r in by_module.values())
    if attempt.submitted_at is not None and attempt.score is not None:
        score, correct = attempt.score, attempt.correct if attempt.correct is not None else correct
    else:
        score = rules.final_test_score(correct, len(items) or rules.TEST_QUESTIONS).quantize(
            Decimal("0.01")
        )
    return AttemptOutcome(
        attempt=attempt,
        correct=correct,
        score=score,
        timed_out=attempt.submitted_at is None and now > attempt.deadline,
        modules=[by_module[k] for k in sorted(by_module)],
    )


# --- what the course pages show (the views only render) -------------------------------------


def the_course() -> Course:
    """The one course the portal runs (SPEC §4); 404 before its programme is loaded."""
    return get_object_or_404(Course, code=CODE)


def cohort_lists(user) -> tuple[QuerySet[Cohort], QuerySet[Enrolment]]:
    """The cohorts the user administers and the user's own enrolments."""
    managed = cohorts_managed_by(user).select_related("organisation")
    own = enrolments_of(user).select_related("cohort")
    return managed, own


def cohort_tasks(cohort: Cohort) -> QuerySet[Task]:
    return Task.objects.active().filter(cohort=cohort)


def cohort_roster(cohort: Cohort) -> dict:
    """The cohort page: listeners, tasks, pending invitations."""
    return {
        "enrolments": Enrolment.objects.active()
        .filter(cohort=cohort)
        .select_related("listener")
        .order_by("sort_key"),
        "tasks": cohort_tasks(cohort).select_related("module"),
        # Pending invitations show the typed address only, never the account's name.
        "invitations": EnrolmentInvitation.objects.filter(
            cohort=cohort,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            archived_at__isnull=True,
        ).only("pk", "email", "created_at"),
    }


def grid_targets(cohort: Cohort, *, enrolment_id: int, task_id: int) -> tuple[Enrolment, Task]:
    """The listener and task of one score cell, both of this cohort; 404 otherwise."""
    enrolment = get_object_or_404(
        Enrolment.objects.active().filter(cohort=cohort).select_related("listener"),
        pk=enrolment_id,
    )
    task = get_object_or_404(cohort_tasks(cohort), pk=task_id)
    return enrolment, task


def question_bank(user, course: Course) -> QuerySet[Question]:
    return (
        questions_managed_by(user)
        .filter(course=course)
        .select_related("module")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position")))
    )


def valid_certificate(enrolment: Enrolment) -> Certificate | None:
    """The listener's certificate in force, to download."""
    return enrolment.certificates.filter(status=Certificate.Status.VALID).first()


def my_course(enrolment: Enrolment, *, now: datetime) -> dict:
    """The listener's page besides the standing: tasks, attempts, support, the certificate."""
    tasks = list(cohort_tasks(enrolment.cohort).select_related("module"))
    attempts = list(enrolment.attempts.all())
    support = list(enrolment.support.active())
    return {
        "tasks": tasks,
        "attempts": attempts,
        "open_attempt": next(
            (a for a in attempts if a.submitted_at is None and a.deadline > now), None
        ),
        "support": support,
        "support_hours": sum((s.hours for s in support), Decimal(0)),
        "certificate": valid_certificate(enrolment),
    }


def attempt_items(attempt: Attempt) -> list[AttemptQuestion]:
    return list(attempt.items.select_related("question").order_by("position"))


def choices_by_id(question: Question) -> dict[int, Choice]:
    return {c.pk: c for c in question.choices.all()}


def attempt_item(attempt: Attempt, position: int) -> AttemptQuestion:
    """One question of the attempt by its position; 404 otherwise."""
    return get_object_or_404(
        AttemptQuestion.objects.select_related("question"), attempt=attempt, position=position
    )


def answered_items(attempt: Attempt) -> list[AttemptQuestion]:
    """The attempt's questions with only what the finish page needs (answered or not)."""
    return list(attempt.items.order_by("position").only("position", "chosen"))


def timetable(cohort: Cohort) -> QuerySet[Session]:
    return cohort.sessions.active().select_related("topic", "topic__module")


def attendance_rows(session: Session) -> list[tuple[Enrolment, bool | None]]:
    """Each active listener with their mark for the session (None: not marked yet)."""
    enrolments = list(
        Enrolment.objects.active()
        .filter(cohort_id=session.cohort_id)
        .select_related("listener")
        .order_by("sort_key")
    )
    marked = dict(session.attendance.values_list("enrolment_id", "present"))
    return [(e, marked.get(e.pk)) for e in enrolments]


def support_activities(enrolment: Enrolment) -> tuple[QuerySet[SupportActivity], Decimal]:
    """The post-course support recorded for a listener and its total hours."""
    activities = enrolment.support.active()
    return activities, activities.aggregate(t=Sum("hours"))["t"] or Decimal(0)


def latest_batch(cohort: Cohort) -> CertificateBatch | None:
    """The cohort's last bulk issue, for its progress or its ZIP."""
    return cohort.certificate_batches.order_by("-pk").first()


def board_posts(cohort: Cohort) -> QuerySet[Post]:
    return cohort.posts.active().select_related("author")[:200]
