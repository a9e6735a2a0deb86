"""Scores: the grid's autosave, decimal commas, bad input, the audit, constant queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from course.models import Score, ScoreChange
from course.services import score_set
from tests.factories import TaskFactory, enrolment


def _save(client, cast, task, value, e=None):
    return client.post(
        reverse("course:score_save", args=[cast.cohort.pk]),
        {"enrolment": (e or cast.enrolment).pk, "task": task.pk, "value": value},
        HTTP_HX_REQUEST="true",
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("85,5", "85.5"), ("85.5", "85.5"), ("100", "100"), ("0", "0"), (" 72,25 ", "72.25")],
)
def test_grid_accepts_decimal_comma(client, cast, typed, stored):
    task = TaskFactory(cohort=cast.cohort)
    client.force_login(cast.course_admin)
    r = _save(client, cast, task, typed)
    assert r.status_code == 200
    assert Score.objects.get(enrolment=cast.enrolment, task=task).value == Decimal(stored)
    assert "is-valid" in r.content.decode()


@pytest.mark.parametrize("typed", ["101", "-1", "abc", "85,555", "1e2", "85,5,5"])
def test_grid_rejects_bad_value_and_keeps_the_text(client, cast, typed):
    task = TaskFactory(cohort=cast.cohort)
    client.force_login(cast.course_admin)
    r = _save(client, cast, task, typed)
    assert r.status_code == 400
    html = r.content.decode()
    assert "is-invalid" in html and 'role="alert"' in html
    assert f'value="{typed}"' in html
    assert not Score.objects.filter(task=task).exists()


def test_grid_error_is_translated(client, cast):
    task = TaskFactory(cohort=cast.cohort)
    client.force_login(cast.course_admin)
    client.cookies["django_language"] = "ru"
    r = _save(client, cast, task, "abc")
    assert "Enter a number" not in r.content.decode()


def test_every_change_is_audited(cast):
    task = TaskFactory(cohort=cast.cohort)
    score_set(enrolment=cast.enrolment, task=task, value=Decimal(60), by=cast.course_admin)
    score_set(enrolment=cast.enrolment, task=task, value=Decimal(60), by=cast.course_admin)
    score_set(
        enrolment=cast.enrolment,
        task=task,
        value=Decimal("75.5"),
        by=cast.course_admin,
        reason="қайта тексеру",
    )
    score_set(enrolment=cast.enrolment, task=task, value=None, by=cast.course_admin)
    changes = list(ScoreChange.objects.filter(task=task).order_by("pk"))
    assert [(c.old, c.new) for c in changes] == [
        (None, Decimal(60)),
        (Decimal(60), Decimal("75.5")),
        (Decimal("75.5"), None),
    ]
    assert changes[1].reason == "қайта тексеру" and changes[1].by == cast.course_admin


def test_audit_is_visible_per_listener(client, cast):
    task = TaskFactory(cohort=cast.cohort, title="Кейс А")
    score_set(
        enrolment=cast.enrolment,
        task=task,
        value=Decimal(60),
        by=cast.course_admin,
        reason="бірінші баға",
    )
    client.force_login(cast.course_admin)
    html = client.get(reverse("grading:listener", args=[cast.enrolment.pk])).content.decode()
    assert "бірінші баға" in html and "Кейс А" in html


def test_task_of_another_cohort_is_404(client, cast):
    foreign_task = TaskFactory()
    client.force_login(cast.course_admin)
    assert _save(client, cast, foreign_task, "50").status_code == 404


def test_project_score_shows_rubric(client, cast):
    task = TaskFactory(cohort=cast.cohort, kind="project_defence")
    client.force_login(cast.course_admin)
    client.cookies["django_language"] = "en"
    assert "excellent" in _save(client, cast, task, "92").content.decode()


@pytest.mark.parametrize("listeners", [3, 30])
def test_grid_queries_do_not_grow(client, cast, django_assert_num_queries, listeners):
    tasks = [TaskFactory(cohort=cast.cohort) for _ in range(4)]
    for _ in range(listeners):
        e = enrolment(cast.cohort)
        for t in tasks:
            score_set(enrolment=e, task=t, value=Decimal(50), by=cast.course_admin)
    client.force_login(cast.course_admin)
    # session, user, roles, cohort, enrolments, tasks, scores
    with django_assert_num_queries(7):
        assert client.get(reverse("course:scores", args=[cast.cohort.pk])).status_code == 200


def test_grid_sends_the_reason_into_the_audit(client, cast):
    task = TaskFactory(cohort=cast.cohort)
    client.force_login(cast.course_admin)
    client.post(
        reverse("course:score_save", args=[cast.cohort.pk]),
        {"enrolment": cast.enrolment.pk, "task": task.pk, "value": "64", "reason": "апелляция"},
        HTTP_HX_REQUEST="true",
    )
    assert ScoreChange.objects.get(task=task).reason == "апелляция"
    page = client.get(reverse("course:scores", args=[cast.cohort.pk])).content.decode()
    assert 'hx-include="#change-reason"' in page and 'id="change-reason"' in page


@pytest.mark.parametrize(
    ("language", "level", "criterion"),
    [
        ("kk", "толығымен іске асырылды", "әрбір бөлім бойынша негізделген қорытындылар бар"),
        ("kk", "түзетулерді ескере отырып, орташадан жоғары іске асырылды", "өз бетінше"),
        ("ru", "реализовано частично", "постоянно требовалась помощь"),
    ],
)
def test_rubric_shows_each_band_as_the_seed_words_it(
    client, cast, settings, language, level, criterion
):
    """Table 4: levels in the seed's words ("іске асырылды", not "қол жеткізілді") and each
    band's criteria beside them."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(cast.course_admin)
    html = client.get(reverse("course:scores", args=[cast.cohort.pk])).content.decode()
    assert level in html and criterion in html
    assert "қол жеткізілді" not in html
