"""Who sees whom, for users with several roles, and the plan PostgreSQL takes for it.

With one OR across the role joins, a psychologist who is also an assistant made PostgreSQL read
every pupil and every assignment of the country. Each role is now a branch read through its own
index; the plans below are checked on 40 schools of 100 pupils with statistics, as in
production.
"""

from datetime import date

import pytest
from django.db import connection

from assistant_portal.accounts.models import Role, RoleKind, Speciality
from protocols.access import protocols_visible_to
from protocols.models import AnnexCode, Protocol, Status
from students.access import pupils_visible_to
from students.models import AcademicYear, Assignment, Guardian, School, Student
from tests.factories import UserFactory, person

pytestmark = pytest.mark.django_db

SCHOOLS, PER_SCHOOL = 40, 100
FREE = 90  # pupils 90–99 of each school have no assistant yet


@pytest.fixture
def country():
    """40 schools of 100 pupils, most of them assigned, each with two protocols."""
    schools = School.objects.bulk_create(School(name_kk=f"№ {i} мектеп") for i in range(SCHOOLS))
    years = AcademicYear.objects.bulk_create(
        AcademicYear(
            school=s,
            start=date(2026, 9, 1),
            half_year_end=date(2026, 12, 29),
            end=date(2027, 5, 25),
        )
        for s in schools
    )
    pupils = Student.objects.bulk_create(
        Student(
            school=s,
            last_name=f"Оқушы{i}",
            first_name="Айбек",
            sort_key=f"{i:05d}",
            birth_date=date(2016, 1, 1),
            grade=2,
            class_letter="А",
            class_sort_key="02А",
            sen_category="speech",
            joined=date(2026, 9, 1),
        )
        for s in schools
        for i in range(PER_SCHOOL)
    )
    assistants = [person(RoleKind.ASSISTANT, school=s) for s in schools]
    Assignment.objects.bulk_create(
        Assignment(student=p, assistant=assistants[i // PER_SCHOOL], start=date(2026, 9, 1))
        for i, p in enumerate(pupils)
        if i % PER_SCHOOL < FREE
    )
    year_of = {y.school_id: y for y in years}
    Protocol.objects.bulk_create(
        Protocol(
            student=p,
            year=year_of[p.school_id],
            annex=annex,
            window_key=f"{annex}:x",
            author=assistants[i // PER_SCHOOL],
            updated_by=assistants[i // PER_SCHOOL],
            status=Status.SUBMITTED,
        )
        for i, p in enumerate(pupils)
        for annex in (AnnexCode.A, AnnexCode.K)
    )
    return schools, pupils


def _analyze():
    with connection.cursor() as cursor:
        for table in ("students_student", "students_assignment", "students_guardian"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("ANALYZE protocols_protocol")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def psychologist_assistant_parent(country):
    """A psychologist of school 0, assistant of two pupils of school 1 (and formerly of a
    third), parent of a pupil of school 2."""
    schools, pupils = country
    user = UserFactory()
    Role.objects.create(
        user=user, kind=RoleKind.SPECIALIST, school=schools[0], speciality=Speciality.PSYCHOLOGIST
    )
    Role.objects.create(user=user, kind=RoleKind.ASSISTANT, school=schools[1])
    Role.objects.create(user=user, kind=RoleKind.PARENT, school=schools[2])
    for pupil in pupils[PER_SCHOOL + FREE : PER_SCHOOL + FREE + 2]:
        Assignment.objects.create(student=pupil, assistant=user, start=date(2026, 9, 1))
    Assignment.objects.create(  # ended: not visible any more
        student=pupils[PER_SCHOOL + FREE + 2],
        assistant=user,
        start=date(2026, 9, 1),
        end=date(2026, 9, 30),
    )
    Guardian.objects.create(student=pupils[2 * PER_SCHOOL], user=user, full_name="Ата-ана")
    _analyze()
    return user


def test_several_roles_see_the_union_of_their_branches(psychologist_assistant_parent, country):
    schools, pupils = country
    user = psychologist_assistant_parent
    seen = set(pupils_visible_to(user).values_list("pk", flat=True))
    expected = {p.pk for p in pupils[:PER_SCHOOL]} | {
        pupils[PER_SCHOOL + FREE].pk,
        pupils[PER_SCHOOL + FREE + 1].pk,
        pupils[2 * PER_SCHOOL].pk,
    }
    assert seen == expected
    # protocols: every one of the school's and the assigned pupils', only К of the own child
    visible = set(protocols_visible_to(user).values_list("student_id", "annex"))
    child = pupils[2 * PER_SCHOOL].pk
    assert (child, AnnexCode.K) in visible and (child, AnnexCode.A) not in visible
    assert (pupils[PER_SCHOOL + FREE].pk, AnnexCode.A) in visible
    assert len(visible) == 2 * (PER_SCHOOL + 2) + 1


@pytest.mark.parametrize(
    "who", ["psychologist_assistant_parent", "assistant", "specialist", "parent"]
)
def test_access_queries_read_through_indexes(who, country, request):
    schools, pupils = country
    if who == "psychologist_assistant_parent":
        user = request.getfixturevalue(who)
    else:
        kind = {"assistant": RoleKind.ASSISTANT, "specialist": RoleKind.SPECIALIST}.get(
            who, RoleKind.PARENT
        )
        speciality = Speciality.SPEECH_THERAPIST if kind == RoleKind.SPECIALIST else ""
        user = person(kind, school=schools[3], speciality=speciality)
        if who == "assistant":
            Assignment.objects.create(
                student=pupils[3 * PER_SCHOOL + FREE], assistant=user, start=date(2026, 9, 1)
            )
        if who == "parent":
            Guardian.objects.create(student=pupils[3], user=user, full_name="Ата-ана")
        _analyze()
    for queryset in (pupils_visible_to(user), protocols_visible_to(user)):
        plan = _plan(queryset)
        assert "Seq Scan on students_student" not in plan, plan
        assert "Seq Scan on students_assignment" not in plan, plan
        assert "Seq Scan on protocols_protocol" not in plan, plan
