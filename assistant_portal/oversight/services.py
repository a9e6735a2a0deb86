"""Writes of the oversight summaries: one school at a time, idempotent (a rerun rewrites)."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from course.models import Certificate
from protocols.calendar import current_year
from protocols.models import AnnexCode, Outcome, ProtocolVersion, ReviewDecision, Status
from protocols.review.selectors import school_overview
from students.models import Assignment, School, held

from .models import OversightRead, SchoolMonth


def _month(day: date) -> date:
    return day.replace(day=1)


def _months(start: date, end: date) -> list[date]:
    months, m = [], _month(start)
    while m <= end:
        months.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    return months


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _windows_by_month(school_id: int, today: date) -> tuple[dict, int]:
    """{month: {annex: [on time, late, missing]}} from the support team's own overview (one
    rule for lateness), and the number of pupils flagged for И today."""
    table: dict[date, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    column = {"on_time": 0, "late": 1, "missing": 2}

    def tally(bucket, _pupil, window):
        table[_month(window.due)][str(window.annex)][column[bucket]] += 1

    overview = school_overview(school_id, today, each_window=tally)
    return table, overview.total.flagged


def _staffing(school_id: int, months: list[date]) -> dict[date, tuple[int, int]]:
    """Per month: pupils who had an assistant during it, and how many assistants."""
    rows = list(
        Assignment.objects.filter(
            student__school_id=school_id, student__archived_at__isnull=True
        ).values_list("student_id", "assistant_id", "start", "end")
    )
    out = {}
    for month in months:
        last = _month_end(month)
        live = [r for r in rows if held(r[2], r[3], month, last)]
        out[month] = (len({r[0] for r in live}), len({r[1] for r in live}))
    return out


def _conclusion_waits(school_id: int, year) -> dict[date, tuple[list[int], int]]:
    """Per month of decision: the days each Г waited since it was handed in, and how many
    were returned. Handed in = the latest submitted version saved before the decision."""
    decisions = list(
        ReviewDecision.objects.filter(
            protocol__student__school_id=school_id,
            protocol__year=year,
            protocol__annex=AnnexCode.G,
        ).values_list("protocol_id", "outcome", "decided_at")
    )
    submitted = defaultdict(list)
    for pid, saved_at in ProtocolVersion.objects.filter(
        protocol_id__in={d[0] for d in decisions}, status=Status.SUBMITTED
    ).values_list("protocol_id", "saved_at"):
        submitted[pid].append(saved_at)
    out: dict[date, tuple[list[int], int]] = defaultdict(lambda: ([], 0))
    for pid, outcome, decided_at in decisions:
        before = [s for s in submitted[pid] if s <= decided_at]
        if not before:
            continue
        waited = (timezone.localdate(decided_at) - timezone.localdate(max(before))).days
        waits, returned = out[_month(timezone.localdate(decided_at))]
        waits.append(waited)
        out[_month(timezone.localdate(decided_at))] = (
            waits,
            returned + (outcome == Outcome.RETURNED),
        )
    return out


def _certified_assistants(school_id: int, today: date) -> int:
    assistants = Assignment.objects.on(today).filter(student__school_id=school_id)
    return (
        Certificate.objects.filter(
            status=Certificate.Status.VALID,
            enrolment__listener_id__in=assistants.values("assistant_id"),
        )
        .values("enrolment__listener_id")
        .distinct()
        .count()
    )


@transaction.atomic
def refresh_school(*, school: School, today: date) -> int:
    """Rewrite the school's rows for every month of its current academic year up to today;
    the snapshot figures (flagged, certified) go to the current month only. Returns the
    number of rows written."""
    year = current_year(school, today)
    if year is None:
        return 0
    months = _months(year.start, min(today, year.end))
    windows, flagged = _windows_by_month(school.pk, today)
    staffing = _staffing(school.pk, months)
    waits = _conclusion_waits(school.pk, year)
    now_month = _month(today)
    for month in months:
        pupils, assistants = staffing[month]
        g_waits, g_returned = waits.get(month, ([], 0))
        values = {
            "year_start": year.start.year,
            "pupils": pupils,
            "assistants": assistants,
            "windows": {annex: counts for annex, counts in windows.get(month, {}).items()},
            "g_waits": sorted(g_waits),
            "g_returned": g_returned,
            "refreshed_at": timezone.now(),
        }
        if month == now_month:
            values["flagged"] = flagged
            values["certified_assistants"] = _certified_assistants(school.pk, today)
        SchoolMonth.objects.update_or_create(school=school, month=month, defaults=values)
    return len(months)


def record_read(*, user, path: str, shown: dict) -> None:
    """Note what an oversight page or export showed to whom: one INSERT."""
    OversightRead.objects.create(user=user, path=path[:300], shown=shown)
