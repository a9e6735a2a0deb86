"""Weekly digest at scale: build and send (locmem e-mail) for 10,000 assistants × 3 pupils.

Run by hand: `.venv/bin/python bench/digests.py [assistants]`. It creates a throw-away
database (`bench_digests`, on the same server as the tests), fills it with bulk inserts,
then measures, for the week of 14 September 2026:

- build: choosing recipients, every provider, rendering text + HTML in each language;
- write: the outbox rows and in-app notifications, in one transaction;
- send: every e-mail task, run in-process (eager, as without Redis) into the locmem outbox.

It prints times, the per-recipient cost and the number of queries of each phase.
"""

import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assistant_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core import mail  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

N_ASSISTANTS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
PUPILS_EACH = 3
PER_SCHOOL = 100  # assistants per school; each school also has an administrator and a specialist
WEEK_DAY = date(2026, 9, 14)


def fill():
    from assistant_portal.accounts.models import Role, RoleKind, User
    from protocols.models import Protocol
    from students.models import AcademicYear, Assignment, Holiday, School, Student
    from students.text import kazakh_sort_key

    password = User(email="x@x").set_password("bench-only") or ""  # one hash for everyone
    schools = School.objects.bulk_create(
        School(name_kk=f"№ {i} мектеп") for i in range(N_ASSISTANTS // PER_SCHOOL or 1)
    )
    for s in schools:
        year = AcademicYear.objects.create(
            school=s,
            start=date(2026, 9, 1),
            half_year_end=date(2026, 12, 29),
            end=date(2027, 5, 25),
        )
        Holiday.objects.create(
            year=year, name="Күзгі", start=date(2026, 10, 26), end=date(2026, 11, 1)
        )
    languages = ["kk", "ru", "kk"]
    users = User.objects.bulk_create(
        User(
            email=f"a{i}@bench.kz",
            full_name=f"Ассистент {i}",
            password=password,
            language=languages[i % 3],
        )
        for i in range(N_ASSISTANTS)
    )
    staff = User.objects.bulk_create(
        User(email=f"{kind}{s.pk}@bench.kz", full_name=f"{kind} {s.pk}", password=password)
        for s in schools
        for kind in ("admin", "specialist")
    )
    roles = [
        Role(user=u, kind=RoleKind.ASSISTANT, school=schools[i // PER_SCHOOL % len(schools)])
        for i, u in enumerate(users)
    ]
    for j, s in enumerate(schools):
        roles.append(Role(user=staff[2 * j], kind=RoleKind.SCHOOL_ADMIN, school=s))
        roles.append(
            Role(
                user=staff[2 * j + 1], kind=RoleKind.SPECIALIST, school=s, speciality="psychologist"
            )
        )
    Role.objects.bulk_create(roles, batch_size=5000)
    pupils = Student.objects.bulk_create(
        (
            Student(
                school=schools[i // PER_SCHOOL % len(schools)],
                last_name=f"Оқушы{i}-{k}",
                first_name="Айбек",
                sort_key=kazakh_sort_key(f"Оқушы{i}-{k} Айбек"),
                birth_date=date(2017, 3, 14),
                grade=1 + (i + k) % 11,
                class_letter="Ә",
                class_sort_key="03",
                sen_category="speech",
                joined=date(2026, 9, 1),
            )
            for i in range(N_ASSISTANTS)
            for k in range(PUPILS_EACH)
        ),
        batch_size=5000,
    )
    Assignment.objects.bulk_create(
        (
            Assignment(student=p, assistant=users[n // PUPILS_EACH], start=date(2026, 9, 1))
            for n, p in enumerate(pupils)
        ),
        batch_size=5000,
    )
    # A third of the pupils have their September diagnostics submitted; one conclusion (Г)
    # per school waits for review.
    years = {y.school_id: y for y in AcademicYear.objects.all()}
    protocols = [
        Protocol(
            student=p,
            year=years[p.school_id],
            annex=a,
            window_key=f"{a}:september",
            status="submitted",
            author=users[n // PUPILS_EACH],
            updated_by=users[n // PUPILS_EACH],
        )
        for n, p in enumerate(pupils)
        if n % 3 == 0
        for a in ("A", "B", "V")
    ]
    protocols += [
        Protocol(
            student=pupils[j * PER_SCHOOL * PUPILS_EACH],
            year=years[s.pk],
            annex="G",
            window_key="G:september",
            status="submitted",
            author=users[j * PER_SCHOOL],
            updated_by=users[j * PER_SCHOOL],
        )
        for j, s in enumerate(schools)
    ]
    Protocol.objects.bulk_create(protocols, batch_size=5000)
    return len(users) + len(staff), len(pupils), len(protocols)


class QueryCounter:
    """Counts queries on the connection (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main():
    import gc
    import logging

    from assistant_portal.notifications import services
    from assistant_portal.notifications.digest import WeekRange

    # Celery logs every eager task at INFO: measure the work, not the console.
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("assistant_portal.notifications").setLevel(logging.WARNING)
    connection.settings_dict["TEST"]["NAME"] = "bench_digests"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        t0 = time.perf_counter()
        users, pupils, protocols = fill()
        print(
            f"data: {users} users, {pupils} pupils, {protocols} protocols "
            f"({time.perf_counter() - t0:.1f} s to insert)"
        )
        gc.collect()
        week = WeekRange.of(WEEK_DAY)
        mail.outbox = []
        counter = QueryCounter()
        phases = []
        with connection.execute_wrapper(counter):
            if os.environ.get("PROFILE"):
                import cProfile

                cProfile.runctx("services.digests_plan(week)", globals(), locals(), sort="tottime")
                return
            t, q = time.perf_counter(), counter.count
            planned = services.digests_plan(week)
            phases.append(
                (
                    "build (recipients, providers, render)",
                    time.perf_counter() - t,
                    counter.count - q,
                )
            )
            t, q = time.perf_counter(), counter.count
            with transaction.atomic():
                services.digests_write(week=week, planned=planned)
                phases.append(
                    ("write (outbox, in-app)", time.perf_counter() - t, counter.count - q)
                )
                t, q = time.perf_counter(), counter.count
            # the e-mail tasks are on_commit callbacks: they ran (eagerly) at the commit above
            phases.append(
                ("send (one task per e-mail, eager)", time.perf_counter() - t, counter.count - q)
            )
        n = len(planned)
        print(f"digests: {n}; e-mails in the locmem outbox: {len(mail.outbox)}")
        print(f"{'phase':40} {'seconds':>8} {'ms/recipient':>13} {'queries':>8}")
        for label, elapsed, queries in phases:
            print(f"{label:40} {elapsed:8.2f} {1000 * elapsed / n:13.2f} {queries:8d}")
        total = sum(p[1] for p in phases)
        print(f"{'total':40} {total:8.2f} {1000 * total / n:13.2f} {sum(p[2] for p in phases):8d}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
