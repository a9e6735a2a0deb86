"""The gradebook: each listener's standing in a cohort, computed by grading/rules.py only.

Pure, like the rules: plain values in, a `Standing` out, so 5,000 listeners compute in well
under a second (bench/gradebook.py). Nothing here reads the database: the course fetches the
rows (`course.gradebook.cohort_standings`, a fixed number of queries whatever the cohort's
size) and passes them in. Certificates read the same `Standing` (`eligible`, `blocking`).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

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


def cohort_standings_of(
    *,
    enrolment_ids: Iterable[int],
    tasks: list[TaskInfo],
    scores: Iterable[tuple[int, int, Decimal]],
    attempts: Iterable[tuple[int, Decimal]],
    now: datetime,
    require_test_pass: bool,
) -> dict[int, Standing]:
    """Every listener's standing from plain rows, by enrolment id.

    `scores`: (enrolment id, task id, value) of the tasks counted in the TU; `attempts`:
    (enrolment id, score) of the submitted final-test attempts, in the order they were taken.
    """
    by_enrolment: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for e_id, t_id, value in scores:
        by_enrolment[e_id][t_id] = value
    tests: dict[int, tuple[Decimal | None, int]] = {}
    for e_id, score in attempts:
        # The retake replaces the first score (§8.12): the last submitted attempt counts.
        tests[e_id] = (score, tests.get(e_id, (None, 0))[1] + 1)
    return {
        e_id: standing(
            enrolment_id=e_id,
            tasks=tasks,
            scores=by_enrolment.get(e_id, {}),
            test=tests.get(e_id, (None, 0))[0],
            attempts_used=tests.get(e_id, (None, 0))[1],
            now=now,
            require_test_pass=require_test_pass,
        )
        for e_id in enrolment_ids
    }
