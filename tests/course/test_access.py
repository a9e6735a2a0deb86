"""Who reaches which course page: admins their organisation's cohorts, listeners their own."""

import re

import pytest
from django.urls import reverse

from course.access import cohorts_visible_to

ADMIN_ONLY = [
    "course:cohort_edit",
    "course:scores",
    "course:listeners_import",
    "course:scores_import",
    "course:task_new",
    "grading:gradebook",
    "grading:export_csv",
    "grading:export_xlsx",
]


def test_visible_cohorts(cast):
    assert list(cohorts_visible_to(cast.course_admin)) != []
    assert cast.cohort in cohorts_visible_to(cast.course_admin)
    assert list(cohorts_visible_to(cast.listener)) == [cast.cohort]
    assert cast.cohort not in cohorts_visible_to(cast.foreign_course_admin)
    assert cast.cohort not in cohorts_visible_to(cast.other_listener)
    assert not cohorts_visible_to(cast.school_admin).exists()


@pytest.mark.parametrize("name", ADMIN_ONLY)
def test_listener_and_foreign_admin_get_404_on_admin_pages(client, cast, name):
    url = reverse(name, args=[cast.cohort.pk])
    for who in (cast.listener, cast.foreign_course_admin, cast.other_listener):
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.force_login(cast.course_admin)
    assert client.get(url).status_code == 200


def _section(html: str, heading_id: str) -> str:
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found, heading_id
    return found.group()


def _words(html: str) -> str:
    """The words some HTML shows (tags and their attributes left out)."""
    return " ".join(re.sub(r"<[^>]*>", " ", html).split())


def _cells(row: str) -> list[str]:
    return [_words(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_listener_sees_only_own_record(client, cast):
    from tests.factories import TaskFactory, enrolment

    other = enrolment(cast.cohort, full_name="Бөтен Тыңдаушы")
    task = TaskFactory(cohort=cast.cohort, title="Кейс")
    from course.services import score_set

    score_set(enrolment=other, task=task, value=77, by=cast.course_admin)
    client.force_login(cast.listener)
    r = client.get(reverse("course:my", args=[cast.cohort.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Бөтен Тыңдаушы" not in html
    # The other's 77 is looked for in what the scores and the standing show, not the whole
    # page: a random CSRF token (or an id in a link) can hold "77".
    scores, standing = _section(html, "h-scores"), _section(html, "h-standing")
    rows = [_cells(tr) for tr in re.findall(r"<tr>(.*?)</tr>", scores, re.S)]
    # the task's row, with this listener's score: none yet
    assert [(cells[0].split()[0], cells[-1]) for cells in rows if cells] == [("Кейс", "—")]
    assert not re.search(r"\b77\b", f"{_words(scores)} {_words(standing)}")
    # the listener's "cohort" link goes to their own page, not the admin's overview
    r = client.get(reverse("course:cohort", args=[cast.cohort.pk]))
    assert r.status_code == 302 and r["Location"].endswith("/my/")
    # another listener's enrolment pages are admin-only
    assert client.get(reverse("grading:listener", args=[other.pk])).status_code == 404


def test_course_admin_has_no_my_page(client, cast):
    client.force_login(cast.course_admin)
    assert client.get(reverse("course:my", args=[cast.cohort.pk])).status_code == 404
