"""The reads that need standings: what grading's pure rules need, fetched from the course's
rows with a fixed number of queries whatever the cohort's size (grading imports nothing from
here), and the pages built on them (the gradebook, the certificates list). The other reads
are in course/selectors.py, which this module uses and which never imports it."""

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, cast

from django.db.models import FilteredRelation, Q, QuerySet
from django.utils import timezone

from grading.display import BLOCKING_LABELS, arrange
from grading.gradebook import Standing, TaskInfo, cohort_standings_of

from .models import Attempt, Certificate, Cohort, Enrolment, Score, ScoreChange, Task
from .selectors import expired_scores


class Listed(NamedTuple):
    """A gradebook row's listener: what the page and the exports show of the enrolment."""

    pk: int
    email: str
    full_name: str
    # The grade printed on the enrolment's valid certificate (at most one), None without one.
    cert_final: Decimal | None
    cert_letter: str | None


def counted_tasks(tasks: list[Task]) -> list[TaskInfo]:
    """The tasks of the TU (§8.8) among the cohort's active tasks, as the rules take them."""
    return [TaskInfo(t.pk, t.deadline) for t in tasks if t.control in Task.COUNTED_IN_TU]


def cohort_standings(
    cohort: Cohort,
    enrolments: Sequence[Enrolment | Listed] | None = None,
    *,
    now: datetime | None = None,
    tasks: list[TaskInfo] | None = None,
    listed_only: bool = False,
) -> dict[int, Standing]:
    """Every active listener's standing in the cohort, by enrolment id.

    Queries: scores, submitted attempts, plus tasks and enrolments when not given: constant.
    `tasks` are the cohort's active tasks counted in the TU (`counted_tasks`). `listed_only`:
    read the scores and attempts of the `enrolments` given, not the cohort's (one listener's
    standing depends on their own rows only).
    """
    now = now or timezone.now()
    if enrolments is None:
        enrolments = list(Enrolment.objects.active().filter(cohort=cohort).only("pk"))
    if tasks is None:
        tasks = [
            TaskInfo(t_id, deadline)
            for t_id, deadline in Task.objects.active()
            .filter(cohort=cohort, control__in=Task.COUNTED_IN_TU)
            .values_list("pk", "deadline")
        ]
    # Preliminary and final control are kept in scores too (shown apart, not in TU). The
    # stubs type `value` as nullable whatever the filter; `value__isnull=False` says it is not.
    mine = Q(enrolment_id__in=[e.pk for e in enrolments]) if listed_only else Q()
    scores = cast(
        "QuerySet[Score, tuple[int, int, Decimal]]",
        Score.objects.filter(
            mine, task__cohort=cohort, task__archived_at__isnull=True, value__isnull=False
        ).values_list("enrolment_id", "task_id", "value"),
    )
    # An attempt past its time limit counts as submitted with what was saved (SPEC §7), even
    # before a POST or the sweeper has written its score: reading never writes. Scoring those
    # costs two more queries, only when there are any.
    attempts = list(
        Attempt.objects.filter(mine, enrolment__cohort=cohort)
        .filter(Q(submitted_at__isnull=False) | Q(deadline__lte=now))
        .order_by("enrolment_id", "number")
        .values_list("pk", "enrolment_id", "score", "submitted_at")
    )
    pending = expired_scores([a for a, _e, _s, at in attempts if at is None])
    return cohort_standings_of(
        enrolment_ids=[e.pk for e in enrolments],
        tasks=tasks,
        scores=scores,
        attempts=[
            (e_id, score if submitted_at is not None else pending[a_id])
            for a_id, e_id, score, submitted_at in attempts
        ],
        now=now,
        require_test_pass=cohort.require_test_pass,
    )


def listener_standing(enrolment: Enrolment, *, now: datetime | None = None) -> Standing:
    return cohort_standings(enrolment.cohort, [enrolment], now=now, listed_only=True)[enrolment.pk]


def gradebook(cohort: Cohort, *, sort: str = "name", show: str = "all") -> dict[str, Any]:
    """Queries: enrolments (with the grade on each valid certificate), tasks, scores, attempts.

    The rows are (`Listed`, standing) pairs: plain values, not model instances, which cost
    more Python than the rest of the row; the grid's tasks are the standings' too.
    """
    enrolments = [
        Listed(*row)
        for row in Enrolment.objects.active()
        .filter(cohort=cohort)
        .annotate(
            valid_cert=FilteredRelation(
                "certificates", condition=Q(certificates__status=Certificate.Status.VALID)
            )
        )
        .order_by("sort_key", "pk")
        .values_list(
            "pk",
            "listener__email",
            "listener__full_name",
            "valid_cert__final",
            "valid_cert__letter",
        )
    ]
    tasks = list(Task.objects.active().filter(cohort=cohort))
    standings = cohort_standings(cohort, enrolments, tasks=counted_tasks(tasks))
    rows = arrange([(e, standings[e.pk]) for e in enrolments], sort=sort, show=show)
    return {"tasks": tasks, "rows": rows}


def score_changes(enrolment: Enrolment) -> QuerySet[ScoreChange]:
    return ScoreChange.objects.filter(enrolment=enrolment).select_related("task", "by")


# --- certificates against today's standing ---------------------------------------------------


def two_places(x: Decimal) -> Decimal:
    """Two decimals as the gradebook shows them (floatformat rounds half up too)."""
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade_changed(cert: Certificate, st: Standing) -> bool:
    """The gradebook's flag: today's final grade or letter differs from the printed one."""
    return _printed_grade_changed(cert.final, cert.letter, st)


def _printed_grade_changed(final: Decimal, letter: str, st: Standing) -> bool:
    if st.final is None or st.letter is None:
        return True
    return two_places(st.final) != final or st.letter.letter != letter


def changed_since_issue(rows: list[tuple[Listed, Standing]]) -> set[int]:
    """Enrolment ids whose valid certificate no longer matches today's grade (no query).

    `rows` are the gradebook's (`Listed`, standing) pairs: a certificate's final grade is never
    empty, so a `cert_final` of None means no valid certificate.
    """
    return {
        e.pk
        for e, st in rows
        if e.cert_final is not None
        and e.cert_letter is not None
        and _printed_grade_changed(e.cert_final, e.cert_letter, st)
    }


def certificate_rows(cohort: Cohort) -> list[dict[str, Any]]:
    """Each listener with standing, why not eligible, and the certificate in force (if any)."""
    enrolments = list(
        Enrolment.objects.active()
        .filter(cohort=cohort)
        .select_related("listener")
        .order_by("sort_key", "pk")
    )
    standings = cohort_standings(cohort, enrolments)
    certs: dict[int, Certificate] = {}
    history: dict[int, list[Certificate]] = {}
    for c in Certificate.objects.filter(enrolment__cohort=cohort).order_by("issued_at", "pk"):
        if c.status == Certificate.Status.SUPERSEDED:
            history.setdefault(c.enrolment_id, []).append(c)  # earlier issues of a reissue
        elif c.enrolment_id not in certs or c.status == Certificate.Status.VALID:
            certs[c.enrolment_id] = c  # the valid one wins over an older revoked one
    rows: list[dict[str, Any]] = []
    for e in enrolments:
        st, cert = standings[e.pk], certs.get(e.pk)
        rows.append(
            {
                "enrolment": e,
                "st": st,
                "blocking": BLOCKING_LABELS.get(st.blocking, ""),
                "cert": cert,
                "history": history.get(e.pk, []),
                "changed": (
                    cert is not None
                    and cert.status == Certificate.Status.VALID
                    and grade_changed(cert, st)
                ),
            }
        )
    return rows
