"""Academic years from the database as `schedule.Calendar` values (SPEC §3, "Calendar").

The schedule engine is pure; this module is the one bridge from `students.AcademicYear` and its
active holidays to it. Years of many schools are read in one query (holidays aggregated into
the year's row), and equal calendars are built once: `Calendar` is frozen and hashable, so the
engine's own caches (school days, windows per grade) are shared by every pupil of the year.
"""

import json
from datetime import date
from functools import lru_cache

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject

from students.models import AcademicYear, School
from students.models import Holiday as HolidayRow

from .schedule import Calendar, Holiday


def years_with_holidays(qs: QuerySet[AcademicYear] | None = None) -> QuerySet[AcademicYear]:
    """Active years, each with `holiday_rows` (its active holidays as dicts): one query."""
    qs = AcademicYear.objects.active() if qs is None else qs.filter(archived_at__isnull=True)
    return qs.annotate(
        holiday_rows=ArrayAgg(
            JSONObject(start="holidays__start", end="holidays__end", grades="holidays__grades"),
            filter=Q(holidays__pk__isnull=False, holidays__archived_at__isnull=True),
            default=[],
        )
    )


def holiday_rows_of(year_ref: OuterRef) -> ArraySubquery:
    """The active holidays of the year ``year_ref`` points at, as the dicts `calendar_of`
    reads from `holiday_rows`: annotated on a row that has a year, its calendar comes with it
    instead of a query of its own."""
    holidays = HolidayRow.objects.filter(year_id=year_ref, archived_at__isnull=True)
    return ArraySubquery(
        holidays.order_by().values(row=JSONObject(start="start", end="end", grades="grades"))
    )


@lru_cache(maxsize=512)
def _calendar(
    start: date,
    end: date,
    half_year_end: date,
    saturday_school: bool,
    holidays: tuple[tuple[date, date, tuple[int, ...]], ...],
) -> Calendar:
    return Calendar(
        start=start,
        end=end,
        half_year_end=half_year_end,
        saturday_school=saturday_school,
        holidays=tuple(Holiday(s, e, frozenset(g)) for s, e, g in holidays),
    )


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def calendar_of(year: AcademicYear) -> Calendar:
    """The year's Calendar; the year should come from `years_with_holidays` (else one query)."""
    rows = getattr(year, "holiday_rows", None)
    if rows is None:
        rows = [
            {"start": h.start, "end": h.end, "grades": h.grades}
            for h in year.holidays.filter(archived_at__isnull=True)
        ]
    holidays = tuple(
        sorted(
            (_as_date(r["start"]), _as_date(r["end"]), tuple(sorted(r["grades"] or ())))
            for r in rows
        )
    )
    return _calendar(year.start, year.end, year.half_year_end, year.saturday_school, holidays)


# `current_years` runs on most pages (the dashboard, the pupil's year, the overview): one
# constant statement, so that no request pays the ORM's building and compiling of the holidays
# aggregate (≈ 1 ms of Python for a 0.2 ms query, DECISIONS PC10). The same rule as
# `years_with_holidays` ordered by school and latest start; a test compares the two.
_CURRENT_YEARS_SQL = """
SELECT DISTINCT ON (y.school_id) y.*, (
    SELECT json_agg(json_build_object('start', h.start, 'end', h."end", 'grades', h.grades))::text
    FROM students_holiday h
    WHERE h.year_id = y.id AND h.archived_at IS NULL
) AS holiday_json
FROM students_academicyear y
WHERE y.school_id = ANY(%s) AND y.start <= %s AND y.archived_at IS NULL
ORDER BY y.school_id, y.start DESC
"""


def current_years(school_ids, today: date) -> dict[int, AcademicYear]:
    """For each school, the year holding `today` — or else the latest year started by then
    (a summer day still shows the finished year) — with holidays: one query."""
    chosen: dict[int, AcademicYear] = {}
    for year in AcademicYear.objects.raw(_CURRENT_YEARS_SQL, [list(set(school_ids)), today]):
        holiday_json = year.holiday_json  # type: ignore[attr-defined]
        year.holiday_rows = json.loads(holiday_json) if holiday_json else []  # type: ignore[attr-defined]
        chosen[year.school_id] = year
    return chosen


def current_year(school: School | int, today: date) -> AcademicYear | None:
    school_id = school if isinstance(school, int) else school.pk
    return current_years([school_id], today).get(school_id)
