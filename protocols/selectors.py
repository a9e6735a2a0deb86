"""Reads of protocols: each pupil's year by window with its states, the assistant's dashboard
(SPEC §3 "Who is responsible"), and what one protocol's pages show.

Constant queries for any number of pupils, protocols and versions: the pupils (one query),
their schools' current years with holidays (one), their protocols of those years (one). The
windows themselves come from the pure schedule engine, cached per calendar and grade.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from assistant_portal.accounts.models import User
from assistant_portal.annotations import StrOrPromise
from students.access import pupils_visible_to
from students.models import AcademicYear, Student
from students.selectors import current_assignments

from .annexes.base import AnnexDef
from .calendar import calendar_of, current_years
from .links import WindowLinks
from .models import (
    IncidentPickList,
    MeetingItem,
    NextStep,
    Protocol,
    ProtocolVersion,
    ReviewComment,
)
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


def meeting_decisions_for(pupil: Student) -> list[MeetingItem]:
    """Every meeting decision about one pupil, newest first, with next steps; two queries. The
    team dossier shows them and the dossier PDF prints them on its cover."""
    steps = NextStep.objects.filter(archived_at__isnull=True).select_related("responsible")
    return list(
        MeetingItem.objects.filter(
            pupil=pupil, archived_at__isnull=True, meeting__archived_at__isnull=True
        )
        .select_related("meeting", "conclusion")
        .prefetch_related(Prefetch("steps", queryset=steps))
        .order_by("-meeting__held_on", "-pk")
    )


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


@dataclass(slots=True)
class WeekProtocol:
    """What the week reads of a protocol (WEEK_FIELDS), from a values row: the dashboard reads
    ~40 protocols a pupil, and a model instance each cost three times its row."""

    pk: int
    student_id: int
    year_id: int
    annex: str
    window_key: str
    due: date | None
    status: str
    updated_at: datetime


def state_of(window: Window, protocol: Protocol | WeekProtocol | None, today: date) -> str:
    """One window's state: the protocol's own status once handed in or returned; before
    that the schedule decides (overdue, not required, upcoming), a draft shows as draft."""
    done = protocol is not None and protocol.status in DONE
    status = window_status(window, today=today, done=done)
    if status is Status.DONE and protocol is not None:  # done means handed in
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
    links: WindowLinks | None = field(default=None, repr=False, compare=False)

    @property
    def url(self) -> str:
        """The window's form (the pupil's links, reversed once per pupil)."""
        assert self.links is not None, "cells of pupil_years carry their pupil's links"
        return self.links(self.window.annex, self.window.key)

    @property
    def label(self) -> StrOrPromise:
        return State.LABELS[self.state]


@dataclass
class PupilYear:
    pupil: Student
    year: AcademicYear | None
    calendar: Calendar | None
    cells: list[Cell] = field(default_factory=list)
    on_demand: list[Protocol] = field(default_factory=list)  # annex И (no window)
    protocols: list[Protocol] = field(default_factory=list)


# What the grid, the week and their templates read of a protocol (no data, no people).
WEEK_FIELDS = ("pk", "student_id", "year_id", "annex", "window_key", "due", "status", "updated_at")
# ... and what the year page's dynamics read (Б and Д data, the dates of И).
DYNAMICS_FIELDS = (*WEEK_FIELDS, "data", "created_at")


def pupil_years(
    pupils: QuerySet[Student] | list[Student],
    today: date,
    *,
    fields: tuple[str, ...] | None = WEEK_FIELDS,
) -> list[PupilYear]:
    """Each pupil's current year: (window, protocol or None, state) per window.

    Queries: the pupils (unless a list is given), the years with holidays, the protocols.
    `fields`: what is loaded of each protocol — WEEK_FIELDS (the dashboard, the pupil page),
    DYNAMICS_FIELDS (the year page), None for every field (printing, the team's dossier).
    """
    pupils = list(pupils)
    years = current_years({p.school_id for p in pupils}, today)
    by_pupil: dict[int, list[Protocol]] = defaultdict(list)
    year_ids = {y.pk for y in years.values()}
    if pupils and year_ids:
        qs = Protocol.objects.filter(
            student__in=[p.pk for p in pupils], year_id__in=year_ids, archived_at__isnull=True
        ).order_by("created_at")
        if fields is not None:
            # Loading every field of ~40 protocols a pupil was a third of the dashboard's time.
            qs = qs.only(*fields)
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
        links = WindowLinks(pupil.pk)
        for window in windows_for_pupil(
            cal, grade=pupil.grade, joined=pupil.joined, left=pupil.left
        ):
            found = by_key.get((str(window.annex), window.key))
            cells.append(Cell(window, found, state_of(window, found, today), links))
        on_demand = [p for p in mine if p.annex == Annex.I]
        result.append(PupilYear(pupil, year, cal, cells, on_demand, mine))
    return result


# --- The assistant's dashboard ------------------------------------------------


@dataclass(slots=True)
class WeekCell:
    """A window of the week with its state and link (what a `Cell` is on the grid); whether a
    protocol exists for it is all the week asks of the protocol."""

    window: Window
    state: str
    links: WindowLinks = field(repr=False, compare=False)
    started: bool = False  # a protocol exists: a draft is listed among the drafts

    @property
    def url(self) -> str:
        return self.links(self.window.annex, self.window.key)

    @property
    def label(self) -> StrOrPromise:
        return State.LABELS[self.state]


@dataclass
class Item:
    pupil: Student
    cell: WeekCell


@dataclass
class Backlog:
    """One annex's overdue windows of one pupil, oldest first: shown collapsed, as a count."""

    annex: Annex
    items: list[Item]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def oldest(self) -> date:
        return self.items[0].cell.window.due


@dataclass
class PupilWeek:
    """One pupil's part of the assistant's week: what to fix first (returned,
    drafts), what is due this week, the overdue backlog per annex, and this week's Д and К."""

    pupil: Student
    returned: list[WeekProtocol] = field(default_factory=list)
    drafts: list[WeekProtocol] = field(default_factory=list)
    due: list[Item] = field(default_factory=list)
    backlog: list[Backlog] = field(default_factory=list)
    week_d: WeekCell | None = None
    week_k: WeekCell | None = None

    @property
    def overdue_count(self) -> int:
        return sum(b.count for b in self.backlog)

    @property
    def empty(self) -> bool:
        return not (self.returned or self.drafts or self.due or self.backlog)


@dataclass
class Dashboard:
    due_this_week: list[Item]
    overdue: list[Item]
    drafts: list[tuple[Student, WeekProtocol]]
    returned: list[tuple[Student, WeekProtocol]]
    week_start: date
    pupils: list[PupilWeek] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.due_this_week or self.overdue or self.drafts or self.returned)


# What the week reads of a pupil: the card's name and class, the schedule's grade and dates.
PUPIL_WEEK_FIELDS = (
    "pk",
    "school_id",
    "last_name",
    "first_name",
    "patronymic",
    "sort_key",
    "grade",
    "class_letter",
    "joined",
    "left",
)


def pupils_assigned_now(user: User, today: date) -> QuerySet[Student]:
    """Visible pupils currently assigned to this assistant (SPEC §3 "Who is responsible"):
    a specialist who is also an assistant sees here only their own pupils. Only what the week
    reads (PUPIL_WEEK_FIELDS): the school and the record's ~20 other columns were a tenth of
    the dashboard's time."""
    assigned = current_assignments(today).filter(assistant=user).values("student")
    return pupils_visible_to(user).filter(pk__in=assigned).only(*PUPIL_WEEK_FIELDS)


OPEN_STATES = {State.NOT_STARTED, State.DRAFT, State.RETURNED, State.UPCOMING}


def week_protocols(
    pupils: list[Student], years: dict[int, AcademicYear]
) -> dict[int, list[WeekProtocol]]:
    """The pupils' protocols of their current years (WEEK_FIELDS), oldest first; one query."""
    by_pupil: dict[int, list[WeekProtocol]] = defaultdict(list)
    year_of = {p.pk: years[p.school_id].pk for p in pupils if p.school_id in years}
    if year_of:
        rows = (
            Protocol.objects.filter(
                student__in=list(year_of),
                year_id__in=set(year_of.values()),
                archived_at__isnull=True,
            )
            .order_by("created_at")
            .values_list(*WEEK_FIELDS)
        )
        for row in rows:
            protocol = WeekProtocol(*row)
            if year_of[protocol.student_id] == protocol.year_id:
                by_pupil[protocol.student_id].append(protocol)
    return by_pupil


def week_of(
    pupil: Student, calendar: Calendar, protocols: list[WeekProtocol], today: date
) -> tuple[PupilWeek, list[Item], list[Item]]:
    """One pupil's week as a group, plus the flat due and overdue items (drafts included).
    Only this week's and past windows are looked at: a later one is neither due nor overdue."""
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    group = PupilWeek(pupil)
    due, overdue = [], []
    late: dict[Annex, list[Item]] = defaultdict(list)
    by_key = {(p.annex, p.window_key): p for p in protocols}
    links = WindowLinks(pupil.pk)
    for w in windows_for_pupil(calendar, grade=pupil.grade, joined=pupil.joined, left=pupil.left):
        this_week = w.period == Period.WEEK and w.week_start == monday
        if w.due > sunday and not this_week:
            continue
        found = by_key.get((str(w.annex), w.key))
        state = state_of(w, found, today)
        is_overdue = state == State.OVERDUE
        is_due = not is_overdue and monday <= w.due <= sunday and state in OPEN_STATES
        if not (this_week or is_overdue or is_due):
            continue  # handed in, or not required: most of a year's windows
        cell = WeekCell(w, state, links, found is not None)
        if this_week:
            if w.annex == Annex.D:
                group.week_d = cell
            elif w.annex == Annex.K:
                group.week_k = cell
        if is_overdue:
            overdue.append(Item(pupil, cell))
            # A draft shows among the drafts already: the backlog counts the rest once.
            if found is None:
                late[w.annex].append(Item(pupil, cell))
        elif is_due:
            due.append(Item(pupil, cell))
            if found is None:
                group.due.append(Item(pupil, cell))
    for protocol in protocols:
        if protocol.status == ProtocolStatus.DRAFT:
            group.drafts.append(protocol)
        elif protocol.status == ProtocolStatus.RETURNED:
            group.returned.append(protocol)
    group.due.sort(key=lambda i: i.cell.window.due)
    group.drafts.sort(key=lambda p: (p.due or today, p.annex))
    group.returned.sort(key=lambda p: p.updated_at, reverse=True)
    group.backlog = sorted(
        (
            Backlog(annex, sorted(items, key=lambda i: i.cell.window.due))
            for annex, items in late.items()
        ),
        key=lambda b: b.oldest,
    )
    return group, due, overdue


# A pupil's week: the group, the flat due and overdue items, the protocols of the year.
type Week = tuple[PupilWeek, list[Item], list[Item], list[WeekProtocol]]


def pupil_weeks(pupils: list[Student], today: date) -> list[Week]:
    """Each pupil's week (`week_of`) and their protocols; pupils without a current year get an
    empty group. Two queries: the years with holidays, the protocols."""
    years = current_years({p.school_id for p in pupils}, today)
    protocols = week_protocols(pupils, years)
    result: list[Week] = []
    for pupil in pupils:
        year = years.get(pupil.school_id)
        if year is None:
            result.append((PupilWeek(pupil), [], [], []))
            continue
        mine = protocols[pupil.pk]
        result.append((*week_of(pupil, calendar_of(year), mine, today), mine))
    return result


def assistant_dashboard(user: User, today: date) -> Dashboard:
    """This week's due windows, overdue ones, drafts and returned protocols of the pupils
    currently assigned to `user`, flat and grouped by pupil; three queries after the user's
    roles."""
    due, overdue, drafts, returned, groups = [], [], [], [], []
    for group, group_due, group_overdue, protocols in pupil_weeks(
        list(pupils_assigned_now(user, today)), today
    ):
        pupil = group.pupil
        due += group_due
        overdue += group_overdue
        drafts += [(pupil, p) for p in protocols if p.status == ProtocolStatus.DRAFT]
        returned += [(pupil, p) for p in group.returned]
        groups.append(group)
    due.sort(key=lambda i: (i.cell.window.due, i.pupil.sort_key))
    overdue.sort(key=lambda i: (i.cell.window.due, i.pupil.sort_key))
    returned.sort(key=lambda pair: pair[1].updated_at, reverse=True)
    # Pupils with something to fix first, then by name (Kazakh order).
    groups.sort(key=lambda g: (not (g.returned or g.drafts), g.pupil.sort_key))
    monday = today - timedelta(days=today.weekday())
    return Dashboard(due, overdue, drafts, returned, monday, groups)


def pupil_work(pupil: Student, today: date) -> PupilWeek:
    """The pupil page's list of what is due and overdue: the same group as
    on the assistant's week. Two queries: the year with holidays, the protocols."""
    ((group, _due, _overdue, _protocols),) = pupil_weeks([pupil], today)
    return group


# --- Filtered lists behind the dashboard's counters ------------------------------------

FILTER_STATES = ("due", "overdue", "draft", "returned")


def filter_week(
    board: Dashboard, *, pupil: int | None = None, annex: str | None = None, state: str = ""
) -> list[PupilWeek]:
    """The groups narrowed to one pupil, annex and/or list (the counters link here); a group
    keeps only the parts asked for and is left out when nothing remains."""
    result = []
    for g in board.pupils:
        if pupil is not None and g.pupil.pk != pupil:
            continue
        keep = PupilWeek(g.pupil, week_d=g.week_d, week_k=g.week_k)
        if state in ("", "returned"):
            keep.returned = [p for p in g.returned if annex in (None, p.annex)]
        if state in ("", "draft"):
            keep.drafts = [p for p in g.drafts if annex in (None, p.annex)]
        if state in ("", "due"):
            keep.due = [i for i in g.due if annex in (None, str(i.cell.window.annex))]
        if state in ("", "overdue"):
            keep.backlog = [b for b in g.backlog if annex in (None, str(b.annex))]
        if not keep.empty or (pupil is not None and not state and annex is None):
            result.append(keep)
    return result


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


# A week's row of the year grid: its Monday, and a cell (or none) per weekly annex.
type WeekRow = tuple[date, list[Cell | None]]


@dataclass
class Grid:
    term_rows: list[tuple[Annex, list[Cell | None]]]  # per annex, a cell per TERM_PERIODS
    week_rows: list[WeekRow]  # per week (Monday), Д, Е, К

    def weeks_split(self, today: date) -> tuple[list[WeekRow], list[WeekRow]]:
        """(past weeks, this week and the ones after): the page folds the past away."""
        monday = today - timedelta(days=today.weekday())
        past = [row for row in self.week_rows if row[0] < monday]
        return past, [row for row in self.week_rows if row[0] >= monday]


def year_grid(cells: list[Cell]) -> Grid:
    term: dict[Annex, dict[Period, Cell]] = defaultdict(dict)
    weeks: dict[date, dict[Annex, Cell]] = defaultdict(dict)
    for cell in cells:
        w = cell.window
        if w.period == Period.WEEK:
            assert w.week_start is not None  # every weekly window has its Monday
            weeks[w.week_start][w.annex] = cell
        else:
            term[w.annex][w.period] = cell
    term_rows = [
        (annex, [term[annex].get(p) for p in TERM_PERIODS]) for annex in sorted(term.keys())
    ]
    week_rows = [(monday, [weeks[monday].get(a) for a in WEEKLY]) for monday in sorted(weeks)]
    return Grid(term_rows, week_rows)


# --- The quick incident form's pick-lists ------------------------------------------

# Field of an incident row -> field of the school's pick-list.
PICK_FIELDS = {
    "place": "places",
    "antecedent": "antecedents",
    "behaviour": "behaviours",
    "consequence": "consequences",
}
PICKS_SHOWN = 6


@dataclass
class IncidentSuggestions:
    picks: dict[str, list[str]]  # per field, the pupil's most frequent first, then the school's
    defaults: dict[str, str]  # the pupil's most frequent type and intensity ("" when none)
    type_of: dict[str, str]  # behaviour text -> the type last recorded with it


def incident_suggestions(pupil: Student, year: AcademicYear | None) -> IncidentSuggestions:
    """What this pupil's incidents of the year said most often, topped up from the school's
    list. Two queries: the pupil's Д protocols of the year, the school's list."""
    counts: dict[str, Counter[str]] = {
        name: Counter() for name in [*PICK_FIELDS, "behaviour_type", "intensity"]
    }
    type_of: dict[str, str] = {}
    if year is not None:
        logs = Protocol.objects.filter(
            student=pupil, year=year, annex=Annex.D, archived_at__isnull=True
        ).order_by("window_key")
        for log in logs.only("data"):
            for row in log.data.get("incidents") or []:
                for name, counter in counts.items():
                    if value := str(row.get(name) or "").strip():
                        counter[value] += 1
                if row.get("behaviour") and row.get("behaviour_type"):
                    type_of[str(row["behaviour"]).strip()] = str(row["behaviour_type"])
    school_list = IncidentPickList.objects.filter(school_id=pupil.school_id).first()
    picks = {}
    for name, list_name in PICK_FIELDS.items():
        mine = [text for text, _n in counts[name].most_common(PICKS_SHOWN)]
        theirs = school_list.lines(list_name) if school_list else []
        picks[name] = (mine + [t for t in theirs if t not in mine])[: PICKS_SHOWN + 2]
    defaults = {
        name: (counts[name].most_common(1)[0][0] if counts[name] else "")
        for name in ("behaviour_type", "intensity")
    }
    return IncidentSuggestions(picks, defaults, type_of)


def initial_data(
    pupil: Student, year: AcademicYear, annex: AnnexDef, window_key: str
) -> dict[str, Any]:
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
