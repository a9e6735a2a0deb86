"""The protocols' part of the weekly digest (SPEC §3 "Reminders", "Who is responsible").

Four providers for `assistant_portal.notifications.digest`, each answering for all the given
users with a fixed number of queries:

- ``protocols`` — each teaching assistant: per pupil *currently* assigned to them, the windows
  due this week and those overdue;
- ``review`` — each support-team specialist: their school's conclusions (Г) waiting for
  review, oldest first;
- ``lateness`` — each school administrator: overdue windows of this year per assistant,
  counted against the assistant assigned on the window's due date;
- ``communication`` — parents and staff: the К entries the other side wrote last week
  (`protocols.communication.digest_sections`).

A week without school days (for the pupil's grade, or for the whole school) gives nothing.
"Done" means the window's protocol was submitted (submitted, under review or approved); a
draft or a conclusion returned for revision still needs work.
"""

import bisect
from collections import Counter, defaultdict

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from assistant_portal.accounts.models import Role, RoleKind
from assistant_portal.notifications.digest import (
    DigestItem,
    DigestSection,
    WeekRange,
    register,
    url_or_fallback,
)
from students.models import AcademicYear, Assignment, Student, assignee_on

from . import annexes, communication, schedule
from .calendar import calendar_of, years_with_holidays
from .models import NextStep, Protocol, Status

DONE = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.APPROVED)
WAITING_FOR_REVIEW = (Status.SUBMITTED, Status.UNDER_REVIEW)
# A long-neglected pupil would otherwise fill the e-mail: the oldest are summarised.
MAX_OVERDUE_LINES = 10

# A context keeps "September" apart from Django's month name, which is capitalised.
PERIODS = {
    schedule.Period.SEPTEMBER: pgettext_lazy("schedule period", "September"),
    schedule.Period.HALF_YEAR: pgettext_lazy("schedule period", "half-year"),
    schedule.Period.YEAR_END: pgettext_lazy("schedule period", "year end"),
    schedule.Period.PROGRAMME_1: pgettext_lazy("schedule period", "I half-year"),
    schedule.Period.PROGRAMME_2: pgettext_lazy("schedule period", "II half-year"),
    schedule.Period.REPORT: pgettext_lazy("schedule period", "report"),
}


def _years(school_ids, week: WeekRange) -> dict[int, tuple[AcademicYear, schedule.Calendar]]:
    """Each school's academic year holding the week, with its calendar: one query."""
    years = years_with_holidays(
        AcademicYear.objects.filter(
            school_id__in=school_ids, start__lte=week.end, end__gte=week.start
        )
    ).order_by("start")
    # Later years win should two overlap the week (a year starting on that Tuesday).
    return {y.school_id: (y, calendar_of(y)) for y in years}


def _done(student_ids, year_ids) -> set[tuple[int, int, str]]:
    """(pupil, year, window key) of every submitted protocol: one query."""
    return set(
        Protocol.objects.filter(
            student_id__in=student_ids,
            year_id__in=year_ids,
            archived_at__isnull=True,
            status__in=DONE,
        ).values_list("student_id", "year_id", "window_key")
    )


def _windows(student: Student, cal: schedule.Calendar) -> list[schedule.Window]:
    return schedule.windows_for_pupil(
        cal, grade=student.grade, joined=student.joined, left=student.left
    )


def _label(window: schedule.Window):
    name = format_lazy("{} · {}", window.annex.letter, annexes.get(window.annex).menu_name)
    if window.period == schedule.Period.WEEK:
        return name
    return format_lazy("{} ({})", name, PERIODS[window.period])


def _window_url(student_id: int, window: schedule.Window) -> str:
    # The protocol page is written on another branch: until it lands, the pupil's page.
    return url_or_fallback(
        "protocols:window",
        [student_id, window.annex.value, window.key],
        ("students:pupil", [student_id]),
    )


def _more(count: int) -> str:
    return ngettext("… and %(count)d more", "… and %(count)d more", count) % {"count": count}


_lazy_more = lazy(_more, str)


def _pupil_section(student, year, cal, week, done) -> DigestSection | None:
    """What is due this week and overdue for one pupil; None in a week without school days."""
    if not schedule.current_week(cal, week.start, grade=student.grade):
        return None
    windows = _windows(student, cal)
    due_dates = [w.due for w in windows]
    before = bisect.bisect_left(due_dates, week.start)
    after = bisect.bisect_right(due_dates, week.end)

    def open_(w):
        return w.required and (student.pk, year.pk, w.key) not in done

    def item(w, kind):
        return DigestItem(text=_label(w), url=_window_url(student.pk, w), due=w.due, kind=kind)

    due = [item(w, "due") for w in windows[before:after] if open_(w)]
    overdue = [item(w, "overdue") for w in windows[:before] if open_(w)]
    if len(overdue) > MAX_OVERDUE_LINES:
        hidden = len(overdue) - MAX_OVERDUE_LINES
        overdue = overdue[-MAX_OVERDUE_LINES:] + [DigestItem(text=_lazy_more(hidden))]
    return DigestSection(
        title=f"{student.full_name}, {student.class_name}",
        groups=[(_("Due this week"), due), (_("Overdue"), overdue)],
        kind="protocols",
    )


@register("protocols")
def assistant_sections(users, week: WeekRange) -> dict[int, list[DigestSection]]:
    """Per assistant, per pupil currently assigned: due this week and overdue.

    Four queries: assignments with pupils, years, holidays, submitted protocols.
    """
    assignments = list(
        Assignment.objects.on(week.start)
        .filter(assistant_id__in=[u.pk for u in users], student__archived_at__isnull=True)
        .select_related("student")
        .order_by("student__sort_key", "student_id")
    )
    if not assignments:
        return {}
    years = _years({a.student.school_id for a in assignments}, week)
    done = _done([a.student_id for a in assignments], [year.pk for year, _cal in years.values()])
    result: dict[int, list[DigestSection]] = defaultdict(list)
    for a in assignments:
        if a.student.school_id not in years:
            continue  # no academic year this week (summer)
        year, cal = years[a.student.school_id]
        section = _pupil_section(a.student, year, cal, week, done)
        if section is not None and not section.is_empty():
            result[a.assistant_id].append(section)
    return dict(result)


def _school_roles(users, kind) -> dict[int, set[int]]:
    """user id -> school ids where the user holds `kind`: one query."""
    schools: dict[int, set[int]] = defaultdict(set)
    for user_id, school_id in Role.objects.filter(
        user_id__in=[u.pk for u in users], kind=kind, archived_at__isnull=True
    ).values_list("user_id", "school_id"):
        schools[user_id].add(school_id)
    return schools


def _school_in_session(years, school_id: int, week: WeekRange) -> bool:
    """The school has a year this week and the week has school days (whole-school holidays)."""
    return school_id in years and bool(schedule.current_week(years[school_id][1], week.start))


@register("review")
def review_sections(users, week: WeekRange) -> dict[int, list[DigestSection]]:
    """Per support-team specialist: their school's conclusions (Г) waiting for review.

    Four queries: roles, years, holidays, conclusions with pupils and schools.
    """
    schools_of = _school_roles(users, RoleKind.SPECIALIST)
    if not schools_of:
        return {}
    school_ids = set().union(*schools_of.values())
    years = _years(school_ids, week)
    waiting: dict[int, list[Protocol]] = defaultdict(list)
    for p in (
        Protocol.objects.filter(
            annex=schedule.Annex.G.value,
            status__in=WAITING_FOR_REVIEW,
            archived_at__isnull=True,
            student__school_id__in=school_ids,
            student__archived_at__isnull=True,
        )
        .select_related("student__school")
        .order_by("submitted_at", "pk")
    ):
        waiting[p.student.school_id].append(p)
    result: dict[int, list[DigestSection]] = {}
    for user_id, user_schools in schools_of.items():
        sections = []
        for school_id in sorted(user_schools):
            if not waiting[school_id] or not _school_in_session(years, school_id, week):
                continue
            items = [
                DigestItem(
                    text=format_lazy(
                        "{}, {}: {}", p.student.full_name, p.student.class_name, _g_label(p)
                    ),
                    url=url_or_fallback(
                        "protocols:edit", [p.pk], ("students:pupil", [p.student_id])
                    ),
                    kind="review",
                )
                for p in waiting[school_id]
            ]
            school = waiting[school_id][0].student.school
            sections.append(
                DigestSection(
                    title=format_lazy("{} — {}", _("Conclusions waiting for review"), school),
                    groups=[("", items)],
                    kind="review",
                )
            )
        if sections:
            result[user_id] = sections
    return result


@register("next_steps")
def next_step_sections(users, week: WeekRange) -> dict[int, list[DigestSection]]:
    """Per person: the next steps agreed at support-team meetings that they are responsible
    for, due this week or overdue and not done (issue #5: "the next steps due").

    Two queries: the open steps of all recipients (with pupils and meetings), their schools'
    years with holidays. A school's holiday week holds its steps back like everything else.
    """
    steps = list(
        NextStep.objects.filter(
            responsible_id__in=[u.pk for u in users],
            done_at__isnull=True,
            archived_at__isnull=True,
            due__lte=week.end,
            item__pupil__archived_at__isnull=True,
        )
        .select_related("item__pupil", "item__meeting")
        .order_by("due", "pk")
    )
    if not steps:
        return {}
    years = _years({st.item.meeting.school_id for st in steps}, week)
    by_user: dict[int, list[DigestItem]] = defaultdict(list)
    for st in steps:
        if not _school_in_session(years, st.item.meeting.school_id, week):
            continue
        pupil = st.item.pupil
        by_user[st.responsible_id].append(
            DigestItem(
                text=format_lazy("{}, {}: {}", pupil.full_name, pupil.class_name, st.text),
                url=reverse("protocols:meeting", args=[st.item.meeting_id]),
                due=st.due,
                kind="overdue" if st.due < week.start else "due",
            )
        )
    return {
        user_id: [DigestSection(title=_("My next steps"), groups=[("", items)], kind="next_steps")]
        for user_id, items in by_user.items()
    }


def _g_label(protocol: Protocol):
    period = protocol.window_key.split(":", 1)[-1]
    name = format_lazy("{} · {}", schedule.Annex.G.letter, annexes.get(schedule.Annex.G).menu_name)
    if period in PERIODS:
        return format_lazy("{} ({})", name, PERIODS[schedule.Period(period)])
    return name


def _late_line(name: str, count: int) -> str:
    return ngettext(
        "%(name)s: %(count)d overdue protocol", "%(name)s: %(count)d overdue protocols", count
    ) % {"name": name, "count": count}


_lazy_late_line = lazy(_late_line, str)


@register("lateness")
def lateness_sections(users, week: WeekRange) -> dict[int, list[DigestSection]]:
    """Per school administrator: this year's overdue windows per assistant (the one assigned
    on the due date, SPEC §3 "Who is responsible").

    Six queries: roles, years, holidays, pupils, their assignment history with assistants,
    submitted protocols.
    """
    schools_of = _school_roles(users, RoleKind.SCHOOL_ADMIN)
    if not schools_of:
        return {}
    school_ids = set().union(*schools_of.values())
    years = _years(school_ids, week)
    pupils = list(
        Student.objects.active()
        .filter(school_id__in=[s for s in school_ids if _school_in_session(years, s, week)])
        .select_related("school")
    )
    history: dict[int, list[tuple]] = defaultdict(list)
    for a in Assignment.objects.filter(student__in=[p.pk for p in pupils]).select_related(
        "assistant"
    ):
        history[a.student_id].append((a.assistant, a.start, a.end))
    done = _done([p.pk for p in pupils], [year.pk for year, _cal in years.values()])
    late: dict[int, Counter] = defaultdict(Counter)
    names = {}
    for pupil in pupils:
        year, cal = years[pupil.school_id]
        names[pupil.school_id] = pupil.school
        for w in _windows(pupil, cal):
            if not schedule.past_due(w, week.start):
                break  # sorted by due date: the rest are not overdue yet
            # Overdue as `schedule.punctuality` calls it missing: the one lateness rule.
            status = schedule.window_status(
                w, today=week.start, done=(pupil.pk, year.pk, w.key) in done
            )
            if status is schedule.Status.OVERDUE:
                assistant = assignee_on(history[pupil.pk], w.due)
                late[pupil.school_id][assistant.full_name if assistant else ""] += 1
    result: dict[int, list[DigestSection]] = {}
    for user_id, user_schools in schools_of.items():
        sections = []
        for school_id in sorted(user_schools):
            if not late[school_id]:
                continue
            items = [
                DigestItem(
                    text=_lazy_late_line(name or _("no assistant assigned"), count),
                    url=url_or_fallback("protocols:overview", [], ("students:list", [])),
                    kind="lateness",
                )
                for name, count in late[school_id].most_common()
            ]
            sections.append(
                DigestSection(
                    title=format_lazy(
                        "{} — {}", _("Overdue protocols this year"), names[school_id]
                    ),
                    groups=[("", items)],
                    kind="lateness",
                )
            )
        if sections:
            result[user_id] = sections
    return result


# К: a line per entry from the other side of a communication sheet (issue #15 item 1).
register("communication")(communication.digest_sections)
