"""Reads for oversight: sums of the nightly `SchoolMonth` rows, shown with small counts
suppressed. Nothing here reads a pupil or a protocol."""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assistant_portal.annotations import StrOrPromise
from students.models import District, Region, School

from . import disclosure
from .models import SchoolMonth

PERIODS = {
    "year": _("the whole year"),
    "h1": _("I half-year (September–December)"),
    "h2": _("II half-year (January–August)"),
}
ANNEXES = ("A", "B", "V", "G", "D", "E", "ZH", "K")  # И has no windows: counted as flags

# The columns of a dashboard row, in order; "due" is the sum of the three after it.
COLUMNS = ("pupils", "assistants", "due", "on_time", "late", "missing", "flagged", "certified")
# What each printed cell is, in the order pages and exports show them.
HEADERS = {
    "pupils": _("Pupils supported"),
    "assistants": _("Teaching assistants"),
    "due": _("Protocols due"),
    "on_time": _("On time"),
    "late": _("Late"),
    "missing": _("Missing"),
    "on_time_share": _("Share on time"),
    "g_wait_median": _("Days a Г waits (median)"),
    "g_returned_share": _("Conclusions returned"),
    "flagged": _("Pupils flagged for И"),
    "k_per_pupil_month": _("К sheets per pupil per month"),
    "certified": _("Assistants certified"),
}
# Lines whose total is shown: a row's due = on time + late + missing.
ROW_GROUP = ("due", "on_time", "late", "missing")


# --- Periods -----------------------------------------------------------------------------------


def months_of(year_start: int, period: str) -> list[date]:
    """The calendar months a period covers; a month is given as YYYY-MM."""
    if period == "h1":
        return [date(year_start, m, 1) for m in range(9, 13)]
    if period == "h2":
        return [date(year_start + 1, m, 1) for m in range(1, 9)]
    if len(period) == 7 and period[4] == "-":
        try:
            return [date(int(period[:4]), int(period[5:]), 1)]
        except ValueError:
            pass
    return months_of(year_start, "h1") + months_of(year_start, "h2")


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class Figures:
    """The counts of a school or of a group of schools over a period."""

    pupils: int = 0
    assistants: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    flagged: int = 0
    certified: int = 0
    k_sheets: int = 0
    pupil_months: int = 0
    returned: int = 0
    waits: list[int] = field(default_factory=list)
    annexes: dict[str, list[int]] = field(default_factory=dict)

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing

    def add(self, other: "Figures") -> None:
        for name in ("pupils", "assistants", "on_time", "late", "missing", "flagged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.certified += other.certified
        self.k_sheets += other.k_sheets
        self.pupil_months += other.pupil_months
        self.returned += other.returned
        self.waits += other.waits
        for annex, counts in other.annexes.items():
            mine = self.annexes.setdefault(annex, [0, 0, 0])
            for i in range(3):
                mine[i] += counts[i]


def _figures(rows: list[SchoolMonth]) -> Figures:
    """One school's period: windows and decisions summed; staffing from the period's last
    month; the snapshots (flags, certificates) from the latest row that has them."""
    f = Figures()
    if not rows:
        return f
    rows = sorted(rows, key=lambda r: r.month)
    f.pupils, f.assistants = rows[-1].pupils, rows[-1].assistants
    f.flagged, f.certified = rows[-1].flagged, rows[-1].certified_assistants
    for r in rows:
        f.pupil_months += r.pupils
        f.returned += r.g_returned
        f.waits += r.g_waits
        for annex, counts in r.windows.items():
            mine = f.annexes.setdefault(annex, [0, 0, 0])
            for i in range(3):
                mine[i] += counts[i]
        k = r.windows.get("K", [0, 0, 0])
        f.k_sheets += k[0] + k[1]
    for annex_counts in f.annexes.values():
        f.on_time += annex_counts[0]
        f.late += annex_counts[1]
        f.missing += annex_counts[2]
    return f


def _month_rows(
    school_ids: Iterable[int], year_start: int, months: list[date]
) -> QuerySet[SchoolMonth]:
    """One query: the summary rows of these schools in these months."""
    return SchoolMonth.objects.filter(
        school_id__in=list(school_ids), year_start=year_start, month__in=months
    ).only(
        "school_id",
        "month",
        "pupils",
        "assistants",
        "windows",
        "flagged",
        "g_waits",
        "g_returned",
        "certified_assistants",
    )


# --- The table a person reads --------------------------------------------------------------------


@dataclass
class Row:
    label: str
    link: str  # the breakdown behind the row (a school or a district page), never a pupil
    figures: Figures
    cells: dict[str, str] = field(default_factory=dict)  # column -> what is printed


@dataclass
class Table:
    rows: list[Row]
    total: Row
    months: list[date]
    trend: list[tuple[date, int | None]]  # % on time per month, None when hidden

    def shown(self) -> dict[str, list[list[str]] | list[str]]:
        """What the page printed, for the read log."""
        return {
            "rows": [[r.label, *r.cells.values()] for r in [*self.rows, self.total]],
            "months": [m.isoformat() for m in self.months],
        }


def _percent(part: int, whole: int, *, hidden: bool) -> str:
    if hidden or whole == 0:
        return "—"
    return f"{round(100 * part / whole)} %"


def _apply_suppression(rows: list[Row], total: Row) -> None:
    """Print every row's cells, hiding small counts and their complements (rows sum to the
    total in every column; due = on time + late + missing in every row)."""
    everyone = [*rows, total]
    values = {(i, col): getattr(r.figures, col) for i, r in enumerate(everyone) for col in COLUMNS}
    groups = [[(i, col) for col in ROW_GROUP] for i in range(len(everyone))]
    groups += [[(i, col) for i in range(len(everyone))] for col in COLUMNS]
    hidden = disclosure.suppress(values, groups)
    for i, r in enumerate(everyone):
        r.cells = dict.fromkeys(HEADERS, "")
        f = r.figures
        for col in COLUMNS:
            r.cells[col] = disclosure.shown(values[(i, col)], (i, col) in hidden)
        r.cells["on_time_share"] = _percent(
            f.on_time, f.due, hidden=(i, "on_time") in hidden or (i, "due") in hidden
        )
        decided = len(f.waits)
        small = decided < disclosure.THRESHOLD
        r.cells["g_wait_median"] = "—" if small else f"{statistics.median(f.waits):g}"
        r.cells["g_returned_share"] = _percent(
            f.returned,
            decided,
            hidden=small
            or disclosure.is_small(f.returned)
            or disclosure.is_small(decided - f.returned),
        )
        r.cells["k_per_pupil_month"] = (
            "—" if f.pupil_months < disclosure.THRESHOLD else f"{f.k_sheets / f.pupil_months:.1f}"
        )


def _trend(rows: list[SchoolMonth], months: list[date]) -> list[tuple[date, int | None]]:
    """% of windows handed in on time per month, over the whole scope; a month whose on-time
    or not-on-time count is small is left out (its percentage would tell it)."""
    out = []
    for month in months:
        f = _figures([r for r in rows if r.month == month])
        late = f.due - f.on_time
        hide = f.due == 0 or disclosure.is_small(f.on_time) or disclosure.is_small(late)
        out.append((month, None if hide else round(100 * f.on_time / f.due)))
    return out


def _table(groups: list[tuple[str, str, list[int]]], year_start: int, period: str) -> Table:
    """`groups`: (label, link, school ids) per row."""
    months = months_of(year_start, period)
    all_ids = {pk for _label, _link, ids in groups for pk in ids}
    summary = list(_month_rows(all_ids, year_start, months))
    by_school: dict[int, list[SchoolMonth]] = {}
    for r in summary:
        by_school.setdefault(r.school_id, []).append(r)
    rows, total = [], Row(str(_("Total")), "", Figures())
    for label, link, ids in groups:
        f = Figures()
        for pk in ids:
            f.add(_figures(by_school.get(pk, [])))
        rows.append(Row(label, link, f))
        total.figures.add(f)
    _apply_suppression(rows, total)
    return Table(rows, total, months, _trend(summary, months))


def district_table(district: District, year_start: int, period: str) -> Table:
    """A row per school of the district. Queries: schools, summary rows."""
    schools = School.objects.active().filter(district=district).order_by("name_kk")
    groups = [(str(s), reverse("oversight:school", args=[s.pk]), [s.pk]) for s in schools]
    return _table(groups, year_start, period)


def region_table(region: Region, year_start: int, period: str) -> Table:
    """A row per district of the region. Queries: districts, schools, summary rows."""
    districts = list(District.objects.active().filter(region=region).order_by("name_kk"))
    ids: dict[int, list[int]] = {d.pk: [] for d in districts}
    for pk, district_id in (
        School.objects.active().filter(district__in=districts).values_list("pk", "district_id")
    ):
        ids[district_id].append(pk)
    groups = [(str(d), reverse("oversight:district", args=[d.pk]), ids[d.pk]) for d in districts]
    return _table(groups, year_start, period)


@dataclass
class AnnexRow:
    annex: str
    cells: dict[str, str]


def school_breakdown(school: School, year_start: int, period: str) -> tuple[Table, list[AnnexRow]]:
    """One school: its row and, per annex, on time / late / missing (suppressed alike)."""
    table = _table([(str(school), "", [school.pk])], year_start, period)
    row = table.rows[0]
    annexes = row.figures.annexes
    cols = ("due", "on_time", "late", "missing")
    # The school's own figures are shown above the annexes: they join the same groups.
    values = {("all", c): getattr(row.figures, c) for c in cols}
    groups = [[("all", c) for c in cols]]
    for annex in ANNEXES:
        on_time, late, missing = annexes.get(annex, [0, 0, 0])
        for col, v in zip(cols, (on_time + late + missing, on_time, late, missing), strict=True):
            values[(annex, col)] = v
        groups.append([(annex, c) for c in cols])
    for col in cols:  # the annexes sum to the school's row, which is shown too
        groups.append([("all", col), *((a, col) for a in ANNEXES)])
    hidden = disclosure.suppress(values, groups)
    for c in cols:  # the row may lose a figure to an annex's complement
        if ("all", c) in hidden:
            row.cells[c] = disclosure.shown(values[("all", c)], True)
            if c in ("due", "on_time"):
                row.cells["on_time_share"] = "—"
    out = [
        AnnexRow(a, {c: disclosure.shown(values[(a, c)], (a, c) in hidden) for c in cols})
        for a in ANNEXES
    ]
    return table, out


def column_labels() -> list[StrOrPromise]:
    return list(HEADERS.values())


@dataclass
class Bar:
    month: date
    value: int | None
    x: int
    y: int
    w: int
    h: int
    cx: int


@dataclass
class TrendChart:
    bars: list[Bar]
    width: int
    height: int
    label_y: int


def trend_chart(trend: list[tuple[date, int | None]]) -> TrendChart | None:
    """Geometry of the small bar chart of % on time per month (SVG, no script)."""
    if not any(value is not None for _month, value in trend):
        return None
    step, bar, top, plot = 28, 20, 4, 80
    bars = []
    for i, (month, value) in enumerate(trend):
        h = round(plot * (value or 0) / 100)
        x = 4 + i * step
        bars.append(Bar(month, value, x, top + plot - h, bar, h, x + bar // 2))
    return TrendChart(bars, 8 + len(trend) * step, top + plot + 18, top + plot + 14)
