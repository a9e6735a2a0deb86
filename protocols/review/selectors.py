"""Reads of the support team's review: the conclusions queue, one conclusion beside
the pupil's evidence, the thread of comments and decisions, meetings, next steps, pupils
flagged by Д, the school overview (on time / late / missing) and the team's pupil dossier.

Every page reads a constant number of queries whatever the number of pupils and protocols:
windows come from `selectors.pupil_years` (pupils, years, protocols: one query each) and the
rest is grouped in Python.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, TypedDict

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from assistant_portal.accounts.models import Role, RoleKind, User
from assistant_portal.annotations import StrOrPromise
from students.models import Assignment, Student, assignee_on, assignees_on

from .. import annexes, dynamics
from ..access import conclusions_for_reviewer
from ..annexes import b_free_activity as b_annex
from ..annexes import d_behaviour_log as d_annex
from ..annexes import v_class_observation as v_annex
from ..annexes import zh_support_programme as zh_annex
from ..calendar import calendar_of, current_years
from ..models import (
    AnnexCode,
    Meeting,
    MeetingItem,
    NextStep,
    Protocol,
    ReviewComment,
    ReviewDecision,
    Status,
)
from ..schedule import (
    Annex,
    Calendar,
    DueWindows,
    Period,
    Punctuality,
    Window,
    past_due,
    punctuality,
    windows_for_pupil,
)
from ..selectors import DONE, PupilYear, meeting_decisions_for, pupil_years
from . import services

PERIODS = {
    str(Period.SEPTEMBER): _("September"),
    str(Period.HALF_YEAR): _("half-year"),
    str(Period.YEAR_END): _("year end"),
}
QUEUE_STATES = {
    "pending": ({Status.SUBMITTED, Status.UNDER_REVIEW}, _("waiting for review")),
    "returned": ({Status.RETURNED}, _("returned (for revision)")),
    "approved": ({Status.APPROVED}, _("approved")),
}


def class_name(grade: int, letter: str) -> str:
    return f"{grade} {letter}".strip()


# --- The queue ----------------------------------------------------------------------------------


PAGE_SIZE = 50  # rows a person reads at once: the queue, the lists behind the overview's numbers


@dataclass
class Queue:
    rows: Page[Protocol]
    classes: list[str]
    assistants: list[tuple[int, str]]


def review_queue(
    user: User,
    school_id: int,
    *,
    klass: str = "",
    assistant: int | None = None,
    period: str = "",
    state: str = "pending",
    page: int | str | None = 1,
) -> Queue:
    """Conclusions of one school, oldest hand-in first, a page at a time; three queries (the
    rows' count, the page's rows, and the filters' choices: the distinct classes and authors
    of the school's conclusions, counted out in the database)."""
    base = conclusions_for_reviewer(user, school_id=school_id)
    qs = base.filter(status__in=QUEUE_STATES.get(state, QUEUE_STATES["pending"])[0])
    if klass:
        grade, _sep, letter = klass.partition(" ")
        if grade.isdigit():
            qs = qs.filter(student__grade=int(grade), student__class_letter=letter)
    if assistant:
        qs = qs.filter(author_id=assistant)
    if period in PERIODS:
        qs = qs.filter(window_key=f"{Annex.G}:{period}")
    rows = qs.select_related("student", "author").defer("data").order_by("submitted_at", "pk")
    classes: set[tuple[int, str]] = set()
    authors: dict[int, str] = {}
    choices = base.values_list(
        "student__grade", "student__class_letter", "author_id", "author__full_name"
    )
    for pupil_grade, letter, author_id, author_name in choices.order_by().distinct():
        classes.add((pupil_grade, letter))
        authors[author_id] = author_name
    return Queue(
        Paginator(rows, PAGE_SIZE).get_page(page),
        [class_name(g, letter) for g, letter in sorted(classes)],
        sorted(authors.items(), key=lambda kv: kv[1]),
    )


# --- One conclusion -----------------------------------------------------------------------------


class Round(TypedDict):
    round: int
    comments: list[ReviewComment]
    decision: ReviewDecision | None


@dataclass
class Thread:
    rounds: list[Round]  # oldest first
    open_comments: list[ReviewComment]  # of the round still open


def review_thread(protocol: Protocol) -> Thread:
    """Every round's comments and decision; three queries."""
    comments = list(protocol.comments.select_related("author").order_by("round", "pk"))
    labels = {n: f.label for n, f in annexes.get(AnnexCode.G).form.base_fields.items()}
    for c in comments:
        # the template's label for the section, not a field of the model
        c.section_label = labels.get(c.section, c.section)  # type: ignore[attr-defined]
    decisions = {
        d.round: d
        for d in protocol.decisions.select_related("decided_by", "meeting").order_by("round")
    }
    open_round = services.open_round(protocol)
    by_round: defaultdict[int, list[ReviewComment]] = defaultdict(list)
    for c in comments:
        by_round[c.round].append(c)
    rounds: list[Round] = [
        {"round": r, "comments": by_round.get(r, []), "decision": decisions.get(r)}
        for r in sorted(set(by_round) | set(decisions))
        if r < open_round
    ]
    return Thread(rounds, by_round.get(open_round, []))


def _latest(py: PupilYear, annex: Annex) -> Protocol | None:
    done = [p for p in py.protocols if p.annex == annex and p.status in DONE]
    return max(done, key=lambda p: (p.due or date.min, p.pk), default=None)


def evidence(py: PupilYear, today: date) -> dict[str, Any]:
    """What the reviewer reads beside a conclusion: the latest Б and В observations, the Д
    chart and the Ж goals (no queries: the pupil's year is loaded with its data)."""
    ctx: dict[str, Any] = {
        "latest_b": _latest(py, Annex.B),
        "latest_v": _latest(py, Annex.V),
        "programme": _latest(py, Annex.ZH),
    }
    if py.calendar is not None:
        ctx.update(dynamics.pupil_dynamics(py, today))
    ctx["goals"] = goals(ctx["programme"])
    # Read through the annex modules' names, so the page shows what the forms saved.
    b, v = ctx["latest_b"], ctx["latest_v"]
    ctx["b_summary"] = (b.data or {}).get(b_annex.SUMMARY, "") if b else ""
    ctx["v_adaptations"] = (v.data or {}).get(v_annex.ADAPTATIONS, "") if v else ""
    return ctx


@dataclass
class GoalLine:
    goal: str
    expected: str
    result: str  # the report's result, by its label


def goals(programme: Protocol | None) -> list[GoalLine]:
    """The Ж goals as the reviewer reads them, through the annex module's names."""
    if programme is None:
        return []
    results: dict[str | None, StrOrPromise] = dict(zh_annex.ACHIEVEMENT)
    return [
        GoalLine(
            goal=str(g.get(zh_annex.GOAL) or ""),
            expected=str(g.get(zh_annex.EXPECTED) or ""),
            result=str(results.get(g.get(zh_annex.RESULT), "")),
        )
        for g in zh_annex.goals(programme.data)
    ]


def school_team(school_id: int) -> QuerySet[User]:
    """Staff of the school (support team, administrators, assistants): attendees and
    responsible people of its meetings."""
    ids = Role.objects.filter(
        school_id=school_id,
        archived_at__isnull=True,
        kind__in=[RoleKind.SPECIALIST, RoleKind.SCHOOL_ADMIN, RoleKind.ASSISTANT],
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name")


# --- Meetings and next steps --------------------------------------------------------------------


def meeting_detail(meeting: Meeting) -> list[MeetingItem]:
    """The pupils discussed with their next steps; three queries (items, steps, attendees
    are read by the template from the prefetch)."""
    steps = NextStep.objects.filter(archived_at__isnull=True).select_related("responsible")
    return list(
        meeting.items.filter(archived_at__isnull=True)
        .select_related("pupil", "conclusion")
        .prefetch_related(Prefetch("steps", queryset=steps))
    )


def meeting_decisions(meeting: Meeting) -> list[ReviewDecision]:
    """Conclusions decided with this meeting named as the place of the decision; one query."""
    return list(
        meeting.decisions.select_related("protocol__student", "decided_by").order_by("decided_at")
    )


def my_next_steps(user: User) -> list[NextStep]:
    """Open next steps the user is responsible for, earliest due first; one query."""
    return list(
        NextStep.objects.filter(
            responsible=user,
            done_at__isnull=True,
            archived_at__isnull=True,
            item__archived_at__isnull=True,
            item__meeting__archived_at__isnull=True,
        )
        .select_related("item__pupil", "item__meeting")
        .order_by("due", "pk")
    )


# --- The school overview and the flagged pupils -------------------------------------------------
#
# Both read a whole school, so they read it lean: the flagged list its pupils as models, the
# overview as tuples (a model only for a pupil listed); hand-ins as one row of arrays per pupil —
# hand-in day computed by the database — and only Д's data; windows come from the cached
# schedule per grade and join date. Numbers are counts, made per assistant's run of due days;
# the rows behind one number are built only when asked for, a page at a time.

# A row behind one of the overview's numbers: (pupil, window) for on_time/late/missing,
# (pupil, conclusion id, status label) for pending, the pupil for flagged.
type ListingRow = tuple[Student, Window] | tuple[Student, int, StrOrPromise] | Student

SHOWN = ("on_time", "late", "missing", "pending", "flagged")


@dataclass
class Counts:
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0  # conclusions waiting for review
    flagged: int = 0  # pupils


@dataclass
class Overview:
    total: Counts
    by_class: list[tuple[str, Counts]]
    by_assistant: list[tuple[int | None, str, Counts]]
    # The rows behind the number asked for (`show`, narrowed to a class or an assistant), a
    # page at a time: (pupil, window) for on_time/late/missing, (pupil, conclusion id, status
    # label) for pending, pupils for flagged.
    listing: Page[ListingRow] | None = None


@dataclass
class Flagged:
    pupil: Student


def _school_pupils(school_id: int) -> list[Student]:
    """The school's pupils with the few fields these pages show, in class order, with their
    school's flag thresholds."""
    return list(
        Student.objects.active()
        .filter(school_id=school_id)
        .select_related("school")
        .only(*PUPIL_FIELDS, "school__flag_incidents_per_week", "school__flag_consecutive_weeks")
        .order_by("grade", "class_sort_key", "sort_key")
    )


PUPIL_FIELDS = (
    "school_id",
    "last_name",
    "first_name",
    "patronymic",
    "grade",
    "class_letter",
    "class_sort_key",
    "sort_key",
    "joined",
    "left",
)


# The overview reads its 1,000 pupils as tuples (with the school's flag thresholds), not as
# models with their school: a model instance per pupil and per school cost as much as counting
# their 37,800 windows. The model is made from the same values for a pupil in the list asked
# for (`_PupilOf`), as `.only()` would have made it.
PUPIL_ROW = (
    "id", "grade", "class_letter", "class_sort_key", "joined", "left",
    "school__flag_incidents_per_week", "school__flag_consecutive_weeks",
)  # fmt: skip
# in the model's field order, as `Model.from_db` takes them
PUPIL_MODEL_FIELDS = tuple(
    f.attname for f in Student._meta.concrete_fields if f.attname in {"id", *PUPIL_FIELDS}
)


def _school_pupil_rows(school_id: int) -> list[tuple[Any, ...]]:
    """The school's pupils in class order as `PUPIL_ROW` followed by `PUPIL_MODEL_FIELDS`."""
    return list(
        Student.objects.active()
        .filter(school_id=school_id)
        .order_by("grade", "class_sort_key", "sort_key")
        .values_list(*PUPIL_ROW, *PUPIL_MODEL_FIELDS)
    )


class _PupilOf:
    """A pupil's row, and its model when first asked for."""

    __slots__ = ("_model", "_row")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self._row: tuple[Any, ...] = row
        self._model: Student | None = None

    @property
    def model(self) -> Student:
        if self._model is None:
            values = self._row[len(PUPIL_ROW) :]
            self._model = Student.from_db(Student.objects.db, PUPIL_MODEL_FIELDS, values)
        return self._model


# A pupil's grade, join and leave dates: the pupils sharing them share their windows.
type _PupilSpan = tuple[int, date, date | None]


@dataclass
class _Lean:
    """An И protocol as the flag reads it (`dynamics.i_flag` needs its creation time)."""

    created_at: datetime


# The hand-ins of a school's year, one row per pupil (issue #17 item 3): the keys of its
# handed-in windows and their hand-in days as two arrays, and its conclusions waiting for review
# (ids, statuses). 37,800 protocols at 1,000 pupils were as many rows of five values, each an
# object Python made and its collector walked; psycopg reads 1,000 rows of arrays in C. The day
# is TruncDate's (the hand-in's date where the school is). A row whose key is not its annex's
# own ("D:2026-11-16" for Д: never written so, but the old lookup by annex and key ignored one)
# names no window, nor does one without a hand-in time (not handed in); И has no window.
# The two arrays of a pupil's hand-ins are fed the same rows in the same order (one filter, no
# ordering of their own: sorting them cost the database more than it saved); the waiting
# conclusions are in id order.
HAND_INS = """
SELECT student_id,
    array_agg(window_key) FILTER (WHERE own),
    array_agg((submitted_at AT TIME ZONE %(tz)s)::date) FILTER (WHERE own),
    array_agg(id ORDER BY id) FILTER (WHERE waiting),
    array_agg(status ORDER BY id) FILTER (WHERE waiting)
FROM (
    SELECT *,
        starts_with(window_key, annex || ':') AND submitted_at IS NOT NULL AS own,
        annex = %(g)s AND status = ANY(%(waiting)s) AS waiting
    FROM protocols_protocol
    WHERE year_id = %(year)s AND status = ANY(%(done)s) AND archived_at IS NULL
        AND annex <> %(i)s
) p
GROUP BY student_id
"""


def _hand_ins(
    year_id: int,
) -> tuple[dict[int, dict[str, date]], dict[int, list[tuple[int, str]]]]:
    """The hand-in day of each handed-in protocol of the school's year (archived pupils' too,
    never looked up) by pupil, then by window key, and the conclusions waiting for review by
    pupil (id, status); one query of a few columns (no data), the day computed by the
    database."""
    params: dict[str, Any] = {
        "year": year_id, "tz": timezone.get_current_timezone_name(),
        "done": [str(s) for s in DONE], "i": AnnexCode.I.value, "g": AnnexCode.G.value,
        "waiting": [str(s) for s in QUEUE_STATES["pending"][0]],
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(HAND_INS, params)
        rows = cursor.fetchall()
    handed = {pupil: dict(zip(keys, days, strict=True)) for pupil, keys, days, *_w in rows if keys}
    pending = {
        pupil: list(zip(ids, statuses, strict=True)) for pupil, *_h, ids, statuses in rows if ids
    }
    return handed, pending


# Д's incidents per pupil and day, counted by the database over the JSON of the whole school's
# year (issue #17 item 3): the flag needs weekly counts, not each incident. The database groups
# by the date value's first ten characters (a string's, as `dynamics` reads it) or, for a value
# that is not a string, by the value itself; Python reads each distinct value once with
# `dynamics.incident_day`, so the weeks and counts are those `dynamics.d_weeks` makes (docs/
# DECISIONS.md SC2). И rows come in the same query.
FLAG_INPUTS = """
SELECT 'D', p.student_id, NULL::timestamptz,
    CASE WHEN jsonb_typeof(r.row -> %(day)s) = 'string' THEN left(r.row ->> %(day)s, 10) END,
    CASE WHEN jsonb_typeof(r.row -> %(day)s) <> 'string' THEN (r.row -> %(day)s)::text END,
    count(*)
FROM protocols_protocol p
CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(p.data -> %(rows)s) = 'array' THEN p.data -> %(rows)s
        ELSE '[]'::jsonb END
) AS r(row)
WHERE p.year_id = %(year)s AND p.annex = %(d)s AND p.archived_at IS NULL
    AND jsonb_typeof(r.row) = 'object'
GROUP BY 2, 4, 5
UNION ALL
SELECT 'I', student_id, created_at, NULL, NULL, 0
FROM protocols_protocol
WHERE year_id = %(year)s AND annex = %(i)s AND archived_at IS NULL
"""


def _flag_inputs(year_id: int) -> tuple[dict[int, Counter[date]], dict[int, list[_Lean]]]:
    """What the Д flag reads, by pupil: Д's incidents per Monday (counted by the database)
    and the И protocols' creation time; one query, no protocol's data decoded in Python."""
    per_monday: dict[int, Counter[date]] = defaultdict(Counter)
    on_demand: dict[int, list[_Lean]] = defaultdict(list)
    params: dict[str, int | str] = {
        "year": year_id, "d": AnnexCode.D.value, "i": AnnexCode.I.value,
        "rows": d_annex.INCIDENTS, "day": d_annex.INCIDENT_DATE,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(FLAG_INPUTS, params)
        rows = cursor.fetchall()
    mondays: dict[tuple[str | None, str | None], date | None] = {}  # each distinct value read once
    for annex, student_id, created_at, text, other, n in rows:
        if annex == AnnexCode.I:
            # as the model reads it (UTC), so `i_flag` takes the same day as elsewhere
            on_demand[student_id].append(_Lean(created_at.astimezone(UTC)))
            continue
        key = (text, other)
        if key not in mondays:
            value = text if text is not None else json.loads(other) if other is not None else None
            day = dynamics.incident_day(value)
            mondays[key] = day - timedelta(days=day.weekday()) if day else None
        monday = mondays[key]
        if monday is not None:
            per_monday[student_id][monday] += n
    return per_monday, on_demand


def _flagged(
    grade: int,
    thresholds: tuple[int, int],
    cal: Calendar,
    per_monday: Counter[date],
    on_demand: list[_Lean],
    today: date,
    mondays: dict[int, list[date]],
) -> bool:
    """Whether a pupil's Д crossed the school's thresholds (incidents per week, consecutive
    weeks) since the latest И; `mondays` caches each grade's school weeks."""
    per_week, weeks_needed = thresholds
    # A flag needs at least per_week × weeks_needed incidents: fewer in all, no flag.
    if per_monday.total() < max(per_week, 1) * max(weeks_needed, 1):
        return False
    if grade not in mondays:
        mondays[grade] = dynamics.school_mondays(cal, grade=grade, today=today)
    weeks = dynamics.week_counts(per_monday, mondays[grade])
    return dynamics.i_flag(weeks, on_demand, per_week=per_week, weeks_needed=weeks_needed)


@dataclass(frozen=True, slots=True)
class _Due:
    """A span's windows due before today that count (required, or handed in anyway) in due
    order, and their distinct due days, so a pupil's assistants are resolved once per
    assignment row (`assignees_on`), not once per window; `part(a, b)`: the windows due on the
    days from `days[a]` to `days[b - 1]`, laid out for counting (cached: most pupils share an
    assistant all year, or change once)."""

    today: date
    windows: list[Window]
    days: list[date]
    day_of: list[int]  # per window, the index of its due day in `days`
    parts: dict[tuple[int, int], DueWindows]

    def part(self, first: int, last: int) -> DueWindows:
        if (first, last) not in self.parts:
            start, end = bisect_left(self.day_of, first), bisect_left(self.day_of, last)
            self.parts[first, last] = DueWindows.of(self.windows[start:end], self.today)
        return self.parts[first, last]


def _due_windows(
    cal: Calendar, key: _PupilSpan, today: date, cache: dict[_PupilSpan, _Due]
) -> _Due:
    if key not in cache:
        grade, joined, left = key
        windows = sorted(
            (
                w
                for w in windows_for_pupil(cal, grade=grade, joined=joined, left=left)
                if past_due(w, today)
            ),
            key=lambda w: w.due,
        )
        days = sorted({w.due for w in windows})
        index = {day: i for i, day in enumerate(days)}
        cache[key] = _Due(today, windows, days, [index[w.due] for w in windows], {})
    return cache[key]


@lru_cache(maxsize=32)
def _by_day(cal: Calendar, today: date) -> tuple[dict[_PupilSpan, _Due], dict[int, list[date]]]:
    """Caches for one calendar on one day, filled as pupils ask, kept across requests (the same
    for every request of the day): each span's due windows (`_due_windows`) and each grade's
    school Mondays (`_flagged`)."""
    return {}, {}


def _runs[T](values: list[T]) -> list[tuple[T, int, int]]:
    """The runs of equal neighbours in `values` as (value, first index, index after the last)."""
    if not values:
        return []
    if values.count(values[0]) == len(values):  # most pupils: one assistant all year
        return [(values[0], 0, len(values))]
    runs, first = [], 0
    for i in range(1, len(values)):
        if values[i] != values[i - 1]:
            runs.append((values[first], first, i))
            first = i
    runs.append((values[first], first, len(values)))
    return runs


def school_overview(
    school_id: int,
    today: date,
    *,
    show: str = "",
    klass: str | None = None,
    assistant: str | None = None,
    page: int | str | None = 1,
    each_window: Callable[[str, Student, Window], None] | None = None,
) -> Overview:
    """Per class and per assistant: windows due by today handed in on time, late (after the
    due day) or missing (overdue), conclusions pending review, pupils flagged by Д; with
    `show`, the rows behind that number (for the class `klass`, the assistant `assistant` —
    an id or "none" — or the whole school). `each_window(bucket, pupil, window)`, if given, is
    called for every window counted (the oversight summaries tally them by month and annex).

    A window counts against the assistant assigned on its due date (SPEC §3 "Who is
    responsible"); pending conclusions and flags against the current assistant. Queries:
    pupils (as tuples, with the school's flag thresholds), assignments with names, the year
    with holidays, hand-ins (one row per pupil), the flags' Д data.
    """
    pupils = _school_pupil_rows(school_id)
    year = current_years([school_id], today).get(school_id)
    assignments: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    names: dict[int | None, str] = {}
    for student_id, assistant_id, start, end, name in Assignment.objects.filter(
        student__school_id=school_id
    ).values_list("student_id", "assistant_id", "start", "end", "assistant__full_name"):
        assignments[student_id].append((assistant_id, start, end))
        names[assistant_id] = name
    total = Counts()
    classes: dict[tuple[int, str, str], Counts] = defaultdict(Counts)
    people: dict[int | None, Counts] = defaultdict(Counts)
    listing: list[ListingRow] = []
    show = show if show in SHOWN else ""
    if year is not None and pupils:
        cal = calendar_of(year)
        handed, pending = _hand_ins(year.pk)
        d_counts, on_demand = _flag_inputs(year.pk)
        cache, mondays = _by_day(cal, today)
        no_hand_ins: dict[str, date] = {}
        # Each window is looked at only for the oversight summaries and the lists behind the
        # on time / late / missing numbers; the numbers alone are counted per assistant's run
        # of due days (`DueWindows`: the lateness rule without a call per window).
        by_window = each_window is not None or show in ("on_time", "late", "missing")
        for row in pupils:
            pk, grade, letter, class_sort_key, joined, left, per_week, weeks = row[:8]  # PUPIL_ROW
            pupil = _PupilOf(row)  # the model, made only for a row listed or each_window
            mine = assignments.get(pk, [])
            name = class_name(grade, letter)
            counts_of_class = classes[grade, class_sort_key, name]
            now = assignee_on(mine, today)
            listed_class = show and (klass is None or klass == name)
            due = _due_windows(cal, (grade, joined, left), today, cache)
            assignees = assignees_on(mine, due.days)
            handed_by_pupil = handed.get(pk, no_hand_ins)
            # The pupil's windows tallied by (bucket, assistant) first, then added to the three
            # tables once per pair rather than once per window (37,800 windows at 1,000 pupils).
            tally: Counter[tuple[Punctuality, int | None]] = Counter()
            if by_window:
                for window, day in zip(due.windows, due.day_of, strict=True):
                    bucket = punctuality(
                        window, handed_in=handed_by_pupil.get(window.key), today=today
                    )
                    if bucket is None:
                        continue  # due after the pupil left and not handed in: not required
                    who = assignees[day]
                    tally[bucket, who] += 1
                    if each_window is not None:
                        each_window(bucket, pupil.model, window)
                    if bucket == show and listed_class and _is_asked(assistant, who):
                        listing.append((pupil.model, window))
            else:
                for who, first, last in _runs(assignees):
                    on_time, late, missing = due.part(first, last).counts(handed_by_pupil)
                    tally[Punctuality.ON_TIME, who] += on_time
                    tally[Punctuality.LATE, who] += late
                    tally[Punctuality.MISSING, who] += missing
            for (bucket, who), n in tally.items():
                if n:  # an assistant with nothing counted has no row
                    for counts in (total, counts_of_class, people[who]):
                        setattr(counts, bucket, getattr(counts, bucket) + n)
            for conclusion, status in pending.get(pk, ()):
                for counts in (total, counts_of_class, people[now]):
                    counts.pending += 1
                if show == "pending" and listed_class and _is_asked(assistant, now):
                    listing.append((pupil.model, conclusion, Status(status).label))
            flag_counts, demand = d_counts.get(pk, Counter()), on_demand.get(pk, [])
            if _flagged(grade, (per_week, weeks), cal, flag_counts, demand, today, mondays):
                for counts in (total, counts_of_class, people[now]):
                    counts.flagged += 1
                if show == "flagged" and listed_class and _is_asked(assistant, now):
                    listing.append(pupil.model)
    ordered = sorted(classes.items(), key=lambda kv: kv[0][:2])  # grade, then letter
    by_class = [(key[2], counts) for key, counts in ordered]
    by_assistant = sorted(
        ((pk, names.get(pk, ""), c) for pk, c in people.items()),
        key=lambda row: (row[0] is None, row[1]),
    )
    page_of = Paginator(listing, PAGE_SIZE).get_page(page) if show else None
    return Overview(total, by_class, by_assistant, page_of)


def _is_asked(asked: str | None, who: int | None) -> bool:
    """Whether a row counted against `who` belongs to the assistant asked for (None: any)."""
    return asked is None or asked == str(who or "none")


# The overview's sortable columns with their headers, in the order shown.
OVERVIEW_SORTS = {
    "on_time": _("on time"),
    "late": _("late"),
    "missing": _("missing"),
    "pending": _("waiting for review"),
    "flagged": _("flagged"),
}

# An overview row ending with the query of the lists behind its numbers: (class name, counts,
# query) per class, (assistant id or None, name, counts, query) per assistant.
type ClassRow = tuple[str, Counts, str]
type PersonRow = tuple[int | None, str, Counts, str]


def _sort_value(counts: Counts, key: str) -> float:
    """A column's sort value: the share of due windows for on time / late / missing (so a
    small class and a big one compare), the count for pending and flagged."""
    n: int = getattr(counts, key)
    if key in ("pending", "flagged"):
        return n
    due = counts.on_time + counts.late + counts.missing
    return n / due if due else 0


def overview_rows(overview: Overview, sort: str) -> tuple[list[ClassRow], list[PersonRow]]:
    """The overview's rows per class and per assistant, each with the query of the lists
    behind its numbers (?class=… / ?assistant=…, "none" for pupils without one); with `sort`
    one of OVERVIEW_SORTS, worst first by that column (ties keep the order given: classes by
    grade, assistants by name)."""
    classes = [(name, c, urlencode({"class": name})) for name, c in overview.by_class]
    people = [
        (pk, name, c, urlencode({"assistant": pk or "none"}))
        for pk, name, c in overview.by_assistant
    ]
    if sort in OVERVIEW_SORTS:
        classes.sort(key=lambda row: _sort_value(row[1], sort), reverse=True)
        people.sort(key=lambda row: _sort_value(row[2], sort), reverse=True)
    return classes, people


def flagged_pupils(school_id: int, today: date) -> tuple[list[Flagged], list[Protocol]]:
    """Pupils whose Д shows repeated incidents (SPEC §3 row И), and the school's И protocols
    waiting for the psychologist's sign-off; four queries (pupils, the year with holidays,
    the flags' Д data, the И protocols waiting)."""
    pupils = _school_pupils(school_id)
    year = current_years([school_id], today).get(school_id)
    if year is None or not pupils:
        return [], []
    cal = calendar_of(year)
    d_counts, on_demand = _flag_inputs(year.pk)
    _spans, mondays = _by_day(cal, today)
    flagged = [
        Flagged(p)
        for p in pupils
        if _flagged(
            p.grade,
            (p.school.flag_incidents_per_week, p.school.flag_consecutive_weeks),
            cal,
            d_counts.get(p.pk, Counter()),
            on_demand.get(p.pk, []),
            today,
            mondays,
        )  # fmt: skip
    ]
    waiting = list(
        Protocol.objects.filter(
            annex=AnnexCode.I,
            year=year,
            status=Status.SUBMITTED,
            signed_off_at__isnull=True,
            archived_at__isnull=True,
            student__school_id=school_id,
            student__archived_at__isnull=True,
        )
        .select_related("student")
        .defer("data")
        .order_by("created_at")
    )
    return flagged, waiting


# --- The team's pupil dossier -------------------------------------------------------------------


def team_dossier(pupil: Student, today: date) -> dict[str, Any]:
    """Everything about one pupil: the year's protocols by window, the dynamics (Б side by
    side, Д per week, Ж goal outcomes), conclusions with their decisions, meeting decisions.
    Queries: the year, the protocols, the decisions, the meeting items, their steps."""
    (py,) = pupil_years([pupil], today, fields=None)
    ctx: dict[str, Any] = {"py": py, "goals": goals(_latest(py, Annex.ZH))}
    if py.calendar is not None:
        ctx.update(dynamics.pupil_dynamics(py, today))
    conclusions = [p for p in py.protocols if p.annex == Annex.G]
    decisions: defaultdict[int, list[ReviewDecision]] = defaultdict(list)
    if conclusions:
        for d in ReviewDecision.objects.filter(protocol__in=conclusions).select_related(
            "decided_by"
        ):
            decisions[d.protocol_id].append(d)
    ctx["conclusions"] = [(p, decisions.get(p.pk, [])) for p in conclusions]
    ctx["meeting_items"] = meeting_decisions_for(pupil)
    return ctx


def pupils_for_meeting(school_id: int) -> QuerySet[Student]:
    return (
        Student.objects.active()
        .filter(school_id=school_id)
        .order_by("grade", "class_sort_key", "sort_key")
    )


def conclusions_of_school(school_id: int) -> QuerySet[Protocol]:
    return (
        Protocol.objects.filter(
            annex=AnnexCode.G, student__school_id=school_id, archived_at__isnull=True
        )
        .filter(~Q(status=Status.DRAFT))
        .select_related("student")
        .defer("data")
    )


def waiting_for_review(user: User) -> int:
    """How many conclusions wait for this specialist's team (home page); one query."""
    return conclusions_for_reviewer(user).filter(status__in=QUEUE_STATES["pending"][0]).count()


@dataclass
class Agenda:
    conclusions: list[Protocol]  # Г waiting for the team's decision, oldest first
    flagged: list[Student]  # pupils whose Д crossed the school's thresholds


def meeting_agenda(school_id: int, today: date) -> Agenda:
    """What a meeting starts from: the conclusions waiting and the flagged pupils."""
    conclusions = list(
        Protocol.objects.filter(
            student__school_id=school_id,
            student__archived_at__isnull=True,
            annex=AnnexCode.G,
            status__in=(Status.SUBMITTED, Status.UNDER_REVIEW),
            archived_at__isnull=True,
        )
        .select_related("student")
        .order_by("submitted_at", "pk")
    )
    flagged, _waiting = flagged_pupils(school_id, today)
    return Agenda(conclusions, [py.pupil for py in flagged])
