"""Duplicate pupils: an exact copy without IIN was imported silently, a pupil
created from two tabs existed twice, the same file imported twice doubled every row, a double
click on "confirm import" doubled it, and with IINs the same races gave a 500.

Likely duplicates (name + date of birth + school) are asked about; one preview confirms once; a
repeated IIN is a form error. The races run for real: threads with their own PostgreSQL
connections, started together at a barrier."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from assistant_portal.accounts.models import RoleKind
from students.models import PupilImportPreview, Student
from tests.factories import StudentFactory, person

from .test_text import make_iin

HEADER = "last_name,first_name,birth_date,class,sen_category,joined,iin\n"
ROWS = (
    "Қасымова,Іңкәр,14.03.2017,3 Ә,speech,01.09.2026,{iin1}\n"
    "Омаров,Ұлан,02.02.2016,4 Б,autism,01.09.2026,{iin2}\n"
)


def _iin(seed: str) -> str:
    return next(i for i in (make_iin(f"{seed}{n}") for n in range(10)) if i)


def _file(iins=("", "")) -> bytes:
    return (HEADER + ROWS.format(iin1=iins[0], iin2=iins[1])).encode()


def _upload(client, content: bytes, name="pupils.csv"):
    f = SimpleUploadedFile(name, content)
    return client.post(reverse("students:import"), {"file": f, "encoding": "auto"})


def _confirm(client, page, **choices):
    token = page.context["preview"].token
    return client.post(reverse("students:import_confirm"), {"token": token, **choices})


def _pupil_form(**over):
    data = {
        "last_name": "Қасымова",
        "first_name": "Іңкәр",
        "birth_date": "2017-03-14",
        "grade": 3,
        "class_letter": "Ә",
        "sen_category": "speech",
        "joined": "2026-09-01",
    }
    return {**data, **over}


@pytest.fixture
def admin(client, cast):
    client.force_login(cast.school_admin)
    return client


# --- the form --------------------------------------------------------------------------------


def test_a_copy_of_an_existing_pupil_is_asked_about_then_created_only_when_confirmed(admin, cast):
    existing = StudentFactory(
        school=cast.school, last_name="Қасымова", first_name="Іңкәр", birth_date="2017-03-14"
    )
    r = admin.post(reverse("students:new"), _pupil_form(last_name=" қасымова ", patronymic="X"))
    assert r.status_code == 400
    assert "create_anyway" in r.context["form"].fields
    assert r.context["duplicates"] == [existing]
    page = r.content.decode()
    assert existing.get_absolute_url() in page and 'value=" қасымова "' in page  # kept as typed
    assert Student.objects.filter(last_name__iexact="қасымова").count() == 1

    r = admin.post(reverse("students:new"), _pupil_form(create_anyway="on"))
    assert r.status_code == 302
    assert Student.objects.filter(last_name="Қасымова").count() == 2


def test_another_school_or_an_archived_pupil_is_no_duplicate(admin, cast):
    StudentFactory(
        school=cast.other_school, last_name="Қасымова", first_name="Іңкәр", birth_date="2017-03-14"
    )
    assert admin.post(reverse("students:new"), _pupil_form()).status_code == 302


def test_a_repeated_iin_is_a_form_error(admin, cast):
    iin = _iin("1703146000")
    StudentFactory(school=cast.school, iin=iin)
    r = admin.post(reverse("students:new"), _pupil_form(iin=iin, last_name="Басқа"))
    assert r.status_code == 400 and "iin" in r.context["form"].errors


# --- the import ------------------------------------------------------------------------------


def test_an_exact_copy_in_a_file_is_marked_and_skipped_unless_created_anyway(admin, cast):
    StudentFactory(
        school=cast.school, last_name="Қасымова", first_name="Іңкәр", birth_date="2017-03-14"
    )
    r = _upload(admin, _file())
    rows = r.context["parsed"].rows
    assert rows[0].duplicates and not rows[1].duplicates
    assert "1 row looks like" in r.content.decode() or 'name="duplicates"' in r.content.decode()
    _confirm(admin, r)  # the default: skip
    assert Student.objects.filter(last_name="Қасымова").count() == 1
    assert Student.objects.filter(last_name="Омаров").count() == 1

    r = _upload(admin, _file())
    _confirm(admin, r, duplicates="create")
    assert Student.objects.filter(last_name="Қасымова").count() == 2
    assert Student.objects.filter(last_name="Омаров").count() == 2


def test_the_same_file_twice_adds_nothing_the_second_time(admin, cast):
    _confirm(admin, _upload(admin, _file()))
    before = Student.objects.count()
    r = _upload(admin, _file())
    assert all(row.duplicates for row in r.context["parsed"].rows)
    r = _confirm(admin, r)
    assert Student.objects.count() == before


def test_a_row_repeated_within_the_file_is_marked(admin, cast, settings):
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = _file() + "ҚАСЫМОВА,Іңкәр,14.03.2017,3 Ә,speech,01.09.2026,\n".encode()
    r = _upload(admin, content)
    assert "row 2" in " ".join(r.context["parsed"].rows[2].duplicates)
    _confirm(admin, r)
    assert Student.objects.filter(last_name__iexact="Қасымова").count() == 1


def test_one_preview_confirms_once(admin, cast):
    r = _upload(admin, _file())
    first = _confirm(admin, r)
    second = _confirm(admin, r)
    assert first.status_code == second.status_code == 302
    assert Student.objects.filter(last_name="Омаров").count() == 1
    preview = PupilImportPreview.objects.get()
    assert preview.confirmed_at and preview.created == 2 and preview.rows == []


def test_another_persons_preview_cannot_be_confirmed(client, cast):
    client.force_login(cast.school_admin)
    r = _upload(client, _file())
    client.force_login(cast.foreign_admin)
    _confirm(client, r)
    assert not Student.objects.filter(last_name="Омаров").exists()


def test_errors_name_columns_as_the_files_header(admin, settings):
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    content = (
        "Фамилия;Имя;Дата рождения;Класс;Категория ООП;Дата зачисления;ИИН\n"
        "Иванов;Иван;31.02.2016;сынып;жоқ;01.09.2026;123\n"
    ).encode()
    r = _upload(admin, content)
    errors = r.context["parsed"].rows[0].errors
    assert any(e.startswith("Дата рождения: ") for e in errors), errors
    assert any(e.startswith("Класс: ") for e in errors), errors
    assert any(e.startswith("Категория ООП: ") for e in errors), errors
    r = _upload(
        admin,
        content.replace(b"31.02", b"01.02")
        .replace("сынып".encode(), "4 А".encode())
        .replace("жоқ".encode(), b"speech"),
    )
    errors = r.context["parsed"].rows[0].errors
    assert errors and all(e.startswith("ИИН: ") for e in errors), errors
    assert not any(key in " ".join(errors) for key in ("iin:", "birth_date", "sen_category"))


def test_the_help_lists_the_columns_in_the_readers_language(admin, settings):
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = admin.get(reverse("students:import")).content.decode()
    assert "Фамилия, Имя, Отчество, Дата рождения, Иин" in page
    assert "last_name" not in page
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    assert "Тегі, Аты" in admin.get(reverse("students:import")).content.decode()


# --- races against PostgreSQL ----------------------------------------------------------------


def _together(*calls):
    """Run the calls in threads released at once; each thread has its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as e:  # noqa: BLE001 — the test inspects it
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def slow_checks(monkeypatch):
    """Widen the race window: each check of a new pupil takes 0.3 s, as on a loaded server."""
    original = Student.full_clean

    def slow(self, *args, **kwargs):
        original(self, *args, **kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(Student, "full_clean", slow)


def _logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_iin", [False, True])
def test_two_tabs_create_the_same_pupil_at_once(cast, slow_checks, with_iin):
    data = _pupil_form(iin=_iin("1703146000") if with_iin else "")
    tabs = [_logged_in(cast.school_admin) for _ in range(2)]
    results = _together(*(lambda c=c: c.post(reverse("students:new"), data) for c in tabs))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.status_code for r in results) == [302, 400]  # one saved, one asked / told
    assert Student.objects.filter(last_name="Қасымова").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_iin", [False, True])
def test_a_double_click_on_confirm_imports_once(cast, slow_checks, with_iin):
    iins = (_iin("1703146000"), _iin("0202166000")) if with_iin else ("", "")
    client = _logged_in(cast.school_admin)
    page = _upload(client, _file(iins))
    token = page.context["preview"].token
    clicks = [_logged_in(cast.school_admin) for _ in range(2)]
    url = reverse("students:import_confirm")
    results = _together(*(lambda c=c: c.post(url, {"token": token}) for c in clicks))
    assert [r.status_code for r in results] == [302, 302], results
    assert Student.objects.filter(last_name__in=["Қасымова", "Омаров"]).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_iin", [False, True])
def test_the_same_file_imported_by_two_admins_at_once_adds_each_pupil_once(
    cast, slow_checks, with_iin
):
    iins = (_iin("1703146000"), _iin("0202166000")) if with_iin else ("", "")
    colleague = person(RoleKind.SCHOOL_ADMIN, school=cast.school)
    admins = [_logged_in(cast.school_admin), _logged_in(colleague)]
    tokens = [_upload(c, _file(iins)).context["preview"].token for c in admins]
    url = reverse("students:import_confirm")
    results = _together(
        *(lambda c=c, t=t: c.post(url, {"token": t}) for c, t in zip(admins, tokens, strict=True))
    )
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    assert Student.objects.filter(last_name__in=["Қасымова", "Омаров"]).count() == 2
    if with_iin:  # the IINs are taken: the later import stops with a message, as its preview would
        assert sorted(r["Location"] for r in results) == [
            reverse("students:list"),
            reverse("students:import"),
        ]
    else:  # the later import finds the pupils and skips them (the default)
        done = PupilImportPreview.objects.order_by("created")
        assert [(p.created, p.skipped) for p in done] == [(0, 2), (2, 0)]


@pytest.mark.django_db(transaction=True)
def test_iins_taken_meanwhile_stop_an_import_created_anyway_with_a_message(cast, slow_checks):
    """Both admins chose "create anyway": the second meets the first's IINs — a clear message
    and nothing imported, never a 500."""
    iins = (_iin("1703146000"), _iin("0202166000"))
    colleague = person(RoleKind.SCHOOL_ADMIN, school=cast.school)
    admins = [_logged_in(cast.school_admin), _logged_in(colleague)]
    tokens = [_upload(c, _file(iins)).context["preview"].token for c in admins]
    url = reverse("students:import_confirm")
    results = _together(
        *(
            lambda c=c, t=t: c.post(url, {"token": t, "duplicates": "create"})
            for c, t in zip(admins, tokens, strict=True)
        )
    )
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    assert sorted(r["Location"] for r in results) == [
        reverse("students:list"),
        reverse("students:import"),
    ]
    assert Student.objects.filter(last_name__in=["Қасымова", "Омаров"]).count() == 2
