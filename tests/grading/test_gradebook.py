"""The gradebook: figures from grading/rules.py, provisional TU, the stricter policy with the
blocking rule named, exports, and constant queries at two sizes."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from course.gradebook import cohort_standings
from course.models import Attempt, Certificate, Cohort, Enrolment
from course.services import score_set
from grading import rules
from grading.gradebook import TaskInfo, standing
from tests.factories import TaskFactory

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
PAST = NOW - timedelta(days=1)
FUTURE = NOW + timedelta(days=1)


def _st(scores, tasks, test=None, attempts=0, strict=False):
    return standing(
        enrolment_id=1,
        tasks=tasks,
        scores=scores,
        test=test,
        attempts_used=attempts,
        now=NOW,
        require_test_pass=strict,
    )


def test_official_tu_counts_missing_as_zero():
    tasks = [TaskInfo(1, PAST), TaskInfo(2, PAST), TaskInfo(3, PAST)]
    st = _st({1: Decimal(90), 2: Decimal(60)}, tasks)
    assert st.tu == rules.current_performance([90, 60, 0]) == Decimal(50)
    assert not st.tu_provisional and st.admitted


def test_provisional_tu_before_the_deadline():
    tasks = [TaskInfo(1, PAST), TaskInfo(2, FUTURE)]
    st = _st({1: Decimal(80)}, tasks)
    assert st.tu == Decimal(80) and st.tu_provisional
    assert not st.can_start_test
    # scored before its deadline: counts and is not provisional
    st = _st({1: Decimal(80), 2: Decimal(70)}, tasks)
    assert st.tu == Decimal(75) and not st.tu_provisional


def test_no_tasks_no_tu():
    st = _st({}, [])
    assert st.tu is None and st.blocking == "not_admitted" and not st.eligible


@pytest.mark.parametrize(
    ("scores", "test", "strict", "final", "letter", "blocking"),
    [
        ([90, 95], Decimal(85), False, Decimal("89.50"), "A-", None),
        ([50, 49], Decimal(55), False, Decimal("51.70"), "D", "final_below_55"),
        ([40, 45], None, False, None, None, "not_admitted"),
        ([70, 80], None, False, None, None, "no_test"),
        ([90, 90], Decimal(60), True, Decimal("78.0"), "B-", "test_below_70"),
        ([90, 90], Decimal(60), False, Decimal("78.0"), "B-", None),
        ([50, 50], Decimal("62.5"), False, Decimal("55.00"), "D+", None),
        ([55, 54], Decimal(54), False, Decimal("54.30"), "D", "final_below_55"),
    ],
)
def test_figures_match_the_rules(scores, test, strict, final, letter, blocking):
    tasks = [TaskInfo(i, PAST) for i in range(len(scores))]
    st = _st(
        {i: Decimal(s) for i, s in enumerate(scores)},
        tasks,
        test=test,
        attempts=1 if test is not None else 0,
        strict=strict,
    )
    tu = rules.current_performance(scores)
    assert st.tu == tu
    assert st.final == final
    if final is not None:
        assert st.final == rules.final_grade(tu, test)
        assert st.letter == rules.letter_grade(final)
        assert st.letter.letter == letter
        assert st.test_band == rules.final_test_band(test)
    assert st.blocking == blocking == rules.blocking_rule(tu, test, require_test_pass=strict)
    assert st.eligible is (blocking is None)


def test_retake_follows_the_rules():
    tasks = [TaskInfo(1, PAST)]
    st = _st({1: Decimal(50)}, tasks, test=Decimal(50), attempts=1)
    assert st.retake_allowed and st.can_start_test
    st = _st({1: Decimal(50)}, tasks, test=Decimal(50), attempts=2)
    assert not st.retake_allowed and not st.can_start_test


def test_retake_replaces_the_first_score(cast):
    task = TaskFactory(cohort=cast.cohort)
    score_set(enrolment=cast.enrolment, task=task, value=Decimal(50), by=cast.course_admin)
    now = timezone.now()
    for number, score in ((1, 40), (2, 80)):
        Attempt.objects.create(
            enrolment=cast.enrolment,
            number=number,
            started_at=now,
            deadline=now,
            submitted_at=now,
            score=score,
        )
    st = cohort_standings(cast.cohort)[cast.enrolment.pk]
    assert st.test == Decimal(80) and st.attempts_used == 2
    assert st.final == rules.final_grade(50, 80)


def _fill(cast, listeners, tasks=12):
    from assistant_portal.accounts.models import User
    from course.models import Enrolment, Score

    ts = [TaskFactory(cohort=cast.cohort, title=f"Т{i}") for i in range(tasks)]
    users = User.objects.bulk_create(
        User(email=f"l{i}@example.kz", full_name=f"Тыңдаушы {i:04d}") for i in range(listeners)
    )
    es = Enrolment.objects.bulk_create(
        Enrolment(cohort=cast.cohort, listener=u, sort_key=u.full_name) for u in users
    )
    Score.objects.bulk_create(
        Score(enrolment=e, task=t, value=Decimal(40 + (i * 7 + j * 3) % 61))
        for i, e in enumerate(es)
        for j, t in enumerate(ts)
    )
    return es, ts


@pytest.mark.parametrize("listeners", [5, 500])
def test_gradebook_queries_do_not_grow(client, cast, django_assert_num_queries, listeners):
    _fill(cast, listeners)
    client.force_login(cast.course_admin)
    # session, user, roles, cohort, enrolments (with each valid certificate's grade, for "grade
    # changed since issue"), tasks (header and standings), scores, attempts (submitted or past
    # the limit: scored on read, never written)
    with django_assert_num_queries(8):
        r = client.get(reverse("grading:gradebook", args=[cast.cohort.pk]))
    assert r.status_code == 200
    assert r.content.decode().count("<tr data-listener=") == listeners + 1


def _form_defaults(html: str) -> dict:
    """What a browser submits for the new-cohort form's checkboxes as they are first shown."""
    return {
        name: "on"
        for name in ("test_open", "require_test_pass")
        if re.search(rf'name="{name}"[^>]*\bchecked\b', html)
    }


def test_a_new_cohort_refuses_a_certificate_for_a_30_percent_test(client, cast):
    """Issue #12 defect 8: a cohort made with the form's defaults applies §8.3's 70 % rule."""
    client.force_login(cast.course_admin)
    client.cookies["django_language"] = "en"
    url = reverse("course:cohort_new")
    data = {
        "name": "2027-1",
        "start": "2026-11-09",
        "end": "2026-11-20",
        "test_minutes": 45,
        **_form_defaults(client.get(url).content.decode()),
    }
    assert client.post(url, data).status_code == 302
    cohort = Cohort.objects.get(name="2027-1")
    client.post(
        reverse("course:enrol", args=[cohort.pk]),
        {"email": "new@example.kz", "full_name": "Жаңа Тыңдаушы"},
    )
    e = Enrolment.objects.get(cohort=cohort)
    task = TaskFactory(cohort=cohort)
    score_set(enrolment=e, task=task, value=Decimal(100), by=cast.course_admin)
    r = client.post(reverse("course:paper_score", args=[e.pk]), {"score": "30"})
    assert r.status_code == 302  # final grade 0.6·100 + 0.4·30 = 72: §8.11 alone would pass
    html = client.get(reverse("grading:gradebook", args=[cohort.pk])).content.decode()
    assert "final grade at least 55 (§8.11) and final test at least 70 % (§8.3)" in html
    assert 'data-blocking="test_below_70"' in html
    assert "final test below 70 % (§8.3) · one retake allowed" in html
    client.post(reverse("course:certificate_issue", args=[e.pk]))
    assert not Certificate.objects.filter(enrolment=e).exists()
    # the listener's own page says which rule blocks, in their words
    client.force_login(e.listener)
    my = client.get(reverse("course:my", args=[cohort.pk])).content.decode()
    assert "needs at least 70 % correct answers in the final test (§8.3)" in my
    client.force_login(cast.course_admin)
    # the retake (§8.12) is open to them
    r = client.post(reverse("course:paper_score", args=[e.pk]), {"score": "75"})
    assert r.status_code == 302
    client.post(reverse("course:certificate_issue", args=[e.pk]))
    assert Certificate.objects.filter(enrolment=e, status="valid").exists()


def test_gradebook_names_the_opt_out_decision(client, cast):
    cast.cohort.require_test_pass = False
    cast.cohort.test_rule_decision = "Хаттама № 7"
    cast.cohort.save()
    task = TaskFactory(cohort=cast.cohort)
    score_set(enrolment=cast.enrolment, task=task, value=Decimal(90), by=cast.course_admin)
    now = timezone.now()
    Attempt.objects.create(
        enrolment=cast.enrolment, number=1, started_at=now, deadline=now, submitted_at=now, score=60
    )
    client.force_login(cast.course_admin)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("grading:gradebook", args=[cast.cohort.pk])).content.decode()
    assert "the 70 % rule of §8.3 is off by the organisation's decision: Хаттама № 7" in html
    assert "78.00" in html and "B-" in html and 'data-blocking=""' in html


def test_export_csv_neutralises_formulas(client, cast):
    from assistant_portal.accounts.models import User

    User.objects.filter(pk=cast.listener.pk).update(full_name="=HYPERLINK(1)")
    task = TaskFactory(cohort=cast.cohort, title="+SUM(A1)")
    score_set(enrolment=cast.enrolment, task=task, value=Decimal("85.5"), by=cast.course_admin)
    client.force_login(cast.course_admin)
    r = client.get(reverse("grading:export_csv", args=[cast.cohort.pk]))
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][2] == "'+SUM(A1)"
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][2] == "85.50"
    assert len(rows) == 2  # only this cohort's listener


def test_export_xlsx(client, cast):
    from openpyxl import load_workbook

    task = TaskFactory(cohort=cast.cohort)
    score_set(enrolment=cast.enrolment, task=task, value=Decimal("85.5"), by=cast.course_admin)
    client.force_login(cast.course_admin)
    r = client.get(reverse("grading:export_xlsx", args=[cast.cohort.pk]))
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(2, 2).value == cast.listener.email
    assert ws.cell(1, 1).value == "Тыңдаушы"  # Kazakh by default
    assert ws.cell(2, 3).value == 85.5  # a number the spreadsheet can sum
