"""The support team's school overview, review queue and flagged list: one request each for a
school of 1,000 SEN pupils with their protocols, timed in-process with Django's test client,
next to a school of 300; queries counted for both.
Each page is timed twice: right after the bulk load, before PostgreSQL has any statistics
(autovacuum is off for the tables), and after ANALYZE.

    .venv/bin/python bench/overview.py [rounds] [pupils …]   (default: 5 rounds, 300 and 1000)

Uses the embedded PostgreSQL (`.pgdata/`, or DATABASE_URL's server) with a database of its own,
`bench_overview` (BENCH_OVERVIEW_DB names another, so parallel runs do not drop each other's),
created and dropped by the run. "Today" is fixed at Wednesday 25 November 2026, so each pupil
has ~45 windows due (А, Б, В, Г, Ж and 12 school weeks of Д, Е, К); most are handed in
(a tenth late, a tenth missing), Д weeks carry incidents, and a tenth of the pupils changed
assistant on 1 October.
"""

import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assistant_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

TODAY = date(2026, 11, 25)
ALMATY = ZoneInfo("Asia/Almaty")
timezone.localdate = lambda *a, **k: TODAY  # the bench's "today", for every reader


def build_school(n_pupils: int):
    from assistant_portal.accounts.models import Role, RoleKind, Speciality, User
    from protocols.annexes import d_behaviour_log as d_annex
    from protocols.calendar import calendar_of, current_year
    from protocols.models import Protocol, Status
    from protocols.schedule import windows_for_pupil
    from students.models import AcademicYear, Assignment, School, Student
    from students.text import kazakh_sort_key

    school = School.objects.create(name_kk=f"№ {n_pupils} мектеп")
    AcademicYear.objects.create(
        school=school,
        start=date(2026, 9, 1),
        half_year_end=date(2026, 12, 29),
        end=date(2027, 5, 25),
    )
    specialist = User.objects.create(email=f"spec{n_pupils}@bench.kz", full_name="Маман")
    Role.objects.create(
        user=specialist,
        kind=RoleKind.SPECIALIST,
        school=school,
        speciality=Speciality.PSYCHOLOGIST,
    )
    assistants = [
        User.objects.create(email=f"a{n_pupils}-{i}@bench.kz", full_name=f"Ассистент {i:03d}")
        for i in range(max(n_pupils // 5, 1))
    ]
    Role.objects.bulk_create(
        Role(user=a, kind=RoleKind.ASSISTANT, school=school) for a in assistants
    )
    letters = "АӘБВГ"
    pupils = Student.objects.bulk_create(
        Student(
            school=school,
            last_name=f"Оқушы{i:03d}",
            first_name="Айбек",
            sort_key=kazakh_sort_key(f"Оқушы{i:03d} Айбек"),
            birth_date=date(2016, 1, 1),
            grade=1 + i % 11,
            class_letter=letters[i % 5],
            class_sort_key=f"{1 + i % 11:02d}" + kazakh_sort_key(letters[i % 5]),
            sen_category="speech",
            joined=date(2026, 9, 1),
        )
        for i in range(n_pupils)
    )
    assignments = []
    for i, pupil in enumerate(pupils):
        first = assistants[i // 5 % len(assistants)]
        if i % 10 == 0:  # reassigned on 1 October
            second = assistants[(i // 5 + 1) % len(assistants)]
            assignments.append(
                Assignment(
                    student=pupil,
                    assistant=first,
                    start=date(2026, 9, 1),
                    end=date(2026, 9, 30),
                    created_by=specialist,
                )
            )
            assignments.append(
                Assignment(
                    student=pupil, assistant=second, start=date(2026, 10, 1), created_by=specialist
                )
            )
        else:
            assignments.append(
                Assignment(
                    student=pupil, assistant=first, start=date(2026, 9, 1), created_by=specialist
                )
            )
    Assignment.objects.bulk_create(assignments)
    year = current_year(school, TODAY)
    cal = calendar_of(year)
    protocols = []
    for i, pupil in enumerate(pupils):
        author = assistants[i // 5 % len(assistants)]
        for j, window in enumerate(windows_for_pupil(cal, grade=pupil.grade, joined=pupil.joined)):
            if window.due >= TODAY or (i + j) % 10 == 0:
                continue  # not due yet, or missing
            late = (i + j) % 10 == 1
            handed = window.due + timedelta(days=3 if late else 0)
            data = {"summary": "Апта қорытындысы ә ғ қ ң ө ұ ү һ і"}
            if window.annex == "D":
                data[d_annex.INCIDENTS] = [
                    {
                        d_annex.INCIDENT_DATE: window.opens.isoformat(),
                        d_annex.INTENSITY: 2,
                        d_annex.BEHAVIOUR_TYPE: "refusal",
                    }
                    for _ in range((i + j) % 5)
                ]
            protocols.append(
                Protocol(
                    student=pupil,
                    year=year,
                    annex=window.annex,
                    window_key=window.key,
                    due=window.due,
                    data=data,
                    filled_on=window.due,
                    author=author,
                    updated_by=author,
                    status=Status.SUBMITTED,
                    submitted_at=datetime(handed.year, handed.month, handed.day, 15, tzinfo=ALMATY),
                )
            )
    Protocol.objects.bulk_create(protocols, batch_size=2000)
    return specialist, len(protocols)


def measure(client, url, rounds):
    client.get(url)  # warm-up: templates, calendar cache
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries), len(response.content)


PAGES = ("protocols:overview", "protocols:review_queue", "protocols:flagged")
TABLES = ("students_student", "students_assignment", "protocols_protocol", "accounts_role")


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    sizes = [int(n) for n in sys.argv[2:]] or [300, 1000]
    setup_test_environment()
    # never pytest's test DB
    connection.settings_dict["TEST"]["NAME"] = os.environ.get("BENCH_OVERVIEW_DB", "bench_overview")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with connection.cursor() as cursor:  # "right after the bulk load": no autovacuum either
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        schools = [(n, *build_school(n)) for n in sizes]
        rows = []
        for stats in ("none", "analyzed"):
            if stats == "analyzed":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            for n, specialist, n_protocols in schools:
                client = Client()
                client.force_login(specialist)
                for name in PAGES:
                    ms, queries, size = measure(client, reverse(name), rounds)
                    rows.append((name, stats, n, n_protocols, ms, queries, size))
        print(f"school overview and friends; {rounds} requests each, medians (in-process client)")
        print(
            f"{'page':24}{'statistics':>11}{'pupils':>7}{'protocols':>10}{'ms':>9}{'queries':>8}{'KB':>7}"
        )
        for name, stats, n, n_protocols, ms, queries, size in rows:
            print(
                f"{name:24}{stats:>11}{n:7}{n_protocols:10}{ms:9.1f}{queries:8}{size / 1024:7.1f}"
            )
        by = {(r[0], r[1], r[2]): r[4] for r in rows}
        small, large = sizes[0], sizes[-1]
        for stats in ("none", "analyzed"):
            for name in PAGES:
                ratio = by[(name, stats, large)] / by[(name, stats, small)]
                print(f"ratio {name} {large} / {small} pupils, statistics {stats}: {ratio:.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
