"""Reads of protocols: each pupil's year by window with its states, the assistant's dashboard
(issue #3 items 3 and 6; SPEC §3 "Who is responsible"), and what one protocol's pages show.

Constant queries for any number of pupils, protocols and versions: the pupils (one query),
their schools' current years with holidays (one), their protocols of those years (one). The
windows themselves come from the pure schedule engine, cached per calendar and grade.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, QuerySet
from django.utils.translation import gettext_lazy as _

from students.access import pupils_visible_to
from students.models import AcademicYear, Student
from students.selectors import current_assignments

from .annexes.base import AnnexDef
from .calendar import calendar_of, current_years
from .models import Protocol, ProtocolVersion, ReviewComment
from .models import Status as ProtocolStatus
from .schedule import Annex, Calendar, Period, Status, Window, window_status, windows_for_pupil


def latest_comments(protocol: Protocol) -> dict[str, list[ReviewComment]]:
    """The support team's comments of the latest return, by section, while it is returned."""
    if protocol.status != ProtocolStatus.RETURNED:
        return {}
    latest = protocol.comments.aggregate(n=Max("round"))["n"]
    by_section = defaultdict(list)
    for comment in protocol.comments.filter(round=latest).select_related("author"):
        by_section[comment.section].append(comment)
    return dict(by_section)


def versions(protocol: Protocol) -> list[ProtocolVersion]:
    return list(protocol.versions.select_related("saved_by").order_by("-number"))


class State:
    """A window's state as people see it (GLOSSARY §4); colour is never the only cue."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    RETURNED = "returned"
    OVERDUE = "overdue"
    NOT_REQUIRED = "not_required"
    UPCOMING = "upcoming"

    LABELS = {
        NOT_STARTED: _("not started"),
        DRAFT: _("draft"),
        SUBMITTED: _("submitted"),
        UNDER_REVIEW: _("under review"),
        APPROVED: _("approved"),
        RETURNED: _("returned (for revision)"),
        OVERDUE: _("overdue"),
        NOT_REQUIRED: _("not required"),
        UPCOMING: _("upcoming"),
    }


# A protocol counts as done for its window once it has been handed in.
DONE = {ProtocolStatus.SUBMITTED, ProtocolStatus.UNDER_REVIEW, ProtocolStatus.APPROVED}


def state_of(window: Window, protocol: Protocol | None, today: date) -> str:
    """One window's state: the protocol's own status once handed in or returned; before
    that the schedule decides (overdue, not required, upcoming), a draft shows as draft."""
    done = protocol is not None and protocol.status in DONE
    status = window_status(window, today=today, done=done)
    if status is Status.DONE:
        return protocol.status
    if protocol is not None and protocol.status == ProtocolStatus.RETURNED:
        return State.RETURNED
    if status is Status.NOT_REQUIRED:
        return State.NOT_REQUIRED
    if status is Status.OVERDUE:
        return State.OVERDUE
    if protocol is not None:
        return State.DRAFT
    return State.NOT_STARTED if status is Status.OPEN else State.UPCOMING


@dataclass
class Cell:
    window: Window
    protocol: Protocol | None
    state: str

    @property
    def label(self):
        return State.LABELS[self.state]


@dataclass
class PupilYear:
    pupil: Student
    year: AcademicYear | None
    calendar: Calendar | None
    cells: list[Cell] = field(default_factory=list)
    on_demand: list[Protocol] = field(default_factory=list)  # annex И (no window)
    protocols: list[Protocol] = field(default_factory=list)


def pupil_years(
    pupils: QuerySet[Student] | list[Student], today: date, *, with_data: bool = False
) -> list[PupilYear]:
    """Each pupil's current year: (window, protocol or None, state) per window.

    Queries: the pupils (unless a list is given), the years with holidays, the protocols.
    Protocol `data` is left out unless asked for (the dashboard never needs it).
    """
    pupils = list(pupils)
    years = current_years({p.school_id for p in pupils}, today)
    by_pupil: dict[int, list[Protocol]] = defaultdict(list)
    year_ids = {y.pk for y in years.values()}
    if pupils and year_ids:
        qs = Protocol.objects.filter(
            student__in=[p.pk for p in pupils], year_id__in=year_ids, archived_at__isnull=True
        ).order_by("created_at")
        if not with_data:
            qs = qs.defer("data")
        for protocol in qs:
            by_pupil[protocol.student_id].append(protocol)
    result = []
    for pupil in pupils:
        year = years.get(pupil.school_id)
        if year is None:
            result.append(PupilYear(pupil, None, None))
            continue
        cal = calendar_of(year)
        mine = [p for p in by_pupil[pupil.pk] if p.year_id == year.pk]
        by_key = {(p.annex, p.window_key): p for p in mine}
        cells = []
        for window in windows_for_pupil(
            cal, grade=pupil.grade, joined=pupil.joined, left=pupil.left
        ):
            protocol = by_key.get((str(window.annex), window.key))
            cells.append(Cell(window, protocol, state_of(window, protocol, today)))
        on_demand = [p for p in mine if p.annex == Annex.I]
        result.append(PupilYear(pupil, year, cal, cells, on_demand, mine))
    return result


# --- The assistant's dashboard ------------------------------------------------


@dataclass
class Item:
    pupil: Student
    cell: Cell


@dataclass
class Dashboard:
    due_this_week: list[Item]
    overdue: list[Item]
    drafts: list[tuple[Student, Protocol]]
    returned: list[tuple[Student, Protocol]]
    week_start: date

    @property
    def empty(self) -> bool:
        return not (self.due_this_week or self.overdue or self.drafts or self.returned)


def pupils_assigned_now(user, today: date) -> QuerySet[Student]:
    """Visible pupils currently assigned to this assistant (SPEC §3 "Who is responsible"):
    a specialist who is also an assistant sees here only their own pupils."""
    assigned = current_assignments(today).filter(assistant=user).values("student")
    return pupils_visible_to(user).filter(pk__in=assigned).select_related("school")


OPEN_STATES = {State.NOT_STARTED, State.DRAFT, State.RETURNED, State.UPCOMING}


def assistant_dashboard(user, today: date) -> Dashboard:
    """This week's due windows, overdue ones, drafts and returned protocols of the pupils
    currently assigned to `user`; three queries after the user's roles."""
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    due, overdue, drafts, returned = [], [], [], []
    for py in pupil_years(pupils_assigned_now(user, today), today):
        for cell in py.cells:
            if cell.state == State.OVERDUE:
                overdue.append(Item(py.pupil, cell))
            elif monday <= cell.window.due <= sunday and cell.state in OPEN_STATES:
                due.append(Item(py.pupil, cell))
        for protocol in py.protocols:
            if protocol.status == ProtocolStatus.DRAFT:
                drafts.append((py.pupil, protocol))
            elif protocol.status == ProtocolStatus.RETURNED:
                returned.append((py.pupil, protocol))
    due.sort(key=lambda i: (i.cell.window.due, i.pupil.sort_key))
    overdue.sort(key=lambda i: (i.cell.window.due, i.pupil.sort_key))
    returned.sort(key=lambda pair: pair[1].updated_at, reverse=True)
    return Dashboard(due, overdue, drafts, returned, monday)


# --- The grid of one pupil's year ------------------------------------------------

TERM_PERIODS = [
    Period.SEPTEMBER,
    Period.PROGRAMME_1,
    Period.HALF_YEAR,
    Period.PROGRAMME_2,
    Period.YEAR_END,
    Period.REPORT,
]
PERIOD_LABELS = {
    Period.SEPTEMBER: _("September"),
    Period.PROGRAMME_1: _("I half-year"),
    Period.HALF_YEAR: _("half-year"),
    Period.PROGRAMME_2: _("II half-year"),
    Period.YEAR_END: _("year end"),
    Period.REPORT: _("report"),
    Period.WEEK: _("school week"),
}
WEEKLY = [Annex.D, Annex.E, Annex.K]


@dataclass
class Grid:
    term_rows: list[tuple[Annex, list[Cell | None]]]  # per annex, a cell per TERM_PERIODS
    week_rows: list[tuple[date, list[Cell | None]]]  # per week (Monday), Д, Е, К


def year_grid(cells: list[Cell]) -> Grid:
    term: dict[Annex, dict[Period, Cell]] = defaultdict(dict)
    weeks: dict[date, dict[Annex, Cell]] = defaultdict(dict)
    for cell in cells:
        w = cell.window
        if w.period == Period.WEEK:
            weeks[w.week_start][w.annex] = cell
        else:
            term[w.annex][w.period] = cell
    term_rows = [
        (annex, [term[annex].get(p) for p in TERM_PERIODS]) for annex in sorted(term.keys())
    ]
    week_rows = [(monday, [weeks[monday].get(a) for a in WEEKLY]) for monday in sorted(weeks)]
    return Grid(term_rows, week_rows)


def initial_data(pupil: Student, year: AcademicYear, annex: AnnexDef, window_key: str) -> dict:
    """What an empty window of `annex` opens with (its `initial` hook), from the pupil's
    earlier protocols of the same annex in the year: one query, only for annexes that carry."""
    if annex.initial is None:
        return {}
    earlier = dict(
        Protocol.objects.filter(
            student=pupil, year=year, annex=annex.code, archived_at__isnull=True
        ).values_list("window_key", "data")
    )
    return annex.initial(window_key, earlier)
