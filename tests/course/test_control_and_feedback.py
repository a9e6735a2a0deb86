"""The four kinds of control (§8.5) and the module feedback questionnaire (§8.2), issue 15
item 8: only current and periodic control count in TU; listeners answer a questionnaire per
module and the course administrator reads the results per module, without names."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from course.gradebook import listener_standing
from course.models import ModuleFeedback, Task
from course.services import score_set
from tests.factories import enrolment


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _task(client, cast, control: str, title: str) -> Task:
    """A task as the course administrator adds it, through the task form."""
    module = cast.cohort.course.modules.get(number=1)
    deadline = timezone.localtime(timezone.now() - timezone.timedelta(days=1))
    r = client.post(
        reverse("course:task_new", args=[cast.cohort.pk]),
        {"kind": "case_task", "control": control, "module": module.pk, "title": title,
         "deadline": deadline.strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert r.status_code == 302, r.content
    return Task.objects.get(title=title)


def test_preliminary_control_does_not_change_tu(client, cast):
    client.force_login(cast.course_admin)
    current = _task(client, cast, "current", "Кейс")
    periodic = _task(client, cast, "periodic", "Модуль бойынша бақылау")
    preliminary = _task(client, cast, "preliminary", "Кіріс сауалнамасы")
    for task, value in ((current, 80), (periodic, 70), (preliminary, 10)):
        score_set(enrolment=cast.enrolment, task=task, value=Decimal(value), by=cast.course_admin)
    st = listener_standing(cast.enrolment)
    assert st.tu == Decimal(75)  # (80 + 70) / 2: the preliminary 10 is not an item
    assert st.scores[preliminary.pk] == Decimal(10)  # still shown
    # task columns show when the gradebook is expanded (issue #13 item 6: it fits 1280 px)
    url = reverse("grading:gradebook", args=[cast.cohort.pk]) + "?cols=all"
    page = client.get(url).content.decode()
    assert "preliminary control · not in TU" in page


def _answer(client, cast, module=1, **fields):
    data = {"clarity": 4, "usefulness": 5, "pace": 3, "comment": "", **fields}
    return client.post(reverse("course:feedback", args=[cast.cohort.pk, module]), data)


def test_listener_answers_and_the_admin_reads_per_module_without_names(client, cast):
    client.force_login(cast.listener)
    my = client.get(reverse("course:my", args=[cast.cohort.pk])).content.decode()
    assert reverse("course:feedback", args=[cast.cohort.pk, 1]) in my
    assert _answer(client, cast, comment="Мысалдар көбірек болса").status_code == 302
    # Changing one's answer keeps one answer per module.
    assert _answer(client, cast, clarity=2, comment="Мысалдар көбірек болса").status_code == 302
    other = enrolment(cast.cohort)
    client.force_login(other.listener)
    _answer(client, cast, clarity=4, usefulness=3, pace=5)
    assert ModuleFeedback.objects.count() == 2

    client.force_login(cast.course_admin)
    r = client.get(reverse("course:feedback_results", args=[cast.cohort.pk]))
    first = r.context["results"][0]
    assert (
        first["answers"] == 2
        and first["clarity"] == 3
        and first["comments"] == ["Мысалдар көбірек болса"]
    )
    html = r.content.decode()
    assert cast.listener.full_name not in html and other.listener.full_name not in html


def test_a_missing_rating_is_refused_and_the_comment_kept(client, cast):
    client.force_login(cast.listener)
    r = _answer(client, cast, clarity="", comment="Қысқа мәтін")
    assert r.status_code == 400 and "Қысқа мәтін" in r.content.decode()
    assert not ModuleFeedback.objects.exists()


def test_an_unknown_module_is_404(client, cast):
    client.force_login(cast.listener)
    assert _answer(client, cast, module=9).status_code == 404
