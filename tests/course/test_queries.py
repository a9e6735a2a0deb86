"""Course pages run a constant number of queries whatever the cohort's size (two sizes each)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from course.services import score_set
from tests.factories import TaskFactory, enrolment, question_bank


def _cohort(cast, n):
    tasks = [TaskFactory(cohort=cast.cohort) for _ in range(n)]
    for t in tasks:
        score_set(enrolment=cast.enrolment, task=t, value=Decimal(70), by=cast.course_admin)
    for _ in range(n):
        enrolment(cast.cohort)


@pytest.mark.parametrize("n", [2, 12])
def test_cohort_page(client, cast, django_assert_num_queries, n):
    _cohort(cast, n)
    client.force_login(cast.course_admin)
    # session, user, roles, cohort, enrolments, tasks, pending invitations
    with django_assert_num_queries(7):
        assert client.get(reverse("course:cohort", args=[cast.cohort.pk])).status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_my_course_page(client, cast, django_assert_num_queries, n):
    _cohort(cast, n)
    client.force_login(cast.listener)
    # session, user, roles, enrolment, tasks (standing), scores, attempts (standing; an expired
    # one is scored there, never written), tasks (table), attempts (list), support, certificate
    # in force, the modules answered in the feedback questionnaire, the course's modules
    with django_assert_num_queries(13):
        assert client.get(reverse("course:my", args=[cast.cohort.pk])).status_code == 200


@pytest.mark.parametrize("per_module", [1, 6])
def test_question_bank_page(client, cast, django_assert_num_queries, per_module):
    question_bank(cast.cohort.organisation, per_module=per_module)
    client.force_login(cast.course_admin)
    # session, user, roles, organisation, course, modules (form choices), questions, choices
    with django_assert_num_queries(8):
        assert client.get(reverse("course:questions")).status_code == 200


@pytest.mark.parametrize("n", [1, 10])
def test_timetable_and_board(client, cast, django_assert_num_queries, n):
    from django.utils import timezone

    from course.models import Post, Session

    topics = list(cast.cohort.course.modules.get(number=1).topics.all())
    for i in range(n):
        Session.objects.create(
            cohort=cast.cohort, topic=topics[i % 5], kind="lecture", starts_at=timezone.now()
        )
        Post.objects.create(cohort=cast.cohort, author=cast.listener, text=f"{i}")
    client.force_login(cast.course_admin)
    # session, user, roles, cohort, topics (form choices), sessions with topics and modules
    with django_assert_num_queries(6):
        assert client.get(reverse("course:timetable", args=[cast.cohort.pk])).status_code == 200
    # session, user, roles, cohort, posts with authors
    with django_assert_num_queries(5):
        assert client.get(reverse("course:board", args=[cast.cohort.pk])).status_code == 200
