"""Reads of the support team's review (issue #4): the conclusions queue, one conclusion beside
the pupil's evidence, the thread of comments and decisions, meetings, next steps, pupils
flagged by Д, the school overview (on time / late / missing) and the team's pupil dossier.

Every page reads a constant number of queries whatever the number of pupils and protocols:
windows come from `selectors.pupil_years` (pupils, years, protocols: one query each) and the
rest is grouped in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistant_portal.accounts.models import Role, RoleKind, User
from students.models import Assignment, Student

from . import annexes, dynamics, review
from .access import conclusions_for_reviewer
from .annexes import b_free_activity as b_annex
from .annexes import v_class_observation as v_annex
from .annexes import zh_support_programme as zh_annex
from .models import (
    AnnexCode,
    Meeting,
    MeetingItem,
    NextStep,
    Protocol,
    ReviewComment,
    ReviewDecision,
    Status,
)
from .schedule import Annex, Period
from .selectors import DONE, PupilYear, State, pupil_years

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


@dataclass
class Queue:
    rows: list[Protocol]
    classes: list[str]
    assistants: list[tuple[int, str]]


def review_queue(
    user,
    school_id: int,
    *,
    klass: str = "",
    assistant: int | None = None,
    period: str = "",
    state: str = "pending",
) -> Queue:
    """Conclusions of one school, oldest hand-in first; two queries (the rows; the choices
    for the filters: every class and author of the school's conclusions)."""
    base = conclusions_for_reviewer(user).filter(student__school_id=school_id)
    qs = base.filter(status__in=QUEUE_STATES.get(state, QUEUE_STATES["pending"])[0])
    if klass:
        grade, _sep, letter = klass.partition(" ")
        if grade.isdigit():
            qs = qs.filter(student__grade=int(grade), student__class_letter=letter)
    if assistant:
        qs = qs.filter(author_id=assistant)
    if period in PERIODS:
        qs = qs.filter(window_key=f"{Annex.G}:{period}")
    rows = list(qs.select_related("student", "author").defer("data").order_by("submitted_at", "pk"))
    classes, authors = set(), {}
    for grade, letter, author_id, author_name in base.values_list(
        "student__grade", "student__class_letter", "author_id", "author__full_name"
    ):
        classes.add((grade, letter))
        authors[author_id] = author_name
    return Queue(
        rows,
        [class_name(g, letter) for g, letter in sorted(classes)],
        sorted(authors.items(), key=lambda kv: kv[1]),
    )


# --- One conclusion -----------------------------------------------------------------------------


@dataclass
class Thread:
    rounds: list[dict]  # {"round", "comments", "decision"}, oldest first
    open_comments: list[ReviewComment]  # of the round still open


def review_thread(protocol: Protocol) -> Thread:
    """Every round's comments and decision; three queries."""
    comments = list(protocol.comments.select_related("author").order_by("round", "pk"))
    labels = {n: f.label for n, f in annexes.get(AnnexCode.G).form.base_fields.items()}
    for c in comments:
        c.section_label = labels.get(c.section, c.section)
    decisions = {
        d.round: d
        for d in protocol.decisions.select_related("decided_by", "meeting").order_by("round")
    }
    open_round = review.open_round(protocol)
    by_round = defaultdict(list)
    for c in comments:
        by_round[c.round].append(c)
    rounds = [
        {"round": r, "comments": by_round.get(r, []), "decision": decisions.get(r)}
        for r in sorted(set(by_round) | set(decisions))
        if r < open_round
    ]
    return Thread(rounds, by_round.get(open_round, []))


def _latest(py: PupilYear, annex: Annex) -> Protocol | None:
    done = [p for p in py.protocols if p.annex == annex and p.status in DONE]
    return max(done, key=lambda p: (p.due or date.min, p.pk), default=None)


def evidence(py: PupilYear, today: date) -> dict:
    """What the reviewer reads beside a conclusion: the latest Б and В observations, the Д
    chart and the Ж goals (no queries: the pupil's year is loaded with its data)."""
    ctx = {
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
    results = dict(zh_annex.ACHIEVEMENT)
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


def my_next_steps(user) -> list[NextStep]:
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


def meeting_decisions_for(pupil: Student) -> list[MeetingItem]:
    """Every meeting decision about one pupil, newest first, with next steps; two queries."""
    steps = NextStep.objects.filter(archived_at__isnull=True).select_related("responsible")
    return list(
        MeetingItem.objects.filter(
            pupil=pupil, archived_at__isnull=True, meeting__archived_at__isnull=True
        )
        .select_related("meeting", "conclusion")
        .prefetch_related(Prefetch("steps", queryset=steps))
        .order_by("-meeting__held_on", "-pk")
    )


# --- The school overview and the flagged pupils -------------------------------------------------


@dataclass
class Counts:
    on_time: list = field(default_factory=list)  # (pupil, cell) pairs: the lists behind numbers
    late: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    pending: list = field(default_factory=list)  # conclusions waiting for review
    flagged: list = field(default_factory=list)  # pupils


def _handed_in_on(protocol: Protocol) -> date | None:
    if protocol is None or protocol.status not in DONE or protocol.submitted_at is None:
        return None
    return timezone.localtime(protocol.submitted_at).date()


def _assistant_on(assignments: list[Assignment], day: date) -> int | None:
    for a in assignments:
        if a.start <= day and (a.end is None or a.end >= day):
            return a.assistant_id
    return None


def school_years(school_id: int, today: date, *, d_data: bool = False) -> list[PupilYear]:
    """The school's pupils' years (three queries); with `d_data`, one more query loads the
    data of the Д protocols only, for the flags (the other annexes' data is never read)."""
    pupils = Student.objects.active().filter(school_id=school_id).select_related("school")
    years = pupil_years(pupils.order_by("grade", "class_sort_key", "sort_key"), today)
    if d_data:
        ids = [p.pk for py in years for p in py.protocols if p.annex == Annex.D]
        data = dict(Protocol.objects.filter(pk__in=ids).values_list("pk", "data")) if ids else {}
        for py in years:
            for p in py.protocols:
                if p.annex == Annex.D:
                    p.data = data.get(p.pk, {})
    return years


def is_flagged(py: PupilYear, today: date) -> bool:
    if py.calendar is None:
        return False
    weeks = dynamics.d_weeks(py.protocols, py.calendar, grade=py.pupil.grade, today=today)
    school = py.pupil.school
    return dynamics.i_flag(
        weeks,
        py.on_demand,
        per_week=school.flag_incidents_per_week,
        weeks_needed=school.flag_consecutive_weeks,
    )


@dataclass
class Overview:
    total: Counts
    by_class: list[tuple[str, Counts]]
    by_assistant: list[tuple[int | None, str, Counts]]


def school_overview(school_id: int, today: date) -> Overview:
    """Per class and per assistant: windows due by today handed in on time, late (after the
    due day) or missing (overdue), conclusions pending review, pupils flagged by Д.

    A window counts against the assistant assigned on its due date (SPEC §3 "Who is
    responsible"); pending conclusions and flags against the current assistant. Queries:
    pupils, years, protocols, Д data, the school's assignments with names.
    """
    years = school_years(school_id, today, d_data=True)
    assignments: dict[int, list[Assignment]] = defaultdict(list)
    names: dict[int, str] = {}
    for a in Assignment.objects.filter(student__school_id=school_id).select_related("assistant"):
        assignments[a.student_id].append(a)
        names[a.assistant_id] = a.assistant.full_name
    total = Counts()
    classes: dict[tuple, Counts] = defaultdict(Counts)
    people: dict[int | None, Counts] = defaultdict(Counts)
    for py in years:
        pupil = py.pupil
        mine = assignments.get(pupil.pk, [])
        klass = classes[(pupil.grade, pupil.class_sort_key, pupil.class_name)]
        for cell in py.cells:
            if cell.state in (State.NOT_REQUIRED, State.UPCOMING) or cell.window.due >= today:
                continue  # not due yet (the due day itself is still open)
            handed = _handed_in_on(cell.protocol)
            if handed is None:
                bucket = "missing"
            elif handed <= cell.window.due:
                bucket = "on_time"
            else:
                bucket = "late"
            who = _assistant_on(mine, cell.window.due)
            for counts in (total, klass, people[who]):
                getattr(counts, bucket).append((pupil, cell))
        now = _assistant_on(mine, today)
        for p in py.protocols:
            if p.annex == AnnexCode.G and p.status in (Status.SUBMITTED, Status.UNDER_REVIEW):
                for counts in (total, klass, people[now]):
                    counts.pending.append((pupil, p))
        if is_flagged(py, today):
            for counts in (total, klass, people[now]):
                counts.flagged.append(pupil)
    ordered = sorted(classes.items(), key=lambda kv: kv[0][:2])  # grade, then letter
    by_class = [(key[2], counts) for key, counts in ordered]
    by_assistant = sorted(
        ((pk, names.get(pk, ""), c) for pk, c in people.items()),
        key=lambda row: (row[0] is None, row[1]),
    )
    return Overview(total, by_class, by_assistant)


def flagged_pupils(school_id: int, today: date) -> tuple[list[PupilYear], list[Protocol]]:
    """Pupils whose Д shows repeated incidents (SPEC §3 row И), and the school's И protocols
    waiting for the psychologist's sign-off; four queries."""
    years = school_years(school_id, today, d_data=True)
    flagged = [py for py in years if is_flagged(py, today)]
    waiting = [
        p
        for py in years
        for p in py.on_demand
        if p.status == Status.SUBMITTED and p.signed_off_at is None
    ]
    for py in years:
        for p in py.on_demand:
            p.student = py.pupil
    return flagged, waiting


# --- The team's pupil dossier -------------------------------------------------------------------


def team_dossier(pupil: Student, today: date) -> dict:
    """Everything about one pupil: the year's protocols by window, the dynamics (Б side by
    side, Д per week, Ж goal outcomes), conclusions with their decisions, meeting decisions.
    Queries: the year, the protocols, the decisions, the meeting items, their steps."""
    (py,) = pupil_years([pupil], today, with_data=True)
    ctx = {"py": py, "goals": goals(_latest(py, Annex.ZH))}
    if py.calendar is not None:
        ctx.update(dynamics.pupil_dynamics(py, today))
    conclusions = [p for p in py.protocols if p.annex == Annex.G]
    decisions = defaultdict(list)
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


def waiting_for_review(user) -> int:
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
