"""The gradebook's computation: TU, admission, final grade, letter, eligibility for 5,000
listeners × 12 tasks, by grading/rules.py through grading.gradebook.standing().

Two measurements side by side: the pure computation over values already fetched, and the whole
`cohort_standings()` against the database (one query each for tasks, scores and attempts).
Run: .venv/bin/python bench/gradebook.py
"""

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assistant_portal.settings.local")

import django  # noqa: E402

django.setup()

from grading.gradebook import TaskInfo, standing  # noqa: E402

LISTENERS, TASKS = 5000, 12


def pure() -> float:
    rng = random.Random(1)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    tasks = [TaskInfo(i, now - timedelta(days=1 if i < 10 else -1)) for i in range(TASKS)]
    data = [
        {t.id: Decimal(rng.randint(0, 10000)) / 100 for t in tasks if rng.random() > 0.05}
        for _ in range(LISTENERS)
    ]
    tests = [Decimal(rng.randint(0, 20) * 5) if rng.random() > 0.2 else None for _ in data]
    start = time.perf_counter()
    for i, scores in enumerate(data):
        standing(enrolment_id=i, tasks=tasks, scores=scores, test=tests[i],
                 attempts_used=0 if tests[i] is None else 1, now=now,
                 require_test_pass=bool(i % 2))  # fmt: skip
    return time.perf_counter() - start


def with_database() -> tuple[float, int]:
    """A throwaway cohort in a transaction that is rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from assistant_portal.accounts.models import User
    from course.gradebook import cohort_standings
    from course.models import Cohort, Course, Enrolment, Score, Task, TrainingOrganisation

    class Rollback(Exception):
        pass

    result = {}
    try:
        with transaction.atomic():
            course = Course.objects.get(code="sen-108")
            org = TrainingOrganisation.objects.create(name="bench")
            cohort = Cohort.objects.create(organisation=org, course=course, name="bench",
                                           start=datetime(2026, 11, 9).date(),
                                           end=datetime(2026, 11, 20).date())  # fmt: skip
            module = course.modules.get(number=1)
            past = datetime(2026, 11, 1, tzinfo=UTC)
            tasks = Task.objects.bulk_create(
                Task(cohort=cohort, kind="case_task", module=module, title=f"t{i}", deadline=past)
                for i in range(TASKS)
            )
            users = User.objects.bulk_create(
                User(email=f"bench{i}@example.kz", full_name=f"b{i}") for i in range(LISTENERS)
            )
            enrolments = Enrolment.objects.bulk_create(
                Enrolment(cohort=cohort, listener=u, sort_key=str(i)) for i, u in enumerate(users)
            )
            rng = random.Random(2)
            Score.objects.bulk_create(
                (Score(enrolment=e, task=t, value=Decimal(rng.randint(0, 10000)) / 100)
                 for e in enrolments for t in tasks),
                batch_size=5000,
            )  # fmt: skip
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                standings = cohort_standings(cohort, enrolments)
            result["time"] = time.perf_counter() - start
            result["queries"] = len(queries)
            assert len(standings) == LISTENERS
            raise Rollback
    except Rollback:
        pass
    return result["time"], result["queries"]


def page(listeners: int = 500) -> tuple[float, int]:
    """The gradebook page for 500 listeners × 12 tasks through the test client (rolled back)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from assistant_portal.accounts.models import Role, User
    from course.models import Cohort, Course, Enrolment, Score, Task, TrainingOrganisation

    class Rollback(Exception):
        pass

    result = {}
    try:
        with transaction.atomic():
            course = Course.objects.get(code="sen-108")
            org = TrainingOrganisation.objects.create(name="bench")
            admin = User.objects.create_user("bench-admin@example.kz", "x", full_name="a")
            Role.objects.create(user=admin, kind="course_admin", organisation=org)
            cohort = Cohort.objects.create(organisation=org, course=course, name="bench",
                                           start=datetime(2026, 11, 9).date(),
                                           end=datetime(2026, 11, 20).date())  # fmt: skip
            module = course.modules.get(number=1)
            past = datetime(2026, 11, 1, tzinfo=UTC)
            tasks = Task.objects.bulk_create(
                Task(cohort=cohort, kind="case_task", module=module, title=f"t{i}", deadline=past)
                for i in range(TASKS)
            )
            users = User.objects.bulk_create(
                User(email=f"page{i}@example.kz", full_name=f"p{i}") for i in range(listeners)
            )
            enrolments = Enrolment.objects.bulk_create(
                Enrolment(cohort=cohort, listener=u, sort_key=str(i)) for i, u in enumerate(users)
            )
            rng = random.Random(3)
            Score.objects.bulk_create(
                Score(enrolment=e, task=t, value=Decimal(rng.randint(0, 10000)) / 100)
                for e in enrolments for t in tasks
            )  # fmt: skip
            client = Client(HTTP_HOST="localhost")
            client.force_login(admin)
            url = reverse("grading:gradebook", args=[cohort.pk])
            client.get(url)  # warm up templates
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            result["time"] = time.perf_counter() - start
            result["queries"] = len(queries)
            assert response.status_code == 200, response.status_code
            raise Rollback
    except Rollback:
        pass
    return result["time"], result["queries"]


if __name__ == "__main__":
    p = min(pure() for _ in range(3))
    print(f"pure standing(): {LISTENERS} listeners x {TASKS} tasks: {p * 1000:.0f} ms "
          f"({p / LISTENERS * 1e6:.1f} µs per listener)")  # fmt: skip
    d, q = with_database()
    print(f"cohort_standings() with the database (no test taken yet): {d * 1000:.0f} ms, "
          f"{q} queries ({d / LISTENERS * 1e6:.1f} µs per listener)")  # fmt: skip
    t, q = page()
    print(f"gradebook page, 500 listeners x {TASKS} tasks: {t * 1000:.0f} ms, {q} queries")
