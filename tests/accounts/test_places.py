"""An administrator of two schools (or two training organisations) chooses where they work, and
the choice is remembered: before, the lowest id was used silently."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assistant_portal.accounts.models import Role, RoleKind
from course.models import Cohort
from students.models import Student
from tests.factories import OrganisationFactory, SchoolFactory


@pytest.fixture
def two_school_admin(cast):
    """cast.school_admin also administers a second school, with a higher id."""
    second = SchoolFactory(name_kk="Екінші мектеп")
    Role.objects.create(user=cast.school_admin, kind=RoleKind.SCHOOL_ADMIN, school=second)
    assert second.pk > cast.school.pk
    return second


def _new_pupil(client, last_name):
    return client.post(
        reverse("students:new"),
        {
            "last_name": last_name,
            "first_name": "Әлия",
            "birth_date": "2016-05-01",
            "grade": 3,
            "class_letter": "А",
            "sen_category": "speech",
            "joined": timezone.localdate().isoformat(),
        },
    )


def test_the_admin_of_two_schools_chooses_the_second_and_it_is_remembered(
    client, cast, two_school_admin
):
    client.force_login(cast.school_admin)
    page = client.get(reverse("students:list")).content.decode()
    assert 'data-place-switcher="school"' in page and "Екінші мектеп" in page
    r = client.post(
        reverse("accounts:choose_place"),
        {"school": two_school_admin.pk, "next": reverse("students:new")},
    )
    assert r.status_code == 302 and r["Location"] == reverse("students:new")
    assert "Екінші мектеп" in client.get(reverse("students:new")).content.decode()
    _new_pupil(client, "Екіншіұлы")
    assert Student.objects.get(last_name="Екіншіұлы").school == two_school_admin

    other_device = Client()  # a new session: the choice is kept on the user
    other_device.force_login(cast.school_admin)
    _new_pupil(other_device, "Тағыұлы")
    assert Student.objects.get(last_name="Тағыұлы").school == two_school_admin
    r = other_device.get(reverse("students:import"))
    assert "Екінші мектеп" in r.content.decode()


def test_by_default_the_first_school_and_no_switcher_for_one_school(client, cast):
    client.force_login(cast.school_admin)
    assert 'data-place-switcher="school"' not in client.get(reverse("students:list")).text
    _new_pupil(client, "Біріншіұлы")
    assert Student.objects.get(last_name="Біріншіұлы").school == cast.school


def test_a_school_not_administered_cannot_be_chosen(client, cast, two_school_admin):
    client.force_login(cast.school_admin)
    r = client.post(reverse("accounts:choose_place"), {"school": cast.other_school.pk})
    assert r.status_code == 404
    cast.school_admin.refresh_from_db()
    assert cast.school_admin.chosen_school_id is None
    client.force_login(cast.specialist)
    r = client.post(reverse("accounts:choose_place"), {"school": cast.school.pk})
    assert r.status_code == 404


def test_a_lost_role_falls_back_to_a_school_still_administered(client, cast, two_school_admin):
    client.force_login(cast.school_admin)
    client.post(reverse("accounts:choose_place"), {"school": two_school_admin.pk})
    Role.objects.filter(user=cast.school_admin, school=two_school_admin).update(
        archived_at=timezone.now()
    )
    _new_pupil(client, "Қайтаұлы")
    assert Student.objects.get(last_name="Қайтаұлы").school == cast.school


def test_the_next_address_must_be_ours(client, cast, two_school_admin):
    client.force_login(cast.school_admin)
    r = client.post(
        reverse("accounts:choose_place"),
        {"school": two_school_admin.pk, "next": "https://evil.example/"},
    )
    assert r["Location"] == reverse("home")


def test_the_course_admin_of_two_organisations_chooses_one(client, cast):
    second = OrganisationFactory(name="Екінші орталық")
    Role.objects.create(user=cast.course_admin, kind=RoleKind.COURSE_ADMIN, organisation=second)
    client.force_login(cast.course_admin)
    page = client.get(reverse("course:cohorts")).content.decode()
    assert 'data-place-switcher="organisation"' in page and "Екінші орталық" in page
    client.post(reverse("accounts:choose_place"), {"organisation": second.pk})
    r = client.post(
        reverse("course:cohort_new"),
        {
            "name": "Екінші топ",
            "start": "2026-11-09",
            "end": "2026-11-20",
            "trainers": "",
            "test_minutes": 60,
            "require_test_pass": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    assert Cohort.objects.get(name="Екінші топ").organisation == second
