"""The suite's shared fixtures: the `cast` of people every test uses, hypothesis profiles.

One rule for the suite (tests/README.md): data a reader consumes — dynamics, flags, digest,
print, dossier, export, anonymisation — is created the way users create it, through the
annex's form and the service (`tests/protocols/filling.py: fill_annex`), never as a
hand-written dict of the stored shape.
"""

import os
from dataclasses import dataclass

# Sync Playwright runs an event loop in the test thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from assistant_portal.accounts.models import RoleKind, Speciality, User  # noqa: E402
from course.models import Enrolment  # noqa: E402
from students.models import Guardian, School, Student  # noqa: E402
from students.text import kazakh_sort_key  # noqa: E402

from .factories import (  # noqa: E402
    AcademicYearFactory,
    AssignmentFactory,
    CohortFactory,
    DistrictFactory,
    GuardianFactory,
    OrganisationFactory,
    SchoolFactory,
    StudentFactory,
    person,
)
from .factories import enrolment as enrolment_factory  # noqa: E402

hypothesis_settings.register_profile("ci", deadline=None, max_examples=200)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium: Playwright's own browser download is not possible here.
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium"}


@dataclass
class Cast:
    """The fixed cast every access test uses."""

    school: School
    other_school: School
    pupil: Student  # assigned to `assistant`
    other_pupil: Student  # same school, assigned to `colleague`
    foreign_pupil: Student  # another school
    guardian: Guardian
    assistant: User
    colleague: User  # another assistant of the same school
    specialist: User
    psychologist: User
    school_admin: User
    foreign_specialist: User
    foreign_admin: User
    foreign_assistant: User
    course_admin: User
    listener: User
    parent: User
    # The course's world: a cohort of course_admin's organisation with `listener` enrolled.
    cohort: object = None
    enrolment: object = None  # the listener's
    foreign_course_admin: User | None = None  # another training organisation
    other_listener: User | None = None  # enrolled in another cohort
    # Oversight: of the school's district, of its region, and of the other school's district.
    oversight: User | None = None
    region_oversight: User | None = None
    foreign_oversight: User | None = None


@pytest.fixture
def cast(db) -> Cast:
    district, foreign_district = DistrictFactory(), DistrictFactory()
    school, other_school = (
        SchoolFactory(district=district),
        SchoolFactory(district=foreign_district),
    )
    org = OrganisationFactory()
    assistant = person(RoleKind.ASSISTANT, school=school, full_name="Асель Ассистент")
    colleague = person(RoleKind.ASSISTANT, school=school)
    pupil = StudentFactory(school=school, last_name="Ахметов")
    other_pupil = StudentFactory(school=school, last_name="Бекова")
    foreign_pupil = StudentFactory(school=other_school)
    AssignmentFactory(student=pupil, assistant=assistant)
    AssignmentFactory(student=other_pupil, assistant=colleague)
    foreign_assistant = person(RoleKind.ASSISTANT, school=other_school)
    AssignmentFactory(student=foreign_pupil, assistant=foreign_assistant)
    parent = person(RoleKind.PARENT, school=school)
    guardian = GuardianFactory(student=pupil, user=parent)
    AcademicYearFactory(school=school)
    AcademicYearFactory(school=other_school)
    course_admin = person(RoleKind.COURSE_ADMIN, organisation=org)
    listener = person(RoleKind.LISTENER, full_name="Тыңдаушы Бірінші")
    cohort = CohortFactory(organisation=org)
    enrolment = Enrolment.objects.create(
        cohort=cohort, listener=listener, sort_key=kazakh_sort_key(listener.full_name)
    )
    other_enrolment = enrolment_factory(CohortFactory(organisation=org))
    return Cast(
        school=school,
        other_school=other_school,
        pupil=pupil,
        other_pupil=other_pupil,
        foreign_pupil=foreign_pupil,
        guardian=guardian,
        assistant=assistant,
        colleague=colleague,
        specialist=person(
            RoleKind.SPECIALIST, school=school, speciality=Speciality.SPEECH_THERAPIST
        ),
        psychologist=person(RoleKind.SPECIALIST, school=school, speciality=Speciality.PSYCHOLOGIST),
        school_admin=person(RoleKind.SCHOOL_ADMIN, school=school),
        foreign_specialist=person(
            RoleKind.SPECIALIST, school=other_school, speciality=Speciality.PSYCHOLOGIST
        ),
        foreign_admin=person(RoleKind.SCHOOL_ADMIN, school=other_school),
        foreign_assistant=foreign_assistant,
        course_admin=course_admin,
        listener=listener,
        parent=parent,
        cohort=cohort,
        enrolment=enrolment,
        foreign_course_admin=person(RoleKind.COURSE_ADMIN, organisation=OrganisationFactory()),
        other_listener=other_enrolment.listener,
        oversight=person(RoleKind.OVERSIGHT, district=district),
        region_oversight=person(RoleKind.OVERSIGHT, region=district.region),
        foreign_oversight=person(RoleKind.OVERSIGHT, district=foreign_district),
    )


def services_required() -> bool:
    """In CI a missing PostgreSQL or Redis is a failure, never a skip."""
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def redis_url():
    """The real Redis broker; skips locally when absent, fails in CI."""
    import redis

    url = os.environ.get("REDIS_URL", "")
    if not url:
        if services_required():
            pytest.fail("REDIS_URL is not set but CI=true: Redis is required")
        pytest.skip("REDIS_URL not set (Redis tests run in CI)")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as e:
        if services_required():
            pytest.fail(f"Redis at {url} is not reachable: {e}")
        pytest.skip(f"Redis not reachable: {e}")
    return url


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in Django's cache (local memory in tests): each test starts at
    zero, so one test's requests never count against another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
