"""The protocol schedule: which annex windows a pupil has in an academic year.

A pure module (STYLE.md, "Pure rules"): standard library only, no Django, so
the rules can be tested exhaustively and reused by views, reminders and the
school overview alike. The rules are SPEC.md §3 ("The schedule"); every
function cites the part it implements.

Readings of §3 that the text leaves open (each also noted where it is coded):

* ``grade=None`` means "grade unknown": only whole-school holidays apply.
* Everyone is treated as a pupil who joins on their own first school day; a
  pupil there from the start simply joins on the year's first school day. So
  the joiners' skip rules also guard pupils of very short or odd calendars,
  and a regular pupil's I half-year Ж programme is their "days 11-15".
* A joiner's own Ж programme (days 11-15) belongs to the half-year it is
  *due* in: key ``ZH:programme_1`` when due on or before the half-year
  boundary, else ``ZH:programme_2`` (a plan finished after the boundary can
  only be put to work in the II half-year). The regular II half-year
  programme is then always skipped by §3's rule, so keys stay unique.
* A pupil with no own Ж programme (fewer than 11 school days left) gets no
  II half-year programme either.
* "Would open before ... has closed": a window closes at the end of its due
  day, so a window opening *on* that day is skipped too.
* "Days -10...-6" of a half-year shorter than ten school days keeps the days
  that exist in that range (none when five or fewer).
* The Ж report is skipped only by the diagnostic rule §3 states, even when
  it overlaps a joiner's own Ж programme.
"""

import bisect
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import repeat

__all__ = [
    "LETTERS",
    "Annex",
    "Calendar",
    "Holiday",
    "Period",
    "Punctuality",
    "Status",
    "Window",
    "behaviour_flag",
    "current_week",
    "first_school_day",
    "past_due",
    "punctuality",
    "school_days",
    "school_weeks",
    "window_status",
    "windows_for_pupil",
]

ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(days=7)


class Annex(StrEnum):
    """The nine annexes (SPEC §2), declared in Kazakh alphabet order.

    Members compare in that order (А < Б < В < Г < Д < Е < Ж < И < К), not by
    their Latin codes, so windows due on the same day list А, Б, В before Д.
    Against a plain string they compare as strings.
    """

    A = "A"
    B = "B"
    V = "V"
    G = "G"
    D = "D"
    E = "E"
    ZH = "ZH"
    I = "I"  # noqa: E741 - the SPEC's code letter for annex И
    K = "K"

    @property
    def letter(self) -> str:
        """The Kazakh letter the UI shows (SPEC §2)."""
        return LETTERS[self]

    def __lt__(self, other: str) -> bool:
        if isinstance(other, Annex):
            return _RANK[self] < _RANK[other]
        return str.__lt__(self, other)

    def __le__(self, other: str) -> bool:
        if isinstance(other, Annex):
            return _RANK[self] <= _RANK[other]
        return str.__le__(self, other)

    def __gt__(self, other: str) -> bool:
        if isinstance(other, Annex):
            return _RANK[self] > _RANK[other]
        return str.__gt__(self, other)

    def __ge__(self, other: str) -> bool:
        if isinstance(other, Annex):
            return _RANK[self] >= _RANK[other]
        return str.__ge__(self, other)


_RANK: dict[Annex, int] = {annex: rank for rank, annex in enumerate(Annex)}

LETTERS: dict[Annex, str] = {
    Annex.A: "А",
    Annex.B: "Б",
    Annex.V: "В",
    Annex.G: "Г",
    Annex.D: "Д",
    Annex.E: "Е",
    Annex.ZH: "Ж",
    Annex.I: "И",
    Annex.K: "К",
}


class Period(StrEnum):
    """What a window is for (SPEC §3, windows table)."""

    SEPTEMBER = "september"  # А/Б/В days 1-5, Г days 6-10; a joiner's from their first day
    HALF_YEAR = "half_year"  # Б and Г at the end of the I half-year
    YEAR_END = "year_end"  # Б and Г at the end of the year
    PROGRAMME_1 = "programme_1"  # Ж, I half-year programme (a joiner's own, if due by then)
    PROGRAMME_2 = "programme_2"  # Ж, II half-year programme (a joiner's own, if due later)
    REPORT = "report"  # Ж, report at year end
    WEEK = "week"  # Д, Е, К: one window per school week


class Status(StrEnum):
    """A window's state for one pupil on one day; see :func:`window_status`."""

    DONE = "done"
    NOT_REQUIRED = "not_required"
    OVERDUE = "overdue"
    OPEN = "open"
    UPCOMING = "upcoming"


@dataclass(frozen=True, slots=True)
class Holiday:
    """A holiday range, both ends included (SPEC §3, "Calendar").

    ``grades`` empty: the whole school is off. Otherwise only pupils of these
    grades are (e.g. first graders' extra week in February).
    """

    start: date
    end: date
    grades: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"holiday ends ({self.end}) before it starts ({self.start})")
        # Accept any iterable (a list from a form or the database) but keep the
        # dataclass hashable: Calendar is a cache key.
        object.__setattr__(self, "grades", frozenset(self.grades))

    def applies_to(self, grade: int | None) -> bool:
        """Whether pupils of ``grade`` are off; an unknown grade gets only whole-school ones."""
        return not self.grades or (grade is not None and grade in self.grades)


@dataclass(frozen=True, slots=True)
class Calendar:
    """One school's academic year (SPEC §3, "Calendar").

    ``start`` is 1 September; ``half_year_end`` the last day of the I
    half-year the school sets (the last school day before the winter break).
    Frozen and hashable, so school days are computed once per calendar and grade.
    """

    start: date
    end: date
    half_year_end: date
    holidays: tuple[Holiday, ...] = ()
    saturday_school: bool = False

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"year ends ({self.end}) before it starts ({self.start})")
        if not self.start <= self.half_year_end <= self.end:
            raise ValueError(f"half-year boundary {self.half_year_end} is outside the year")
        object.__setattr__(self, "holidays", tuple(self.holidays))


@dataclass(frozen=True, order=True, slots=True)
class Window:
    """When one protocol of one pupil is due (SPEC §3, "Windows").

    Opens at the start of ``opens`` and is due at the end of ``due``. ``key``
    is unique within a pupil's year and stable across recomputation, e.g.
    ``"B:september"``, ``"ZH:programme_2"``, ``"D:2026-09-07"`` (the week's
    Monday), so protocols can be attached to it. ``required`` is False for a
    window due after the pupil left: "not required", never overdue.

    Windows sort by due date, then annex in Kazakh order.
    """

    due: date
    annex: Annex
    period: Period
    opens: date
    key: str
    required: bool = True
    week_start: date | None = None  # Monday of the week, for weekly windows only


# --- School days and weeks ---------------------------------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=256)
def _school_days(cal: Calendar, grade: int | None) -> tuple[date, ...]:
    """SPEC §3 "Calendar": weekdays (Saturday too when the school works it)
    inside the year and outside every holiday that applies to the grade."""
    off: set[date] = set()
    for holiday in cal.holidays:
        if holiday.applies_to(grade):
            day = max(holiday.start, cal.start)
            while day <= min(holiday.end, cal.end):
                off.add(day)
                day += ONE_DAY
    last_weekday = 5 if cal.saturday_school else 4
    days = []
    day = cal.start
    while day <= cal.end:
        if day.weekday() <= last_weekday and day not in off:
            days.append(day)
        day += ONE_DAY
    return tuple(days)


@lru_cache(maxsize=256)
def _school_weeks(cal: Calendar, grade: int | None) -> tuple[tuple[date, ...], ...]:
    """School days grouped by Monday-Sunday week; weeks without school days are absent."""
    weeks: list[list[date]] = []
    for day in _school_days(cal, grade):
        if weeks and _monday(weeks[-1][0]) == _monday(day):
            weeks[-1].append(day)
        else:
            weeks.append([day])
    return tuple(tuple(week) for week in weeks)


def school_days(cal: Calendar, *, grade: int | None = None) -> list[date]:
    """The year's school days for a pupil of ``grade``, in order (SPEC §3, "Calendar")."""
    return list(_school_days(cal, grade))


def first_school_day(
    cal: Calendar, *, grade: int | None = None, on_or_after: date | None = None
) -> date | None:
    """The first school day on or after a date (default: of the year); None when none is left.

    A joining pupil's own first school day is this for their joining date (SPEC §3).
    """
    days = _school_days(cal, grade)
    index = 0 if on_or_after is None else bisect.bisect_left(days, on_or_after)
    return days[index] if index < len(days) else None


def school_weeks(
    cal: Calendar, *, grade: int | None = None, from_day: date | None = None
) -> list[list[date]]:
    """Each school week's school days (SPEC §3: a Monday-Sunday week with at least
    one school day). With ``from_day``, only days from it on count, so the week
    holding it may be shortened (a joining pupil's first week)."""
    weeks = _school_weeks(cal, grade)
    if from_day is None:
        return [list(week) for week in weeks]
    return [[day for day in week if day >= from_day] for week in weeks if week[-1] >= from_day]


def current_week(cal: Calendar, today: date, *, grade: int | None = None) -> list[date]:
    """School days of the Monday-Sunday week holding ``today``.

    Empty in a week without school days, when SPEC §3 "Reminders" sends nothing.
    """
    days = _school_days(cal, grade)
    monday = _monday(today)
    low = bisect.bisect_left(days, monday)
    high = bisect.bisect_left(days, monday + ONE_WEEK)
    return list(days[low:high])


# --- Windows -----------------------------------------------------------------


def _days(days: Sequence[date], first: int, last: int) -> Sequence[date]:
    """School days ``first``..``last`` (1-based, inclusive) of ``days``.

    Fewer when ``days`` runs out first: SPEC §3, a window cut short by the
    year's end is due on its last school day; with none left it is not created.
    """
    return days[first - 1 : last]


def _days_from_end(days: Sequence[date], first: int, last: int) -> Sequence[date]:
    """School days ``-first``..``-last`` counted from the end (``-1`` is the last day).

    A run shorter than ``first`` keeps the days that exist in the range.
    """
    start = max(len(days) - first, 0)
    stop = max(len(days) - last + 1, 0)
    return days[start:stop]


def _window(annex: Annex, period: Period, days: Sequence[date]) -> Window | None:
    """A window over ``days``: opens on the first, due on the last; None without days."""
    if not days:
        return None
    return Window(due=days[-1], annex=annex, period=period, opens=days[0], key=f"{annex}:{period}")


def _own_programme(own: Sequence[date], half_year_end: date) -> Window | None:
    """The pupil's own Ж programme, their days 11-15 (SPEC §3, joiners).

    It belongs to the half-year it is due in: a plan finished after the
    boundary can only be put to work in the II half-year.
    """
    days = _days(own, 11, 15)
    if not days:
        return None
    period = Period.PROGRAMME_1 if days[-1] <= half_year_end else Period.PROGRAMME_2
    return _window(Annex.ZH, period, days)


def _term_windows(cal: Calendar, days: Sequence[date], own: Sequence[date]) -> list[Window]:
    """Every window that is not weekly (SPEC §3, windows table and joiners).

    ``days`` are the year's school days for the pupil's grade, ``own`` the ones
    from the pupil's first school day on (the same for a pupil there from the start).
    """
    split = bisect.bisect_right(days, cal.half_year_end)
    first_half, second_half = days[:split], days[split:]

    diagnostic_days = _days(own, 1, 5)  # never empty: ``own`` starts on a school day
    diagnostics = [
        _window(annex, Period.SEPTEMBER, diagnostic_days) for annex in (Annex.A, Annex.B, Annex.V)
    ]
    conclusion = _window(Annex.G, Period.SEPTEMBER, _days(own, 6, 10))
    programme = _own_programme(own, cal.half_year_end)
    windows = [w for w in (*diagnostics, conclusion, programme) if w is not None]

    # Dynamics and the report only make sense after the pupil's diagnostics:
    # skipped when they would open before the last diagnostic window (Г, or
    # А/Б/В when no Г was created) has closed.
    last_diagnostic_due = conclusion.due if conclusion else diagnostic_days[-1]
    repeated = (
        _window(Annex.B, Period.HALF_YEAR, _days_from_end(first_half, 10, 6)),
        _window(Annex.G, Period.HALF_YEAR, _days_from_end(first_half, 5, 1)),
        _window(Annex.B, Period.YEAR_END, _days_from_end(days, 10, 6)),
        _window(Annex.G, Period.YEAR_END, _days_from_end(days, 5, 1)),
        _window(Annex.ZH, Period.REPORT, _days_from_end(days, 5, 1)),
    )
    windows += [w for w in repeated if w is not None and w.opens > last_diagnostic_due]

    # The II half-year programme: skipped when it would open before the pupil's
    # own programme closed. This always drops it when the own programme is
    # already the II half-year's, so keys stay unique; without any own
    # programme (fewer than 11 school days left) there is none either.
    second = _window(Annex.ZH, Period.PROGRAMME_2, _days(second_half, 1, 5))
    if second is not None and programme is not None and second.opens > programme.due:
        windows.append(second)
    return windows


def _week_windows(week: Sequence[date]) -> tuple[Window, ...]:
    """Д, Е, К of one school week (SPEC §3): Д and К open on its first school day
    and are due on its last; the Е plan is due on its first school day."""
    first, last = week[0], week[-1]
    monday = _monday(first)
    suffix = monday.isoformat()
    return tuple(
        Window(
            due=due,
            annex=annex,
            period=Period.WEEK,
            opens=first,
            key=f"{annex}:{suffix}",
            week_start=monday,
        )
        for annex, due in ((Annex.D, last), (Annex.E, first), (Annex.K, last))
    )


@lru_cache(maxsize=256)
def _year_week_windows(cal: Calendar, grade: int | None) -> tuple[tuple[Window, ...], ...]:
    """The weekly windows of a pupil there all year, per school week.

    Shared by every pupil of the grade; only a joiner's first week differs.
    """
    return tuple(_week_windows(week) for week in _school_weeks(cal, grade))


def _weekly_windows(cal: Calendar, grade: int | None, first: date) -> list[Window]:
    """Weekly windows from the week of the pupil's first school day on, counting
    only the days from it (SPEC §3: that week's Е is due on the first day)."""
    weeks = _school_weeks(cal, grade)
    shared = _year_week_windows(cal, grade)
    # The week holding ``first`` is the last one starting on or before it.
    index = bisect.bisect_right(weeks, first, key=lambda week: week[0]) - 1
    week = weeks[index]
    if week[0] == first:
        windows = list(shared[index])
    else:
        windows = list(_week_windows([day for day in week if day >= first]))
    for week_windows in shared[index + 1 :]:
        windows.extend(week_windows)
    return windows


def _sort_key(window: Window) -> tuple[date, int, Period, date, str]:
    # The same order as Window's own comparison (due, annex, period, opens,
    # key), computed without building a tuple per comparison.
    return (window.due, _RANK[window.annex], window.period, window.opens, window.key)


@lru_cache(maxsize=4096)
def _pupil_windows(
    cal: Calendar, grade: int | None, first: date, left: date | None
) -> tuple[Window, ...]:
    """:func:`windows_for_pupil` for a first school day and a leaving date
    normalised to school days, so pupils who share them share the result."""
    days = _school_days(cal, grade)
    own = days[bisect.bisect_left(days, first) :]
    windows = _term_windows(cal, days, own) + _weekly_windows(cal, grade, first)
    if left is not None:
        # SPEC §3, leaving: no window opens after the last day attended; one
        # due after it is closed as "not required", never "overdue".
        windows = [
            w if w.due <= left else replace(w, required=False) for w in windows if w.opens <= left
        ]
    windows.sort(key=_sort_key)
    return tuple(windows)


def windows_for_pupil(
    cal: Calendar,
    *,
    grade: int | None = None,
    joined: date | None = None,
    left: date | None = None,
) -> list[Window]:
    """Every window of one pupil's year, sorted by due date then annex (SPEC §3).

    ``joined``: the date the pupil joins (None: there from the start); their
    own first school day is the first school day on or after it. ``left``: the
    last day the pupil attends (None: stays all year). Annex И has no window.
    """
    days = _school_days(cal, grade)
    first = first_school_day(cal, grade=grade, on_or_after=joined)
    if first is None:
        return []
    if left is not None:
        if left < first:
            return []
        # Windows open and are due on school days, so any date from the last
        # school day attended on gives the same result; one form caches better.
        last_attended = days[bisect.bisect_right(days, left) - 1]
        left = None if last_attended == days[-1] else last_attended
    return list(_pupil_windows(cal, grade, first, left))


def past_due(window: Window, today: date) -> bool:
    """The window's due day is over (on the due day itself the window is still open)."""
    return today > window.due


def window_status(window: Window, *, today: date, done: bool) -> Status:
    """A window's state on ``today`` (SPEC §3): "done" when its protocol is done;
    else "not_required" after the pupil left; else "overdue" after the due day;
    "open" from its opening day through its due day; "upcoming" before."""
    if done:
        return Status.DONE
    if not window.required:
        return Status.NOT_REQUIRED
    if past_due(window, today):
        return Status.OVERDUE
    if today >= window.opens:
        return Status.OPEN
    return Status.UPCOMING


class Punctuality(StrEnum):
    """How a window past its due day was kept; see :func:`punctuality`."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


def punctuality(window: Window, *, handed_in: date | None, today: date) -> Punctuality | None:
    """Lateness, the one rule (the school overview, the oversight summaries, the digest's
    overdue count): once its due day is over, a window handed in on or before the due day is
    on time, after it late, and one not handed in (``handed_in`` None) is missing — overdue
    in :func:`window_status`. None for a window not counted: not yet past due, or not
    required (due after the pupil left) and not handed in."""
    if not past_due(window, today):
        return None
    if handed_in is None:  # `window_status`'s "overdue", without its call (one per window)
        return Punctuality.MISSING if window.required else None
    return Punctuality.ON_TIME if handed_in <= window.due else Punctuality.LATE


@dataclass(frozen=True, slots=True)
class DueWindows:
    """Windows past due, laid out to count many pupils' hand-ins against them: :func:`punctuality`
    summed over the windows without a call per window (the school overview counts ~40 windows
    for each of 1,000 pupils; `tests/protocols/test_schedule.py` compares the two)."""

    keys: tuple[str, ...]
    dues: tuple[date, ...]
    required: tuple[str, ...]  # the keys of the required windows

    @classmethod
    def of(cls, windows: Iterable[Window], today: date) -> "DueWindows":
        due = [w for w in windows if past_due(w, today)]
        keys = tuple(w.key for w in due)
        return cls(keys, tuple(w.due for w in due), tuple(w.key for w in due if w.required))

    def counts(self, handed_in: Mapping[str, date]) -> tuple[int, int, int]:
        """(on time, late, missing) of these windows by :func:`punctuality`, given the hand-in
        days by window key (a window not in `handed_in` was not handed in): handed in by the
        due day, after it, and required but not handed in; a window not required and not
        handed in is not counted."""
        handed = sum(map(handed_in.__contains__, self.keys))
        days = map(handed_in.get, self.keys, repeat(date.max))  # date.max: not handed in
        on_time = sum(map(operator.le, days, self.dues))
        missing = len(self.required) - sum(map(handed_in.__contains__, self.required))
        return on_time, handed - on_time, missing


# --- Annex И -----------------------------------------------------------------


def behaviour_flag(weekly_counts: Iterable[int], *, per_week: int = 3, weeks: int = 2) -> bool:
    """Whether to suggest an И protocol (SPEC §3, row И).

    ``weekly_counts`` are Д incident counts, one per *school* week in order
    (weeks without school days are left out, so two school weeks around a break
    are consecutive). True when any run of ``weeks`` consecutive entries each
    has at least ``per_week`` incidents. The caller picks the span: e.g. only
    the weeks since the last И protocol, so a settled case is not flagged again.
    """
    if per_week < 1 or weeks < 1:
        raise ValueError("per_week and weeks must be at least 1")
    counts = list(weekly_counts)
    if any(count < 0 for count in counts):
        raise ValueError("incident counts cannot be negative")
    run = 0
    for count in counts:
        run = run + 1 if count >= per_week else 0
        if run >= weeks:
            return True
    return False
