"""A user with two roles in a national-scale database: the same school's
pages for its psychologist, and for a psychologist who is also an assistant elsewhere.

    .venv/bin/python bench/national.py [pupils] [rounds]      (default: 20000 pupils, 7 rounds)

Uses a database of its own, `bench_national`, created and dropped by the run. The country is
built with SQL (`generate_series`): schools of 50 pupils, an assistant per 5 pupils, each pupil
assigned, 20 protocols per pupil (Д and К weeks). Inside it, one school of known shape built
as `bench/overview.py` builds it (300 pupils, ~11,000 protocols). The full national shape is
200,000 pupils and 12.6M protocols; on a 2-core machine shared with other
work this bench defaults to a tenth of the pupils, which is enough for a plan that scans the
country to show (it grows with the country; a plan through the indexes does not).

Each page is timed for both users first with the known school alone (and the five pupils'
school), then again once the country is loaded: national / small is what the country costs.
Requests go through Django's test client in-process, medians; the access query alone is timed
the same way. Statistics are read (ANALYZE) before each measurement.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assistant_portal.settings.test")

import overview  # noqa: E402  (sets up Django, fixes "today", builds the known school)
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

PER_SCHOOL, PER_ASSISTANT, PROTOCOLS_PER_PUPIL = 50, 5, 20

COUNTRY = """
INSERT INTO students_school (name_kk, name_ru, city, flag_incidents_per_week,
    flag_consecutive_weeks, require_admin_2fa)
SELECT %(tag)s || s, '', '', 3, 2, false FROM generate_series(1, %(schools)s) s;

DROP TABLE IF EXISTS bench_schools, bench_assistants, bench_pupils;

CREATE TEMP TABLE bench_schools AS
SELECT id, row_number() OVER (ORDER BY id) AS n FROM students_school
WHERE name_kk LIKE %(tag)s || '%%';

INSERT INTO students_academicyear (school_id, start, half_year_end, "end", saturday_school)
SELECT id, DATE '2026-09-01', DATE '2026-12-29', DATE '2027-05-25', false FROM bench_schools;

INSERT INTO accounts_user (password, is_superuser, email, full_name, language, is_active,
    is_staff, date_joined)
SELECT '!', false, %(tag)s || a || '@bench.kz', 'Ассистент ' || a, 'kk', true, false, now()
FROM generate_series(1, %(assistants)s) a;

CREATE TEMP TABLE bench_assistants AS
SELECT id, row_number() OVER (ORDER BY id) AS n FROM accounts_user
WHERE email LIKE %(tag)s || '%%';

INSERT INTO accounts_role (user_id, kind, speciality, school_id)
SELECT a.id, 'assistant', '', s.id
FROM bench_assistants a JOIN bench_schools s ON s.n = (a.n - 1) / %(assistants_per_school)s + 1;

INSERT INTO students_student (last_name, first_name, patronymic, sort_key, birth_date, grade,
    class_letter, class_sort_key, sen_category, pmpc_number, pmpc_text, joined, created_at,
    updated_at, school_id)
SELECT 'Оқушы' || p, 'Айбек', '', 'k' || lpad(p::text, 7, '0'), DATE '2016-01-01',
    1 + p %% 11, 'А', lpad((1 + p %% 11)::text, 2, '0') || 'А', 'speech', '', '',
    DATE '2026-09-01', now(), now(), s.id
FROM generate_series(0, %(pupils)s - 1) p JOIN bench_schools s ON s.n = p / %(per_school)s + 1;

CREATE TEMP TABLE bench_pupils AS
SELECT st.id, st.school_id, row_number() OVER (ORDER BY st.id) - 1 AS n
FROM students_student st JOIN bench_schools s ON s.id = st.school_id;

INSERT INTO students_assignment (student_id, assistant_id, start, created_at)
SELECT p.id, a.id, DATE '2026-09-01', now()
FROM bench_pupils p JOIN bench_assistants a ON a.n = p.n / %(per_assistant)s + 1;

INSERT INTO protocols_protocol (student_id, year_id, annex, window_key, due, status, revision,
    data, filled_on, created_at, updated_at, submitted_at, author_id, updated_by_id, decision)
SELECT p.id, y.id, annex, annex || ':' || (DATE '2026-09-07' + 7 * w), DATE '2026-09-11' + 7 * w,
    'submitted', 1, '{"summary": "Апта қорытындысы"}', DATE '2026-09-11' + 7 * w, now(), now(),
    now(), a.id, a.id, ''
FROM bench_pupils p
JOIN students_academicyear y ON y.school_id = p.school_id
JOIN bench_assistants a ON a.n = p.n / %(per_assistant)s + 1
CROSS JOIN (VALUES ('D'), ('K')) AS annexes(annex)
CROSS JOIN generate_series(0, %(weeks)s - 1) w;
"""


def build_country(pupils: int, tag: str) -> None:
    schools = -(-pupils // PER_SCHOOL)
    params = {
        "tag": f"{tag}-",
        "schools": schools,
        "pupils": pupils,
        "per_school": PER_SCHOOL,
        "assistants": -(-pupils // PER_ASSISTANT),
        "assistants_per_school": PER_SCHOOL // PER_ASSISTANT,
        "per_assistant": PER_ASSISTANT,
        "weeks": PROTOCOLS_PER_PUPIL // 2,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in COUNTRY.split(";\n"):
            if statement.strip():
                cursor.execute(statement, params)


def two_role_user(psychologist):
    """The school's psychologist's colleague: psychologist of the same school, and assistant
    of five pupils of a school elsewhere in the country."""
    from assistant_portal.accounts.models import Role, RoleKind, Speciality, User
    from students.models import Assignment, Student

    school = psychologist.roles.get().school
    user = User.objects.create(email="two-roles@bench.kz", full_name="Екі рөлді маман")
    Role.objects.create(
        user=user, kind=RoleKind.SPECIALIST, school=school, speciality=Speciality.PSYCHOLOGIST
    )
    elsewhere = Student.objects.filter(school__name_kk__startswith="elsewhere-")
    pupils = list(elsewhere.order_by("pk")[:5])
    Role.objects.create(user=user, kind=RoleKind.ASSISTANT, school=pupils[0].school)
    Assignment.objects.filter(student__in=pupils).delete()  # one open assignment per pupil
    Assignment.objects.bulk_create(
        Assignment(student=p, assistant=user, start=overview.TODAY.replace(day=1)) for p in pupils
    )
    return user


def main():
    from protocols.models import Protocol
    from students.access import pupils_visible_to
    from students.models import Student

    pupils = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = "bench_national"  # never pytest's test DB
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        psychologist, _n = overview.build_school(300)
        build_country(PER_SCHOOL, "elsewhere")  # the school where the second role is
        both = two_role_user(psychologist)
        school = psychologist.roles.get().school
        sheet = Protocol.objects.filter(student__school=school, annex="K").order_by("pk").first()
        pages = {
            "pupil list": reverse("students:list"),
            "protocol edit (К)": sheet.get_absolute_url(),
            "home": reverse("home"),
        }
        users = {"psychologist": psychologist, "psychologist + assistant": both}
        clients = {}
        for name, user in users.items():
            clients[name] = Client()
            clients[name].force_login(user)
        ms, sizes = {}, {}
        for size in ("small", "national"):
            if size == "national":
                build_country(pupils, "country")
            with connection.cursor() as cursor:  # nothing left for autovacuum to do meanwhile
                cursor.execute("VACUUM ANALYZE")
            sizes[size] = (Student.objects.count(), Protocol.objects.count())
            calls = {}
            for page, url in pages.items():
                for name, client in clients.items():
                    calls[(page, name)] = lambda c=client, u=url: c.get(u)
            for name, user in users.items():
                calls[("access query (visible pupils)", name)] = lambda u=user: list(
                    pupils_visible_to(u).values_list("pk")
                )
            for (page, name), call in calls.items():  # warm-up; pages answer
                response = call()
                assert getattr(response, "status_code", 200) == 200, (page, name)
            times = {key: [] for key in calls}
            for _ in range(rounds):  # interleaved, so the machine's load falls on all alike
                for key, call in calls.items():
                    t = time.perf_counter()
                    call()
                    times[key].append((time.perf_counter() - t) * 1000)
            for (page, name), samples in times.items():
                ms[(page, name, size)] = statistics.median(samples)
        built = time.perf_counter() - start
        print(
            "small: the school alone ({} pupils, {} protocols); national: {} pupils,"
            " {} protocols; {} rounds, medians, ms (all in {:.0f} s)".format(
                *sizes["small"], *sizes["national"], rounds, built
            )
        )
        print(f"{'page':32}{'user':26}{'small':>8}{'national':>10}{'ratio':>7}")
        for page in [*pages, "access query (visible pupils)"]:
            for name in users:
                small, big = ms[(page, name, "small")], ms[(page, name, "national")]
                print(f"{page:32}{name:26}{small:8.1f}{big:10.1f}{big / small:7.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
