"""The same school's pages inside a country and alone (issue #17 item 4), and a user with two
roles at national scale (issue #19 item 1).

    .venv/bin/python bench/national.py [pupils] [rounds] [--keep | --reuse]
        (default: 200000 pupils, 7 rounds)

Two databases on DATABASE_URL's server (default the local PostgreSQL): `bench_national_small`
holds one school of known shape, built as `bench/overview.py` builds it (300 pupils, ~11,000
protocols), plus a school of 50 pupils "elsewhere" and the users; `bench_national_big` is a copy
of it (`CREATE DATABASE … TEMPLATE`, so every id and session is the same) into which the country
is then written with SQL (`generate_series`; the ORM is too slow): schools of 50 pupils, an
assistant per 5 pupils, each pupil assigned, PROTOCOLS_PER_PUPIL Д and К weeks per pupil
(62: 12.4M protocols at 200,000 pupils), history triggers on as in production.

Every page is requested by the same user in both databases, alternating small / big inside each
round so that the machine's load falls on both alike; Django's test client in-process, medians,
after VACUUM ANALYZE of both. Users: the school's assistant, its psychologist, and a colleague who
is the school's psychologist and also the assistant of five pupils elsewhere (two roles). Prints
big / small per page, and the two-role user's time over the one-role psychologist's at national
scale. `--keep` leaves both databases for a later `--reuse` (building the country takes a while).
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
import psycopg  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

PER_SCHOOL, PER_ASSISTANT, PROTOCOLS_PER_PUPIL = 50, 5, 62

COUNTRY = """
INSERT INTO students_school (name_kk, name_ru, city, flag_incidents_per_week,
    flag_consecutive_weeks, require_admin_2fa, core_subjects, contact)
SELECT %(tag)s || s, '', '', 3, 2, false, %(core_subjects)s, ''
FROM generate_series(1, %(schools)s) s;

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
    data, filled_on, created_at, updated_at, submitted_at, author_id, updated_by_id, decision,
    written_from)
SELECT p.id, y.id, annex, annex || ':' || (DATE '2026-09-07' + 7 * w), DATE '2026-09-11' + 7 * w,
    'submitted', 1, '{"summary": "Апта қорытындысы"}', DATE '2026-09-11' + 7 * w, now(), now(),
    now(), a.id, a.id, '', ''
FROM bench_pupils p
JOIN students_academicyear y ON y.school_id = p.school_id
JOIN bench_assistants a ON a.n = p.n / %(per_assistant)s + 1
CROSS JOIN (VALUES ('D'), ('K')) AS annexes(annex)
CROSS JOIN generate_series(0, %(weeks)s - 1) w;
"""


def build_country(pupils: int, tag: str) -> None:
    from students.models import default_core_subjects

    schools = -(-pupils // PER_SCHOOL)
    params = {
        "tag": f"{tag}-",
        "schools": schools,
        "pupils": pupils,
        "per_school": PER_SCHOOL,
        "assistants": -(-pupils // PER_ASSISTANT),
        "assistants_per_school": PER_SCHOOL // PER_ASSISTANT,
        "per_assistant": PER_ASSISTANT,
        "core_subjects": default_core_subjects(),
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


SMALL, BIG = "bench_national_small", "bench_national_big"


def server_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return base.rsplit("/", 1)[0] + "/postgres"


def databases_exist() -> bool:
    with psycopg.connect(server_url(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname IN (%s, %s)", (SMALL, BIG)
        ).fetchone()
    return rows[0] == 2


def drop_databases() -> None:
    with psycopg.connect(server_url(), autocommit=True) as conn:
        for name in (SMALL, BIG):
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def use(name: str) -> None:
    """Point Django's one connection at a database, connected before any timing starts."""
    if connection.settings_dict["NAME"] != name:
        connection.close()
        connection.settings_dict["NAME"] = name
    connection.ensure_connection()


def build(pupils: int) -> None:
    """The school alone in SMALL; SMALL copied to BIG; the country written into BIG."""
    from django.core.management import call_command

    drop_databases()
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {SMALL}")
    use(SMALL)
    call_command("migrate", verbosity=0)
    psychologist, _n = overview.build_school(300)
    build_country(PER_SCHOOL, "elsewhere")  # the school where the second role is
    two_role_user(psychologist)
    connection.close()
    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {BIG} TEMPLATE {SMALL}")
    use(BIG)
    build_country(pupils, "country")
    for name in (SMALL, BIG):
        use(name)
        with connection.cursor() as cursor:  # nothing left for autovacuum to do meanwhile
            cursor.execute("VACUUM ANALYZE")


def cast():
    """The users, logged in (sessions live in SMALL and were copied to BIG), and their pages."""
    from django.contrib.auth import get_user_model

    from protocols.models import Protocol
    from students.models import Student

    users = get_user_model().objects
    assistant = users.get(email="a300-0@bench.kz")
    psychologist = users.get(email="spec300@bench.kz")
    both = users.get(email="two-roles@bench.kz")
    current = {"assignments__assistant": assistant, "assignments__end__isnull": True}
    pupil = Student.objects.filter(**current).order_by("pk").first()
    mine = Protocol.objects.filter(student=pupil).order_by("pk")
    sheet = mine.filter(annex="K").first()
    log = mine.filter(annex="D").exclude(data__incidents=[]).first()
    pages = {
        "assistant dashboard": (reverse("protocols:dashboard"), ["assistant"]),
        "pupil year": (reverse("protocols:pupil_year", args=[pupil.pk]), ["assistant"]),
        "protocol edit (Д, incidents)": (log.get_absolute_url(), ["assistant"]),
        "protocol edit (К)": (sheet.get_absolute_url(), ["assistant", "psychologist", "both"]),
        "pupil list": (reverse("students:list"), ["assistant", "psychologist", "both"]),
        "home": (reverse("home"), ["assistant", "psychologist", "both"]),
        "review queue": (reverse("protocols:review_queue"), ["psychologist", "both"]),
        "school overview": (reverse("protocols:overview"), ["psychologist", "both"]),
        "flagged pupils": (reverse("protocols:flagged"), ["psychologist", "both"]),
    }
    users = {"assistant": assistant, "psychologist": psychologist, "both": both}
    return users, pages


LABEL = {"assistant": "assistant", "psychologist": "psychologist", "both": "psych. + assistant"}


def main():
    from protocols.models import Protocol
    from students.access import pupils_visible_to
    from students.models import Student

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    pupils = int(args[0]) if args else 200_000
    rounds = int(args[1]) if len(args) > 1 else 7
    setup_test_environment()
    start = time.perf_counter()
    if not ("--reuse" in sys.argv and databases_exist()):
        build(pupils)
    built = time.perf_counter() - start
    try:
        use(SMALL)
        users, pages = cast()
        clients = {}
        for name, user in users.items():
            clients[name] = Client()
            clients[name].force_login(user)  # the session row is written in SMALL only …
        with psycopg.connect(server_url().rsplit("/", 1)[0] + f"/{SMALL}") as conn:
            rows = conn.execute(
                "SELECT session_key, session_data, expire_date FROM django_session"
            ).fetchall()
        with psycopg.connect(server_url().rsplit("/", 1)[0] + f"/{BIG}") as conn:  # … so copy it
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO django_session VALUES (%s, %s, %s) ON CONFLICT DO NOTHING", rows
                )
        sizes = {}
        for db in (SMALL, BIG):
            use(db)
            sizes[db] = (Student.objects.count(), Protocol.objects.count())
        calls = {}
        for page, (url, who) in pages.items():
            for name in who:
                calls[(page, name)] = lambda c=clients[name], u=url: c.get(u)
        for name in ("psychologist", "both"):
            calls[("access query (visible pupils)", name)] = lambda u=users[name]: list(
                pupils_visible_to(u).values_list("pk")
            )
        times = {(key, db): [] for key in calls for db in (SMALL, BIG)}
        for db in (SMALL, BIG):  # warm-up; every page answers in both
            use(db)
            for key, call in calls.items():
                response = call()
                assert getattr(response, "status_code", 200) == 200, (key, db)
        for _ in range(rounds):
            for key, call in calls.items():
                for db in (SMALL, BIG):  # side by side: the load falls on both alike
                    use(db)
                    t = time.perf_counter()
                    call()
                    times[(key, db)].append((time.perf_counter() - t) * 1000)
        ms = {k: statistics.median(v) for k, v in times.items()}
        print(
            "small: the school alone ({} pupils, {} protocols); big: {} pupils, {} protocols;"
            " {} rounds, medians, ms; built in {:.0f} s; load average {}".format(
                *sizes[SMALL], *sizes[BIG], rounds, built,
                " ".join(f"{x:.2f}" for x in os.getloadavg()),
            )
        )  # fmt: skip
        print(f"{'page':32}{'user':20}{'small':>8}{'big':>9}{'big/small':>10}")
        for page, name in calls:
            small, big = ms[((page, name), SMALL)], ms[((page, name), BIG)]
            print(f"{page:32}{LABEL[name]:20}{small:8.1f}{big:9.1f}{big / small:10.2f}")
        print("\ntwo roles / one role (the psychologist): what the second role costs")
        print(f"{'page':32}{'small':>8}{'big':>9}")
        for page, name in calls:
            if name == "both":
                cost = [
                    ms[((page, "both"), db)] / ms[((page, "psychologist"), db)]
                    for db in (SMALL, BIG)
                ]
                print(f"{page:32}{cost[0]:8.2f}{cost[1]:9.2f}")
    finally:
        connection.close()
        if "--keep" not in sys.argv and "--reuse" not in sys.argv:
            drop_databases()


if __name__ == "__main__":
    main()
