"""A pupil's dynamics over the year: Б's three observations side by side,
Д's incidents per school week (count, mean intensity, by behaviour type) as a server-drawn
SVG chart, and the И suggestion when Д shows repeated incidents (SPEC §3, row И).

Works on the protocols `selectors.pupil_years(..., fields=DYNAMICS_FIELDS)` loaded: no queries.
Tolerant of missing or malformed keys in `data` (drafts are partial). The keys of `data` are
the annex modules' names (`b_annex.ratings`, `d_annex.INCIDENT_DATE`, …), never typed here:
the form that saves a value and the reader that reads it share one name.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol as Structural

from . import annexes
from .annexes import b_free_activity as b_annex
from .annexes import d_behaviour_log as d_annex
from .models import Protocol
from .schedule import Annex, Calendar, Period, behaviour_flag, school_weeks

B_PERIODS = [Period.SEPTEMBER, Period.HALF_YEAR, Period.YEAR_END]


def _rating(value) -> int | None:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        return None
    return rating if 0 <= rating <= 3 else None


@dataclass
class BRow:
    area: str
    label: str
    values: list[int | None]  # one per B_PERIODS
    changes: list[str]  # "", "up", "down", "same" next to each value after the first

    @property
    def cells(self) -> list[tuple[int | None, str]]:
        return list(zip(self.values, self.changes, strict=True))


def b_dynamics(protocols: list[Protocol]) -> list[BRow] | None:
    """Rows area × (September, half-year, year end); None when no Б has ratings yet.

    A change is marked against the previous observation that has a value.
    """
    by_period = {}
    for p in protocols:
        if p.annex == Annex.B:
            period = p.window_key.split(":", 1)[-1]
            by_period[period] = {
                area: rating
                for area, value in b_annex.ratings(p.data).items()
                if (rating := _rating(value)) is not None
            }
    if not any(by_period.values()):
        return None
    rows = []
    for area, label in b_annex.AREAS:
        values = [by_period.get(str(period), {}).get(area) for period in B_PERIODS]
        changes, previous = [], None
        for value in values:
            if value is None or previous is None:
                changes.append("")
            else:
                changes.append("up" if value > previous else "down" if value < previous else "same")
            if value is not None:
                previous = value
        rows.append(BRow(area, str(label), values, changes))
    return rows


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _intensity(value) -> int | None:
    try:
        v = int(value)
    except (TypeError, ValueError):
        return None
    return v if 1 <= v <= 3 else None


@dataclass
class Week:
    monday: date
    count: int
    mean_intensity: float | None
    by_type: Counter


def _behaviour_labels() -> dict[str, str]:
    """Choice labels of Д's behaviour_type, from the annex registry when it has them."""
    try:
        row_form = annexes.get(Annex.D).rows.get(d_annex.INCIDENTS)
    except KeyError:
        return {}
    field = row_form.base_fields.get(d_annex.BEHAVIOUR_TYPE) if row_form else None
    return {str(k): str(v) for k, v in getattr(field, "choices", ()) if k}


def d_weeks(protocols: list[Protocol], cal: Calendar, *, grade, today: date) -> list[Week]:
    """Every school week of the year up to `today` (or the year's end) with Д's incidents."""
    incidents: dict[date, list[dict]] = defaultdict(list)
    for p in protocols:
        if p.annex != Annex.D:
            continue
        for row in d_annex.incidents(p.data):
            day = _day(row.get(d_annex.INCIDENT_DATE))
            if day is not None:
                incidents[day - timedelta(days=day.weekday())].append(row)
    weeks = []
    for days in school_weeks(cal, grade=grade):
        if days[0] > today:
            break
        monday = days[0] - timedelta(days=days[0].weekday())
        rows = incidents.get(monday, [])
        levels = [i for i in (_intensity(r.get(d_annex.INTENSITY)) for r in rows) if i is not None]
        weeks.append(
            Week(
                monday=monday,
                count=len(rows),
                mean_intensity=sum(levels) / len(levels) if levels else None,
                by_type=Counter(str(r.get(d_annex.BEHAVIOUR_TYPE) or "—") for r in rows),
            )
        )
    return weeks


@dataclass
class Chart:
    """A bar (count) and line (mean intensity) chart, coordinates computed here so the
    template only places shapes (no inline style, strict CSP)."""

    width: int
    height: int
    bars: list[dict]
    line: str  # SVG points of the mean-intensity line
    dots: list[dict]
    y_ticks: list[dict]
    x_labels: list[dict]
    max_count: int


def d_chart(weeks: list[Week]) -> Chart | None:
    if not any(w.count for w in weeks):
        return None
    left, top, bottom, step = 36, 10, 30, 18
    plot_h = 140
    width = left + step * len(weeks) + 36
    height = top + plot_h + bottom
    max_count = max(max(w.count for w in weeks), 1)
    bars, dots, points, labels = [], [], [], []
    for i, w in enumerate(weeks):
        x = left + i * step
        h = round(plot_h * w.count / max_count)
        bars.append({"x": x + 2, "y": top + plot_h - h, "w": step - 4, "h": h, "week": w})
        if w.mean_intensity is not None:
            cy = round(top + plot_h - plot_h * w.mean_intensity / 3, 1)
            cx = x + step // 2
            points.append(f"{cx},{cy}")
            dots.append({"x": cx, "y": cy, "week": w})
        if i % 4 == 0:
            labels.append({"x": x + step // 2, "y": height - 12, "week": w})
    ticks = [
        {"y": top + plot_h - round(plot_h * v / max_count), "value": v}
        for v in sorted({0, max_count // 2, max_count})
    ]
    return Chart(width, height, bars, " ".join(points), dots, ticks, labels, max_count)


@dataclass
class TypeRow:
    behaviour_type: str
    label: str
    total: int
    weeks_with: int


def d_types(weeks: list[Week]) -> list[TypeRow]:
    labels = _behaviour_labels()
    totals, weeks_with = Counter(), Counter()
    for w in weeks:
        totals.update(w.by_type)
        weeks_with.update(w.by_type.keys())
    return [
        TypeRow(t, labels.get(t, t), n, weeks_with[t])
        for t, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@dataclass(frozen=True)
class WeekCount:
    """A school week as the И flag reads it: its Monday and Д's incident count."""

    monday: date
    count: int


def incident_day(value) -> date | None:
    """The day of an incident row's date value, as `d_weeks` reads it (the database's count,
    `review.selectors`, hands it every value it does not read itself)."""
    return _day(value)


def school_mondays(cal: Calendar, *, grade, today: date) -> list[date]:
    """The Monday of every school week up to `today`, the weeks `d_weeks` lists."""
    mondays = []
    for days in school_weeks(cal, grade=grade):
        if days[0] > today:
            break
        mondays.append(days[0] - timedelta(days=days[0].weekday()))
    return mondays


def week_counts(per_monday: dict[date, int], mondays: list[date]) -> list[WeekCount]:
    """Д's incidents per school week from counts per Monday already made (by the database for
    a whole school): the counts of `d_weeks` without reading each incident in Python."""
    return [WeekCount(monday, per_monday.get(monday, 0)) for monday in mondays]


class Opened(Structural):
    """What the И flag reads of an И protocol: when it was opened (a `Protocol`, or the lean
    row `review.selectors` reads for a whole school)."""

    @property
    def created_at(self) -> datetime: ...


def i_flag(weeks: list, on_demand: Sequence[Opened], *, per_week: int, weeks_needed: int) -> bool:
    """SPEC §3 row И: suggest an И protocol when Д has ≥ per_week incidents in weeks_needed
    consecutive school weeks — counted only since the latest И, so a case being handled
    is not flagged again. `weeks`: `Week`s or `WeekCount`s (a Monday and a count each)."""
    since = max((p.created_at.date() for p in on_demand), default=None)
    # Weeks after the one the latest И was opened in.
    counts = [w.count for w in weeks if since is None or w.monday > since]
    return behaviour_flag(counts, per_week=max(per_week, 1), weeks=max(weeks_needed, 1))


def pupil_dynamics(py, today: date) -> dict:
    """Б side by side, Д per week with its chart and types, and the И flag of one pupil."""
    weeks = d_weeks(py.protocols, py.calendar, grade=py.pupil.grade, today=today)
    school = py.pupil.school
    return {
        "b_rows": b_dynamics(py.protocols),
        "d_weeks": [w for w in weeks if w.count],
        "d_chart": d_chart(weeks),
        "d_types": d_types(weeks),
        "i_flag": i_flag(
            weeks,
            py.on_demand,
            per_week=school.flag_incidents_per_week,
            weeks_needed=school.flag_consecutive_weeks,
        ),
        "flag_per_week": school.flag_incidents_per_week,
        "flag_weeks": school.flag_consecutive_weeks,
    }
