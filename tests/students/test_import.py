import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from students.models import Student

HEADER = "last_name,first_name,birth_date,class,sen_category,joined,iin\n"
GOOD = (
    "Қасымова,Іңкәр,14.03.2017,3 Ә,speech,01.09.2026,\n"
    "Омаров,Ұлан,02.02.2016,4 Б,autism,01.09.2026,\n"
)


def upload(client, content: bytes, name="pupils.csv", encoding="auto"):
    f = SimpleUploadedFile(name, content)
    return client.post(reverse("students:import"), {"file": f, "encoding": encoding})


def confirm(client, preview_page, **choices):
    """Press the preview page's confirm button (its one-time token)."""
    preview = preview_page.context["preview"]
    token = preview.token if preview else ""
    return client.post(reverse("students:import_confirm"), {"token": token, **choices})


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.school_admin)
    return client


def test_utf8_csv_preview_then_import(admin_client, cast):
    r = upload(admin_client, (HEADER + GOOD).encode("utf-8"))
    assert r.status_code == 200 and r.context["parsed"].valid
    assert not Student.objects.filter(last_name="Қасымова").exists()  # preview saves nothing
    r = confirm(admin_client, r)
    assert r.status_code == 302
    pupil = Student.objects.get(last_name="Қасымова")
    assert (pupil.first_name, pupil.grade, pupil.class_letter, pupil.school) == (
        "Іңкәр",
        3,
        "Ә",
        cast.school,
    )


def test_utf8_with_bom_and_semicolons(admin_client):
    content = "\ufeff" + (HEADER + GOOD).replace(",", ";")
    r = upload(admin_client, content.encode("utf-8"))
    assert r.context["parsed"].valid
    assert r.context["parsed"].rows[0].data["last_name"] == "Қасымова"


def test_russian_headers_in_windows_1251(admin_client):
    content = (
        "Фамилия;Имя;Дата рождения;Класс;Категория ООП;Дата зачисления\n"
        "Иванов;Иван;01.01.2016;4 А;speech;01.09.2026\n"
    )
    r = upload(admin_client, content.encode("cp1251"))
    parsed = r.context["parsed"]
    assert parsed.valid and parsed.encoding == "cp1251"
    assert parsed.rows[0].data["last_name"] == "Иванов"


def test_windows_1251_with_lost_kazakh_letters_warns(admin_client):
    content = (HEADER + GOOD).encode("cp1251", errors="replace")  # Excel writes "?"
    r = upload(admin_client, content)
    assert any("XLSX" in w for w in r.context["parsed"].warnings)


def test_kz1048_is_detected(admin_client):
    r = upload(admin_client, (HEADER + GOOD).encode("kz1048"))
    parsed = r.context["parsed"]
    assert parsed.encoding == "kz1048"
    assert parsed.rows[0].data["first_name"] == "Іңкәр"


def test_xlsx(admin_client):
    wb = Workbook()
    ws = wb.active
    ws.append(["Тегі", "Аты", "Туған күні", "Сынып", "ЕББҚ санаты", "Қабылданған күні"])
    ws.append(["Әбенов", "Ғалым", "14.03.2017", "3 Ә", "speech", "01.09.2026"])
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(admin_client, buf.getvalue(), name="pupils.xlsx")
    assert r.context["parsed"].valid
    confirm(admin_client, r)
    assert Student.objects.filter(last_name="Әбенов", first_name="Ғалым").exists()


def test_wrong_columns(admin_client):
    r = upload(admin_client, b"name,surname\nA,B\n")
    assert r.status_code == 400
    assert "columns" in str(r.context["form"].errors["file"]).lower() or "баған" in str(
        r.context["form"].errors["file"]
    )


def test_one_bad_row_saves_nothing(admin_client):
    bad = HEADER + GOOD + "Нұрланов,Ерасыл,31.02.2017,3 Ә,speech,01.09.2026,\n"
    r = upload(admin_client, bad.encode())
    parsed = r.context["parsed"]
    assert not parsed.valid and parsed.rows[2].errors and not parsed.rows[0].errors
    assert r.context["preview"] is None  # no confirm button
    assert confirm(admin_client, r).status_code == 302  # nothing to import
    assert not Student.objects.filter(last_name__in=["Қасымова", "Омаров", "Нұрланов"]).exists()


def test_duplicate_iin_rows(admin_client):
    from .test_text import make_iin

    iin = make_iin("17031460001") or make_iin("17031460002")
    rows = (
        f"Бір,А,14.03.2017,3 Ә,speech,01.09.2026,{iin}\n"
        f"Екі,Б,14.03.2017,3 Ә,speech,01.09.2026,{iin}\n"
    )
    r = upload(admin_client, (HEADER + rows).encode())
    assert not r.context["parsed"].valid
    assert r.context["parsed"].rows[1].errors


def test_unknown_sen_category_and_bad_class(admin_client):
    rows = "Бір,А,14.03.2017,сынып,жоқ,01.09.2026,\n"
    r = upload(admin_client, (HEADER + rows).encode())
    assert len(r.context["parsed"].rows[0].errors) == 2


@override_settings(MAX_IMPORT_BYTES=100)
def test_oversized_upload(admin_client):
    r = upload(admin_client, (HEADER + GOOD * 10).encode())
    assert r.status_code == 400 and "file" in r.context["form"].errors


def test_disguised_file(admin_client):
    r = upload(admin_client, b"MZ\x90\x00binary", name="pupils.exe")
    assert r.status_code == 400
    r = upload(admin_client, b"MZ\x90\x00\x00\xffbinary", name="pupils.xlsx")
    assert r.status_code == 400 and "file" in r.context["form"].errors


def test_a_large_import_refreshes_the_statistics(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    # Plans that read the pupils table must not work from statistics of before the import.
    from django.db import connection

    from students import importing

    monkeypatch.setattr(importing, "ANALYZE_AFTER", 2)
    page = upload(admin_client, (HEADER + GOOD).encode("utf-8"))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client, page)
    with connection.cursor() as cursor:  # ANALYZE writes its row count in place
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'students_student'")
        assert cursor.fetchone()[0] == Student.objects.count()
