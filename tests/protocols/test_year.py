"""Windows with states for pupils, the calendar bridge, the dashboard and the pupil's year page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from protocols import annexes
from protocols.calendar import calendar_of, current_year, current_years, years_with_holidays
from protocols.models import Protocol
from protocols.schedule import Annex, Window, windows_for_pupil
from protocols.selectors import State, assistant_dashboard, pupil_years, state_of
from students.models import AcademicYear, Assignment, Holiday
from students.services import holiday_add, holiday_archive, year_save
from tests.factories import AcademicYearFactory, AssignmentFactory, StudentFactory

from .factories import ProtocolFactory, ProtocolVersionFactory
from .filling import behaviour_week, incident

REAL_REGISTRY = annexes.REGISTRY  # before the fixture below swaps it

# Small annexes of the tests' own: this code must work for whatever the registry holds.
pytestmark = pytest.mark.usefixtures("test_annexes")

TODAY = date(2026, 11, 25)  # a Wednesday of the I half-year, after the autumn break


@pytest.fixture
def today(monkeypatch):
    """Freeze "today" for views and access rules (pupils_visible_to reads it too)."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


def cells_by_key(py):
    return {c.window.key: c for c in py.cells}


# --- calendar -------------------------------------------------------------------------


def test_calendar_reads_active_holidays_with_grades(cast):
    year = cast.school.years.get()
    Holiday.objects.create(year=year, name="Күзгі", start=date(2026, 10, 26), end=date(2026, 11, 1))
    Holiday.objects.create(
        year=year, name="1-сынып", start=date(2026, 9, 1), end=date(2026, 9, 4), grades=[1]
    )
    Holiday.objects.create(
        year=year,
        name="old",
        start=date(2026, 9, 7),
        end=date(2026, 9, 11),
        archived_at=timezone.now(),
    )
    (loaded,) = years_with_holidays().filter(pk=year.pk)
    cal = calendar_of(loaded)
    assert len(cal.holidays) == 2  # the archived one is left out
    third = windows_for_pupil(cal, grade=3)
    first = windows_for_pupil(cal, grade=1)
    by3 = {w.key: w for w in third}
    by1 = {w.key: w for w in first}
    # Third graders start on Tue 1 Sep: days 1-5 end Mon 7 Sep. First graders start on Mon 7 Sep.
    assert by3["A:september"].due == date(2026, 9, 7)
    assert by1["A:september"].opens == date(2026, 9, 7) and by1["A:september"].due == date(
        2026, 9, 11
    )
    # The autumn break week has no weekly windows.
    assert "D:2026-10-26" not in by3
    assert calendar_of(loaded) is cal  # built once per calendar


def test_current_year_of_many_schools_in_one_query(cast, django_assert_num_queries):
    AcademicYearFactory(
        school=cast.school,
        start=date(2025, 9, 1),
        half_year_end=date(2025, 12, 29),
        end=date(2026, 5, 25),
    )
    with django_assert_num_queries(1):
        years = current_years([cast.school.pk, cast.other_school.pk], TODAY)
        assert {y.start for y in years.values()} == {date(2026, 9, 1)}
        [calendar_of(y) for y in years.values()]
    # A summer day still shows the finished year; before any year there is none.
    assert current_year(cast.school, date(2027, 7, 1)).start == date(2026, 9, 1)
    assert current_year(cast.school, date(2025, 8, 1)) is None


def test_current_years_statement_keeps_the_orm_rule(cast):
    """`current_years` is one constant statement (DECISIONS PC10); it must choose the same
    year, with the same holidays, as the ORM's `years_with_holidays` for every school and day."""
    old = year_save(
        school=cast.school,
        year=None,
        data={
            "start": date(2025, 9, 1),
            "end": date(2026, 5, 25),
            "half_year_end": date(2025, 12, 29),
            "saturday_school": True,
        },
    )
    holiday_add(
        year=old, data={"name": "Қысқы", "start": date(2025, 12, 30), "end": date(2026, 1, 7)}
    )
    current = cast.school.years.get(start=date(2026, 9, 1))
    holiday_add(
        year=current, data={"name": "Күзгі", "start": date(2026, 10, 26), "end": date(2026, 11, 1)}
    )
    holiday_add(
        year=current,
        data={
            "name": "1-сынып",
            "start": date(2027, 2, 8),
            "end": date(2027, 2, 14),
            "grades": [1],
        },
    )
    gone = holiday_add(
        year=current, data={"name": "ескі", "start": date(2026, 9, 7), "end": date(2026, 9, 11)}
    )
    holiday_archive(holiday=gone)
    schools = [cast.school.pk, cast.other_school.pk]
    for day in (date(2025, 8, 31), date(2025, 9, 1), date(2026, 7, 1), TODAY, date(2027, 8, 1)):
        by_orm = {}
        for year in years_with_holidays(
            AcademicYear.objects.filter(school_id__in=schools, start__lte=day)
        ).order_by("school_id", "-start"):
            by_orm.setdefault(year.school_id, year)
        chosen = current_years(schools, day)
        assert {k: y.pk for k, y in chosen.items()} == {k: y.pk for k, y in by_orm.items()}, day
        for school_id, year in chosen.items():
            assert calendar_of(year) == calendar_of(by_orm[school_id]), (day, school_id)
    now = current_years(schools, TODAY)[cast.school.pk]
    assert len(calendar_of(now).holidays) == 2  # the archived one is left out
    assert current_years(schools, date(2026, 7, 1))[cast.school.pk].pk == old.pk


# --- states ---------------------------------------------------------------------------


def test_states_of_windows(cast):
    pupil, author = cast.pupil, cast.assistant
    ProtocolFactory(
        student=pupil, author=author, annex="A", window_key="A:september", status="approved"
    )
    ProtocolFactory(
        student=pupil, author=author, annex="B", window_key="B:september", status="draft"
    )
    ProtocolFactory(
        student=pupil, author=author, annex="G", window_key="G:september", status="returned"
    )
    ProtocolFactory(
        student=pupil, author=author, annex="D", window_key="D:2026-11-23", status="submitted"
    )
    ProtocolFactory(
        student=pupil, author=author, annex="K", window_key="K:2026-11-16", status="under_review"
    )
    (py,) = pupil_years([pupil], TODAY)
    cells = cells_by_key(py)
    assert cells["A:september"].state == State.APPROVED
    assert cells["B:september"].state == State.OVERDUE  # a draft long past its due day
    assert cells["G:september"].state == State.RETURNED
    assert cells["V:september"].state == State.OVERDUE
    assert cells["D:2026-11-23"].state == State.SUBMITTED
    assert cells["K:2026-11-16"].state == State.UNDER_REVIEW
    assert cells["K:2026-11-23"].state == State.NOT_STARTED  # open this week
    assert cells["E:2026-11-23"].state == State.OVERDUE  # the plan was due on Monday
    assert cells["D:2026-11-30"].state == State.UPCOMING
    assert cells["B:half_year"].state == State.UPCOMING
    with translation.override("ru"):
        assert str(cells["V:september"].label) == "просрочено"  # GLOSSARY §4


def test_draft_in_open_window_and_not_required_after_leaving(cast):
    w = Window(
        due=date(2026, 11, 27), annex=Annex.D, period="week", opens=date(2026, 11, 23), key="D:x"
    )
    draft = Protocol(status="draft")
    assert state_of(w, draft, TODAY) == State.DRAFT
    pupil = StudentFactory(school=cast.school, left=date(2026, 11, 24))
    (py,) = pupil_years([pupil], date(2026, 12, 10))
    cells = cells_by_key(py)
    assert cells["D:2026-11-23"].state == State.NOT_REQUIRED  # due Fri 27, after leaving
    assert cells["D:2026-11-16"].state == State.OVERDUE  # due before leaving: still required
    assert "D:2026-11-30" not in cells  # nothing opens after leaving


def test_joiner_gets_own_diagnostics(cast):
    pupil = StudentFactory(school=cast.school, joined=date(2026, 11, 20))
    (py,) = pupil_years([pupil], TODAY)
    cells = cells_by_key(py)
    assert cells["A:september"].window.opens == date(2026, 11, 20)
    assert cells["A:september"].state == State.NOT_STARTED
    assert "D:2026-11-09" not in cells


def test_pupil_without_a_year(cast):
    pupil = StudentFactory(school=cast.school)
    (py,) = pupil_years([pupil], date(2020, 1, 1))
    assert py.year is None and py.cells == []


# --- dashboard ------------------------------------------------------------------------


def test_dashboard_lists(cast):
    ProtocolFactory(
        student=cast.pupil,
        author=cast.assistant,
        annex="A",
        window_key="A:september",
        status="draft",
    )
    ProtocolFactory(
        student=cast.pupil,
        author=cast.assistant,
        annex="G",
        window_key="G:september",
        status="returned",
    )
    board = assistant_dashboard(cast.assistant, TODAY)
    due = {i.cell.window.key for i in board.due_this_week}
    assert due == {"D:2026-11-23", "K:2026-11-23"}  # Е was due Monday: overdue
    overdue = {i.cell.window.key for i in board.overdue}
    assert {"A:september", "B:september", "V:september", "E:2026-11-23"} <= overdue
    assert "G:september" not in overdue  # returned shows as returned
    assert [p.annex for _, p in board.drafts] == ["A"]
    assert [p.annex for _, p in board.returned] == ["G"]
    assert all(i.pupil == cast.pupil for i in board.overdue)


def test_dashboard_follows_reassignment(cast, client, today):
    """SPEC §3 "Who is responsible": the new assistant inherits open and overdue windows; the
    previous one no longer sees them."""
    old = Assignment.objects.get(student=cast.pupil, end__isnull=True)
    old.end = TODAY - timedelta(days=1)
    old.save(update_fields=["end"])
    AssignmentFactory(student=cast.pupil, assistant=cast.colleague, start=TODAY)
    assert assistant_dashboard(cast.assistant, TODAY).overdue == []
    board = assistant_dashboard(cast.colleague, TODAY)
    assert {i.pupil for i in board.overdue} == {cast.pupil, cast.other_pupil}
    client.force_login(cast.assistant)
    r = client.get(reverse("protocols:dashboard"))
    assert cast.pupil.full_name not in r.content.decode()


def test_dashboard_only_assigned_pupils_for_an_assistant_who_is_also_staff(cast):
    from assistant_portal.accounts.models import Role, RoleKind

    Role.objects.create(user=cast.assistant, kind=RoleKind.SCHOOL_ADMIN, school=cast.school)
    board = assistant_dashboard(cast.assistant, TODAY)
    assert {i.pupil for i in board.overdue} == {cast.pupil}


def test_dashboard_page_not_for_non_assistants(cast, client, today):
    client.force_login(cast.specialist)
    assert client.get(reverse("protocols:dashboard")).status_code == 404


def test_dashboard_page_and_home(cast, client, today):
    client.force_login(cast.assistant)
    r = client.get(reverse("protocols:dashboard"))
    html = r.content.decode()
    assert r.status_code == 200
    url = reverse("protocols:window", args=[cast.pupil.pk, "V", "V:september"])
    assert url in html  # one click from the item to its form
    assert "state-overdue" in html
    home = client.get(reverse("home")).content.decode()
    assert reverse("protocols:dashboard") in home


def _many(cast, n):
    """n pupils of the assistant, each with protocols and versions."""
    pupils = [StudentFactory(school=cast.school) for _ in range(n - 1)] + [cast.pupil]
    for p in pupils[:-1]:
        AssignmentFactory(student=p, assistant=cast.assistant)
    for p in pupils:
        for annex, key in (("A", "A:september"), ("B", "B:september"), ("D", "D:2026-11-16")):
            protocol = ProtocolFactory(
                student=p, author=cast.assistant, annex=annex, window_key=key
            )
            ProtocolVersionFactory(protocol=protocol)
            ProtocolVersionFactory(protocol=protocol)
    return pupils


@pytest.mark.parametrize("n", [3, 12])
def test_pupil_year_query_count_is_constant(
    cast, client, today, n, django_assert_num_queries, monkeypatch
):
    """n weekly Д (each with its frozen versions), filled through the real form so the page
    draws their chart, and the page's queries do not grow."""
    monkeypatch.setattr(annexes, "REGISTRY", REAL_REGISTRY)  # the chart reads the real Д
    for i in range(n):
        monday = date(2026, 9, 7) + timedelta(weeks=i)
        behaviour_week(cast.pupil, cast.assistant, monday, [incident(monday)] * 2)
    client.force_login(cast.assistant)
    # 1 session, 2 user, 3 roles, 4 the pupil (access helper), 5 the school's year with
    # holidays, 6 the pupil's protocols, 7 the read-log INSERT
    with django_assert_num_queries(7) as ctx:
        r = client.get(reverse("protocols:pupil_year", args=[cast.pupil.pk]))
    assert r.status_code == 200 and r.context["d_chart"] is not None
    inserts = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1 and "students_readlogentry" in inserts[0]


def test_pupil_year_page(cast, client, today):
    approved = ProtocolFactory(
        student=cast.pupil,
        author=cast.assistant,
        annex="A",
        window_key="A:september",
        status="approved",
    )
    client.force_login(cast.assistant)
    html = client.get(reverse("protocols:pupil_year", args=[cast.pupil.pk])).content.decode()
    assert "Ата-анамен әңгіме" in html  # the annex's menu name comes from the registry
    assert reverse("protocols:pdf", args=[approved.pk]) in html
    assert "state-approved" in html and "state-overdue" in html and "state-upcoming" in html
    assert reverse("protocols:window", args=[cast.pupil.pk, "D", "D:2026-11-23"]) in html
    record = client.get(reverse("students:pupil", args=[cast.pupil.pk])).content.decode()
    assert reverse("protocols:pupil_year", args=[cast.pupil.pk]) in record


def test_parent_sees_only_the_k_sheets(cast, client, today):
    """SPEC §7: a parent sees their own child's К sheets, no other protocol, grid or dossier."""
    k = ProtocolFactory(student=cast.pupil, author=cast.assistant, annex="K", window_key="K:x")
    b = ProtocolFactory(student=cast.pupil, author=cast.assistant, annex="B")
    client.force_login(cast.parent)
    assert client.get(reverse("protocols:pdf", args=[k.pk])).status_code == 200
    assert client.get(reverse("protocols:pdf", args=[b.pk])).status_code == 404
    assert client.get(reverse("protocols:pupil_year", args=[cast.pupil.pk])).status_code == 404
    assert client.post(reverse("protocols:dossier", args=[cast.pupil.pk])).status_code == 404
    record = client.get(reverse("students:pupil", args=[cast.pupil.pk])).content.decode()
    assert reverse("protocols:pupil_year", args=[cast.pupil.pk]) not in record


def test_a_pupils_window_links_are_the_reversed_urls(cast):
    """The grid's links are built from one reverse() per pupil: the same URLs, for every
    window of the year and for keys with characters a URL quotes."""
    from protocols.links import WindowLinks, window_url

    (py,) = pupil_years([cast.pupil], TODAY)
    assert py.cells
    for cell in py.cells:
        assert cell.url == window_url(cast.pupil.pk, cell.window.annex, cell.window.key)
    links = WindowLinks(cast.pupil.pk)
    for annex, key in [("I", "I:2026-11-25"), ("ZH", "ZH:term 1"), ("A", "А:қазан?&=%")]:
        assert links(annex, key) == window_url(cast.pupil.pk, annex, key)
