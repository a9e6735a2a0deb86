from datetime import date

import pytest
from django.urls import reverse

from students.models import Assignment, Student
from tests.factories import AssignmentFactory, StudentFactory, person

from .test_text import make_iin

VALID_IIN = make_iin("17031460001") or make_iin("17031460002")


def pupil_form(**over):
    data = {
        "last_name": "Серікқызы",
        "first_name": "Аружан",
        "patronymic": "",
        "birth_date": "2017-03-14",
        "iin": "",
        "grade": "3",
        "class_letter": "Ә",
        "sen_category": "speech",
        "joined": "2026-09-01",
        "left": "",
        "pmpc_number": "",
        "pmpc_date": "",
        "pmpc_valid_until": "",
        "pmpc_text": "",
    }
    data.update(over)
    return data


def test_school_admin_creates_a_pupil(client, cast):
    client.force_login(cast.school_admin)
    r = client.post(reverse("students:new"), pupil_form(iin=VALID_IIN))
    pupil = Student.objects.get(last_name="Серікқызы")
    assert r.status_code == 302 and r["Location"] == pupil.get_absolute_url()
    assert pupil.school == cast.school and pupil.iin == VALID_IIN


def test_missing_iin_is_stored_as_null(client, cast):
    client.force_login(cast.school_admin)
    client.post(reverse("students:new"), pupil_form())
    client.post(reverse("students:new"), pupil_form(last_name="Басқа"))
    assert Student.objects.filter(iin__isnull=True).count() >= 2


@pytest.mark.parametrize(
    "over,field,message",
    [
        ({"iin": "123456789012"}, "iin", "Дұрыс ЖСН енгізіңіз."),
        ({"left": "2026-08-01"}, "left", None),
        ({"pmpc_date": "2026-05-01", "pmpc_valid_until": "2025-05-01"}, "pmpc_valid_until", None),
        ({"birth_date": "31.02.2017"}, "birth_date", None),
        ({"last_name": ""}, "last_name", "Бұл өрісті толтыру міндетті."),
    ],
)
def test_bad_input_is_refused_and_kept(client, cast, over, field, message):
    client.force_login(cast.school_admin)
    before = Student.objects.count()
    r = client.post(reverse("students:new"), pupil_form(**over), HTTP_ACCEPT_LANGUAGE="kk")
    assert r.status_code == 400
    assert field in r.context["form"].errors
    if message:
        assert message in r.context["form"].errors[field][0]
    assert Student.objects.count() == before
    # what the user typed is still in the form
    assert r.context["form"].data["first_name"] == "Аружан"


def test_duplicate_iin_is_refused(client, cast):
    StudentFactory(school=cast.other_school, iin=VALID_IIN)
    client.force_login(cast.school_admin)
    r = client.post(reverse("students:new"), pupil_form(iin=VALID_IIN))
    assert r.status_code == 400 and "iin" in r.context["form"].errors


def test_only_school_admin_manages(client, cast):
    for who in (cast.assistant, cast.specialist, cast.parent):
        client.force_login(who)
        assert client.get(reverse("students:edit", args=[cast.pupil.pk])).status_code == 404
        assert client.get(reverse("students:new")).status_code == 404


def test_assignment_history_is_kept(client, cast):
    client.force_login(cast.school_admin)
    r = client.post(
        reverse("students:assign", args=[cast.pupil.pk]),
        {"assistant": cast.colleague.pk, "start": "2026-10-05"},
    )
    assert r.status_code == 302
    rows = list(Assignment.objects.filter(student=cast.pupil).order_by("start"))
    assert [(a.assistant, a.start, a.end) for a in rows] == [
        (cast.assistant, date(2026, 9, 1), date(2026, 10, 4)),
        (cast.colleague, date(2026, 10, 5), None),
    ]


def test_cannot_assign_an_assistant_of_another_school(client, cast):
    client.force_login(cast.school_admin)
    r = client.post(
        reverse("students:assign", args=[cast.pupil.pk]),
        {"assistant": cast.foreign_assistant.pk, "start": "2026-10-05"},
    )
    assert r.status_code == 400 and "assistant" in r.context["form"].errors
    assert Assignment.objects.filter(student=cast.pupil).count() == 1


def test_assistant_sees_only_assigned_pupils(client, cast):
    client.force_login(cast.assistant)
    r = client.get(reverse("students:list"))
    assert list(r.context["pupils"]) == [cast.pupil]
    assert client.get(reverse("students:pupil", args=[cast.other_pupil.pk])).status_code == 404


def test_previous_assistant_loses_access_after_reassignment(client, cast):
    Assignment.objects.filter(student=cast.pupil).update(end=date(2026, 9, 30))
    AssignmentFactory(student=cast.pupil, assistant=cast.colleague, start=date(2026, 10, 1))
    client.force_login(cast.assistant)
    assert client.get(reverse("students:pupil", args=[cast.pupil.pk])).status_code == 404
    client.force_login(cast.colleague)
    assert client.get(reverse("students:pupil", args=[cast.pupil.pk])).status_code == 200


def test_specialist_sees_whole_school_only(client, cast):
    client.force_login(cast.specialist)
    pupils = set(client.get(reverse("students:list")).context["pupils"])
    assert pupils == {cast.pupil, cast.other_pupil}


def test_parent_sees_only_own_child(client, cast):
    client.force_login(cast.parent)
    assert list(client.get(reverse("students:list")).context["pupils"]) == [cast.pupil]


def test_archive_keeps_the_record(client, cast):
    client.force_login(cast.school_admin)
    client.post(reverse("students:archive", args=[cast.pupil.pk]))
    cast.pupil.refresh_from_db()
    assert cast.pupil.archived_at is not None
    assert client.get(reverse("students:pupil", args=[cast.pupil.pk])).status_code == 404


def test_history_shows_who_changed_what(client, cast):
    client.force_login(cast.school_admin)
    client.post(
        reverse("students:edit", args=[cast.pupil.pk]),
        pupil_form(last_name="Ахметов", first_name="Данияр", class_letter="Б"),
    )
    r = client.get(reverse("students:history", args=[cast.pupil.pk]))
    changes = [e for e in r.context["events"] if e.pgh_diff and "first_name" in e.pgh_diff]
    assert changes and changes[0].author == cast.school_admin.full_name
    assert changes[0].pgh_diff["first_name"] == ["Айбек", "Данияр"]


def test_bulk_updates_are_in_the_history_too(cast):
    from students.models import StudentEvent

    before = StudentEvent.objects.filter(pgh_obj_id=cast.pupil.pk).count()
    Student.objects.filter(pk=cast.pupil.pk).update(class_letter="В")  # outside any view
    assert StudentEvent.objects.filter(pgh_obj_id=cast.pupil.pk).count() == before + 1


def _many_pupils(cast, n):
    for _ in range(n):
        AssignmentFactory(student=StudentFactory(school=cast.school), assistant=cast.colleague)


@pytest.mark.parametrize("n", [5, 50])
def test_pupil_list_query_count_is_constant(client, cast, n, django_assert_num_queries):
    _many_pupils(cast, n)
    client.force_login(cast.specialist)
    # 1 session, 2 user, 3 roles, 4 pupils with their current assistant (one subquery)
    with django_assert_num_queries(4):
        r = client.get(reverse("students:list"))
    assert len(r.context["pupils"]) == n + 2


def test_kazakh_sort_in_list(client, cast):
    StudentFactory(school=cast.school, last_name="Әбенов", grade=3, class_letter="Ә")
    client.force_login(cast.specialist)
    names = [p.last_name for p in client.get(reverse("students:list")).context["pupils"]]
    assert names.index("Ахметов") < names.index("Әбенов") < names.index("Бекова")


def test_classes_sort_by_grade_number(client, cast):
    StudentFactory(school=cast.school, last_name="Жоғары", grade=10, class_letter="А")
    client.force_login(cast.specialist)
    names = [p.last_name for p in client.get(reverse("students:list")).context["pupils"]]
    assert names[-1] == "Жоғары"


def test_year_dates_out_of_order(client, cast):
    client.force_login(cast.school_admin)
    r = client.post(
        reverse("students:year_new"),
        {"start": "2027-09-01", "half_year_end": "2027-12-29", "end": "2027-05-25"},
    )
    assert r.status_code == 400 and "end" in r.context["form"].errors


def test_holiday_for_first_graders(client, cast):
    year = cast.school.years.get()
    client.force_login(cast.school_admin)
    r = client.post(
        reverse("students:holiday_add", args=[year.pk]),
        {
            "holiday-name": "Қосымша каникул",
            "holiday-start": "2027-02-08",
            "holiday-end": "2027-02-14",
            "holiday-grades": "1",
        },
    )
    assert r.status_code == 302
    assert year.holidays.get().grades == [1]


def test_holiday_outside_the_year_is_refused(client, cast):
    year = cast.school.years.get()
    client.force_login(cast.school_admin)
    r = client.post(
        reverse("students:holiday_add", args=[year.pk]),
        {"holiday-name": "Жаз", "holiday-start": "2027-06-01", "holiday-end": "2027-08-30"},
    )
    assert r.status_code == 400 and not year.holidays.exists()


def test_foreign_admin_cannot_make_pupils_in_our_school(client, cast):
    client.force_login(cast.foreign_admin)
    client.post(reverse("students:new"), pupil_form(last_name="Бөтен"))
    assert Student.objects.get(last_name="Бөтен").school == cast.other_school


def test_person_helper_has_role(cast):
    u = person("listener")
    assert u.roles.get().kind == "listener"


@pytest.mark.parametrize(
    "name,args,title,cancel",
    [
        ("students:new", [], "New pupil: ", "/pupils/"),  # names the school (defect 13)
        ("students:edit", ["pupil"], "Pupil: Ахметов", "pupil"),
        ("students:assign", ["pupil"], "Assign a teaching assistant: Ахметов", "pupil"),
        ("students:guardian_new", ["pupil"], "Parent / guardian: Ахметов", "pupil"),
    ],
)
def test_form_pages_name_the_pupil_and_go_back(client, cast, settings, name, args, title, cancel):
    """The record's forms share templates/form_page.html: its title, then Cancel back."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(cast.school_admin)
    r = client.get(reverse(name, args=[cast.pupil.pk for _ in args]))
    assert r.status_code == 200 and f'<h1 class="h3 mb-3">{title}' in r.text
    back = cast.pupil.get_absolute_url() if cancel == "pupil" else cancel
    assert f'<a class="btn btn-link" href="{back}">Cancel</a>' in r.text
