"""History triggers stay linear on bulk writes and still record every change.

The growth itself is measured by `bench/history.py` (10k → 80k rows); here: the helpers every
trigger calls take no subtransaction, and what they record is unchanged.
"""

from datetime import date

import pghistory
import pytest
from django.db import connection
from django.urls import reverse

from students.models import Student, StudentEvent
from students.text import kazakh_sort_key

from .factories import SchoolFactory

pytestmark = pytest.mark.django_db


def _source(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [name])
        (source,) = cursor.fetchone()
    return source


@pytest.mark.parametrize("name", ["_pgtrigger_should_ignore", "_pgh_attach_context"])
def test_trigger_helpers_take_no_subtransaction(name):
    # An EXCEPTION block is a subtransaction; its abort scans every deferred foreign-key check
    # queued so far in the transaction, which made bulk writes quadratic.
    assert "EXCEPTION" not in _source(name).upper()


def _pupils(school, n):
    return [
        Student(
            school=school,
            last_name=f"Оқушы{i}",
            first_name="Айбек",
            sort_key=kazakh_sort_key(f"Оқушы{i} Айбек"),
            birth_date=date(2016, 1, 1),
            grade=2,
            class_letter="А",
            class_sort_key="02А",
            sen_category="speech",
            joined=date(2026, 9, 1),
        )
        for i in range(n)
    ]


def test_bulk_insert_and_update_are_each_recorded():
    school = SchoolFactory()
    pupils = Student.objects.bulk_create(_pupils(school, 50))
    Student.objects.filter(school=school).update(grade=3)
    events = StudentEvent.objects.filter(pgh_obj__school=school)
    assert events.filter(pgh_label="insert").count() == 50
    assert events.filter(pgh_label="update", grade=3).count() == 50
    assert {e.pgh_obj_id for e in events} == {p.pk for p in pupils}
    assert not events.exclude(pgh_context=None).exists()  # no request: no context


def test_context_is_still_attached():
    school = SchoolFactory()
    with pghistory.context(user=7, url="/import/"):
        Student.objects.bulk_create(_pupils(school, 3))
        Student.objects.filter(school=school).update(grade=4)
    events = StudentEvent.objects.filter(pgh_obj__school=school).select_related("pgh_context")
    assert events.count() == 6
    assert {e.pgh_context.metadata["url"] for e in events} == {"/import/"}
    assert len({e.pgh_context_id for e in events}) == 1  # one context row, upserted


def test_ignored_triggers_stay_ignored():
    # What pgtrigger.ignore() sets for the statements it wraps (its context manager cannot be
    # left inside a test's transaction: pgtrigger 4.17 then resets through a stale wrapper).
    school = SchoolFactory()
    (pupil,) = Student.objects.bulk_create(_pupils(school, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'students_student'::regclass"
            " AND tgname LIKE 'pgtrigger_update%%'"
        )
        (update_trigger,) = cursor.fetchone()
        cursor.execute(
            "SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + update_trigger + "}"]
        )
        cursor.execute("UPDATE students_student SET grade = 5 WHERE id = %s", [pupil.pk])
        cursor.execute("SELECT set_config('pgtrigger.ignore', NULL, true)")  # reads '' now
        cursor.execute("UPDATE students_student SET grade = 6 WHERE id = %s", [pupil.pk])
    labels = list(
        StudentEvent.objects.filter(pgh_obj=pupil)
        .order_by("pgh_id")
        .values_list("pgh_label", "grade")
    )
    assert labels == [("insert", 2), ("update", 6)]


def test_a_request_still_records_who_changed_what(client, cast):
    client.force_login(cast.school_admin)
    url = reverse("students:edit", args=[cast.pupil.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(last_name="Жаңаұлы", birth_date="2016-01-01", joined="2026-09-01")
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    event = StudentEvent.objects.filter(pgh_obj=cast.pupil, last_name="Жаңаұлы").get()
    assert event.pgh_context.metadata["user"] == cast.school_admin.pk
