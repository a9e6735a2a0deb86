"""The gradebook: each listener's standing in a cohort, computed by grading/rules.py only.

`standing()` is pure (plain values in, a `Standing` out) so 5,000 listeners compute in
well under a second (bench/gradebook.py); `cohort_standings()` fetches what it needs with a
fixed number of queries whatever the cohort's size. The certificate issue (#7) reads the same
`Standing` (`eligible`, `blocking`) through `cohort_standings` / `listener_standing`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from grading import rules


@dataclass(frozen=True)
class TaskInfo:
    id: int
    deadline: datetime


@dataclass
class Standing:
    enrolment_id: int
    scores: dict[int, Decimal | None] = field(default_factory=dict)
    tu: Decimal | None = None
    tu_provisional: bool = False
    admitted: bool = False
    test: Decimal | None = None
    test_band: str | None = None
    attempts_used: int = 0
    final: Decimal | None = None
    letter: rules.LetterGrade | None = None
    blocking: str | None = "not_admitted"
    retake_allowed: bool = False

    @property
    def eligible(self) -> bool:
        return self.blocking is None

    @property
    def can_start_test(self) -> bool:
        """Admitted on the official TU, and a first attempt or the one retake is left."""
        if not self.admitted or self.tu_provisional:
            return False
        return self.attempts_used == 0 or self.retake_allowed


def standing(
    *,
    enrolment_id: int,
    tasks: list[TaskInfo],
    scores: dict[int, Decimal],
    test: Decimal | None,
    attempts_used: int,
    now: datetime,
    require_test_pass: bool,
) -> Standing:
    """One listener's standing. `scores` maps task id → score of the scored tasks.

    SPEC §5 Decisions: a task missing after its deadline counts 0; before it the TU is over the
    scored tasks and marked provisional.
    """
    items: list[Decimal] = []
    provisional = False
    for task in tasks:
        value = scores.get(task.id)
        if value is not None:
            items.append(value)
        elif task.deadline <= now:
            items.append(Decimal(0))
        else:
            provisional = True
    s = Standing(enrolment_id=enrolment_id, scores=scores, test=test, attempts_used=attempts_used)
    s.tu_provisional = provisional
    if items:
        s.tu = rules.current_performance(items)
        s.admitted = rules.is_admitted(s.tu)
    if test is not None:
        s.test_band = rules.final_test_band(test)
    if s.tu is not None and test is not None:
        s.final = rules.final_grade(s.tu, test)
        s.letter = rules.letter_grade(s.final)
    if s.tu is not None:
        s.blocking = rules.blocking_rule(s.tu, test, require_test_pass=require_test_pass)
        if test is not None:
            s.retake_allowed = rules.retake_allowed(
                s.tu,
                test,
                retakes_used=max(attempts_used - 1, 0),
                require_test_pass=require_test_pass,
            )
    return s


def cohort_standings(cohort, enrolments=None, *, now=None) -> dict[int, Standing]:
    """Every active listener's standing in the cohort, by enrolment id.

    Queries: tasks, scores, submitted attempts (plus enrolments when not given): constant.
    """
    from course.models import Attempt, Enrolment, Score, Task
    from course.selectors import expired_scores

    now = now or timezone.now()
    if enrolments is None:
        enrolments = list(Enrolment.objects.active().filter(cohort=cohort).only("pk"))
    tasks = [
        TaskInfo(t_id, deadline)
        for t_id, deadline in Task.objects.active()
        .filter(cohort=cohort, control__in=Task.COUNTED_IN_TU)
        .values_list("pk", "deadline")
    ]
    by_enrolment: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for e_id, t_id, value in Score.objects.filter(
        task__cohort=cohort, task__archived_at__isnull=True, value__isnull=False
    ).values_list("enrolment_id", "task_id", "value"):
        # Preliminary and final control are kept in scores too (shown apart, not in TU).
        by_enrolment[e_id][t_id] = value
    tests: dict[int, tuple[Decimal, int]] = {}
    # An attempt past its time limit counts as submitted with what was saved (SPEC §7), even
    # before a POST or the sweeper has written its score: reading never writes (issue #12
    # defect 14). Scoring those costs two more queries, only when there are any.
    attempts = list(
        Attempt.objects.filter(enrolment__cohort=cohort)
        .filter(Q(submitted_at__isnull=False) | Q(deadline__lte=now))
        .order_by("enrolment_id", "number")
        .values_list("pk", "enrolment_id", "score", "submitted_at")
    )
    pending = expired_scores([a for a, _e, _s, at in attempts if at is None])
    for a_id, e_id, score, submitted_at in attempts:
        if submitted_at is None:
            score = pending[a_id]
        # The retake replaces the first score (§8.12): the last submitted attempt counts.
        tests[e_id] = (score, tests.get(e_id, (None, 0))[1] + 1)
    return {
        e.pk: standing(
            enrolment_id=e.pk,
            tasks=tasks,
            scores=by_enrolment.get(e.pk, {}),
            test=tests.get(e.pk, (None, 0))[0],
            attempts_used=tests.get(e.pk, (None, 0))[1],
            now=now,
            require_test_pass=cohort.require_test_pass,
        )
        for e in enrolments
    }


def listener_standing(enrolment, *, now=None) -> Standing:
    return cohort_standings(enrolment.cohort, [enrolment], now=now)[enrolment.pk]
