"""Imports are all or nothing: decimal commas, duplicates, wrong columns, bad values."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from course import importing
from course.models import Enrolment, Question, Score
from tests.factories import TaskFactory, enrolment


def _upload(client, url, text, name="f.csv"):
    f = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(url, {"file": f, "encoding": "auto"})


@pytest.fixture
def two_tasks(cast):
    return TaskFactory(cohort=cast.cohort, title="Кейс 1"), TaskFactory(
        cohort=cast.cohort, title="Жоба 1"
    )


def test_scores_import_with_decimal_commas(client, cast, two_tasks):
    other = enrolment(cast.cohort, email="b@example.kz")
    client.force_login(cast.course_admin)
    url = reverse("course:scores_import", args=[cast.cohort.pk])
    csv_text = f"email;Кейс 1;Жоба 1\n{cast.listener.email};85,5;90\nb@example.kz;70;\n"
    r = _upload(client, url, csv_text)
    assert r.status_code == 200
    assert not Score.objects.exists()  # the preview saves nothing
    r = client.post(url, {"confirm": "1"})
    assert r.status_code == 302
    got = {(s.enrolment_id, s.task.title): s.value for s in Score.objects.select_related("task")}
    assert got == {
        (cast.enrolment.pk, "Кейс 1"): Decimal("85.5"),
        (cast.enrolment.pk, "Жоба 1"): Decimal(90),
        (other.pk, "Кейс 1"): Decimal(70),
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("email,Кейс 1\n{me},85\n{me},90\n", "same listener"),
        ("email,Кейс 1\n{me},101\n", "0 to 100"),
        ("email,Кейс 1\n{me},abc\n", "0 to 100"),
        ("email,Кейс 1\nnobody@example.kz,50\n", "not a listener"),
        ("email,Белгісіз\n{me},50\n", "unknown columns"),
        ("name,Кейс 1\n{me},50\n", "missing columns"),
    ],
)
def test_scores_import_rejects_whole_file(client, cast, two_tasks, body, message):
    client.force_login(cast.course_admin)
    client.cookies["django_language"] = "en"
    url = reverse("course:scores_import", args=[cast.cohort.pk])
    good_row = f"{cast.listener.email},60\n" if "Кейс 1" in body and "Белгісіз" not in body else ""
    r = _upload(client, url, body.format(me=cast.listener.email) + good_row)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert 'name="confirm"' not in r.content.decode()
    assert not Score.objects.exists()
    # and a confirm without a valid preview imports nothing
    client.post(url, {"confirm": "1"})
    assert not Score.objects.exists()


def test_scores_import_xlsx_numbers(cast, two_tasks):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["email", "Кейс 1"])
    wb.active.append([cast.listener.email, 85.5])
    buf = io.BytesIO()
    wb.save(buf)
    parsed = importing.parse_scores(buf.getvalue(), "s.xlsx", cohort=cast.cohort)
    assert parsed.valid and parsed.rows == [(cast.enrolment.pk, two_tasks[0].pk, "85.5")]


def test_listeners_import(client, cast):
    client.force_login(cast.course_admin)
    url = reverse("course:listeners_import", args=[cast.cohort.pk])
    r = _upload(
        client, url, "email,full_name\nnew1@example.kz,Жаңа Бір\nnew2@example.kz,Жаңа Екі\n"
    )
    assert r.status_code == 200
    client.post(url, {"confirm": "1"})
    emails = set(
        Enrolment.objects.filter(cohort=cast.cohort).values_list("listener__email", flat=True)
    )
    assert {"new1@example.kz", "new2@example.kz"} <= emails


def test_listeners_import_duplicate_rejected(client, cast):
    client.force_login(cast.course_admin)
    url = reverse("course:listeners_import", args=[cast.cohort.pk])
    r = _upload(client, url, "email,full_name\nx@example.kz,А\nX@example.kz,Б\n")
    assert r.status_code == 400
    assert not Enrolment.objects.filter(listener__email="x@example.kz").exists()


def test_questions_import(client, cast):
    client.force_login(cast.course_admin)
    url = reverse("course:questions")
    header = (
        "module,kind,question_kk,question_ru,answer1_kk,answer1_ru,answer2_kk,answer2_ru,correct"
    )
    body = (
        header
        + '\n1,single,Сұрақ,Вопрос,Иә,Да,Жоқ,Нет,1\n2,multiple,Сұрақ 2,Вопрос 2,А,А,Б,Б,"1,2"\n'
    )
    assert _upload(client, url, body).status_code == 200
    client.post(url, {"confirm": "1"})
    assert Question.objects.filter(organisation=cast.cohort.organisation).count() == 2
    bad = header + '\n1,single,Сұрақ 3,Вопрос 3,Иә,Да,Жоқ,Нет,"1,2"\n6,single,С,В,А,А,Б,Б,1\n'
    assert _upload(client, url, bad).status_code == 400


PARSED = [
    ("85,5", Decimal("85.5")),
    ("", None),
    (None, None),
    (90, Decimal(90)),
    (85.5, Decimal("85.5")),
]


@pytest.mark.parametrize(("typed", "value"), PARSED)
def test_parse_score(typed, value):
    assert importing.parse_score(typed) == value


@pytest.mark.parametrize("typed", ["100,01", "-5", "1 000", "x", True])
def test_parse_score_rejects(typed):
    with pytest.raises(ValueError):
        importing.parse_score(typed)


def test_add_a_question_by_hand(client, cast):
    client.force_login(cast.course_admin)
    module = cast.cohort.course.modules.get(number=3)
    data = {
        "module": module.pk,
        "kind": "multiple",
        "text_kk": "Қайсысы?",
        "text_ru": "Какой?",
        "answer1_kk": "А",
        "answer1_ru": "А",
        "correct1": "on",
        "answer2_kk": "Б",
        "answer2_ru": "Б",
        "answer3_kk": "В",
        "answer3_ru": "В",
        "correct3": "on",
    }
    assert client.post(reverse("course:question_new"), data).status_code == 302
    q = Question.objects.get(text_kk="Қайсысы?")
    assert [c.correct for c in q.choices.order_by("position")] == [True, False, True]
    # single choice with two keys, or an answer in one language only: 400, kept
    bad = {**data, "kind": "single", "text_kk": "Екінші"}
    r = client.post(reverse("course:question_new"), bad)
    assert r.status_code == 400 and "Екінші" in r.content.decode()
    r = client.post(reverse("course:question_new"), {**data, "answer2_ru": "", "text_kk": "Ү"})
    assert r.status_code == 400
    assert not Question.objects.filter(text_kk__in=["Екінші", "Ү"]).exists()
    client.force_login(cast.listener)
    assert client.post(reverse("course:question_new"), data).status_code == 404
