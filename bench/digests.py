"""Weekly digest at scale: 100,000 assistants × 3 pupils, built in chunks as the workers do.

Run by hand: `.venv/bin/python bench/digests.py [assistants] [chunk size] [workers]`
(defaults 100,000, the DIGEST_CHUNK_SIZE setting, and 2 worker processes, one per core).
It creates a throw-away database (`bench_digests`, on the same server as the tests), fills it
with SQL (`generate_series`: the ORM takes minutes at this size): schools of 100 assistants
with an administrator and a specialist each, three pupils per assistant, a third of the pupils
with their September diagnostics submitted, one conclusion (Г) per school waiting for review,
languages kk/ru mixed. Then, for the week of 14 September 2026, it runs what beat's task and
the chunk tasks run, the chunks in worker processes:

- start: the week's unsent rows to queue again, the recipients' ids in chunks;
- each chunk (`digests_create_chunk`): its recipients, every provider, rendering text and HTML
  in each language, the outbox rows and in-app notifications in one transaction;
- a chunk run again (as after a worker died): it writes nothing new;
- send: a sample of the e-mail tasks, in-process into the locmem outbox (the workers send
  the rest in parallel; here their queueing is only counted).

It prints the time and number of queries of each chunk and in total.
"""

import multiprocessing
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assistant_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

N_ASSISTANTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
CHUNK = int(sys.argv[2]) if len(sys.argv) > 2 else settings.DIGEST_CHUNK_SIZE
WORKERS = int(sys.argv[3]) if len(sys.argv) > 3 else 2  # processes, as Celery's workers
PUPILS_EACH = 3
PER_SCHOOL = 100  # assistants per school; each school also has an administrator and a specialist
WEEK_DAY = date(2026, 9, 14)
SEND_SAMPLE = 2_000

FILL = """
INSERT INTO students_school (name_kk, name_ru, city, flag_incidents_per_week,
    flag_consecutive_weeks, require_admin_2fa, core_subjects, contact)
SELECT '№ ' || s || ' мектеп', '', '', 3, 2, false, '{kazakh,russian,literacy,maths,science}',
    ''
FROM generate_series(1, %(schools)s) s;

CREATE TEMP TABLE bench_schools AS
SELECT id, row_number() OVER (ORDER BY id) AS n FROM students_school;

INSERT INTO students_academicyear (school_id, start, half_year_end, "end", saturday_school)
SELECT id, DATE '2026-09-01', DATE '2026-12-29', DATE '2027-05-25', false FROM bench_schools;

INSERT INTO students_holiday (year_id, name, start, "end", grades)
SELECT id, 'Күзгі', DATE '2026-10-26', DATE '2026-11-01', '{}' FROM students_academicyear;

INSERT INTO accounts_user (password, is_superuser, email, full_name, language, is_active,
    is_staff, date_joined)
SELECT '!', false, 'a' || a || '@bench.kz', 'Ассистент ' || a,
    (ARRAY['kk', 'ru', 'kk'])[a %% 3 + 1], true, false, now()
FROM generate_series(0, %(assistants)s - 1) a;

CREATE TEMP TABLE bench_assistants AS
SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM accounts_user;

INSERT INTO accounts_user (password, is_superuser, email, full_name, language, is_active,
    is_staff, date_joined)
SELECT '!', false, kind || s.n || '@bench.kz', kind || ' ' || s.n, 'kk', true, false, now()
FROM bench_schools s CROSS JOIN (VALUES ('admin'), ('specialist')) AS kinds(kind);

INSERT INTO accounts_role (user_id, kind, speciality, school_id)
SELECT a.id, 'assistant', '', s.id
FROM bench_assistants a JOIN bench_schools s ON s.n = a.n / %(per_school)s + 1;

INSERT INTO accounts_role (user_id, kind, speciality, school_id)
SELECT u.id, CASE WHEN u.email LIKE 'admin%%' THEN 'school_admin' ELSE 'specialist' END,
    CASE WHEN u.email LIKE 'admin%%' THEN '' ELSE 'psychologist' END, s.id
FROM accounts_user u JOIN bench_schools s
    ON u.email IN ('admin' || s.n || '@bench.kz', 'specialist' || s.n || '@bench.kz');

INSERT INTO students_student (last_name, first_name, patronymic, sort_key, birth_date, grade,
    class_letter, class_sort_key, sen_category, pmpc_number, pmpc_text, joined, created_at,
    updated_at, school_id)
SELECT 'Оқушы' || p, 'Айбек', '', 'k' || lpad(p::text, 7, '0'), DATE '2017-03-14',
    1 + p %% 11, 'Ә', lpad((1 + p %% 11)::text, 2, '0') || 'Ә', 'speech', '', '',
    DATE '2026-09-01', now(), now(), s.id
FROM generate_series(0, %(pupils)s - 1) p
JOIN bench_schools s ON s.n = p / (%(per_school)s * %(pupils_each)s) + 1;

CREATE TEMP TABLE bench_pupils AS
SELECT id, school_id, row_number() OVER (ORDER BY id) - 1 AS n FROM students_student;

INSERT INTO students_assignment (student_id, assistant_id, start, created_at)
SELECT p.id, a.id, DATE '2026-09-01', now()
FROM bench_pupils p JOIN bench_assistants a ON a.n = p.n / %(pupils_each)s;

INSERT INTO protocols_protocol (student_id, year_id, annex, window_key, due, status, revision,
    data, created_at, updated_at, submitted_at, author_id, updated_by_id, decision, written_from)
SELECT p.id, y.id, annex, annex || ':september', DATE '2026-09-07', 'submitted', 1, '{}',
    now(), now(), now(), a.id, a.id, '', ''
FROM bench_pupils p
JOIN students_academicyear y ON y.school_id = p.school_id
JOIN bench_assistants a ON a.n = p.n / %(pupils_each)s
CROSS JOIN (VALUES ('A'), ('B'), ('V')) AS annexes(annex)
WHERE p.n %% 3 = 0;

INSERT INTO protocols_protocol (student_id, year_id, annex, window_key, due, status, revision,
    data, created_at, updated_at, submitted_at, author_id, updated_by_id, decision, written_from)
SELECT p.id, y.id, 'G', 'G:september', DATE '2026-09-14', 'submitted', 1, '{}',
    now(), now(), now(), a.id, a.id, '', ''
FROM bench_pupils p
JOIN students_academicyear y ON y.school_id = p.school_id
JOIN bench_assistants a ON a.n = p.n / %(pupils_each)s
WHERE p.n %% (%(per_school)s * %(pupils_each)s) = 0;
"""


def fill():
    from assistant_portal.accounts.models import User
    from protocols.models import Protocol
    from students.models import Student

    schools = -(-N_ASSISTANTS // PER_SCHOOL)
    params = {
        "schools": schools,
        "assistants": N_ASSISTANTS,
        "per_school": PER_SCHOOL,
        "pupils": N_ASSISTANTS * PUPILS_EACH,
        "pupils_each": PUPILS_EACH,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in FILL.split(";\n"):
            if statement.strip():
                cursor.execute(statement, params)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return User.objects.count(), Student.objects.count(), Protocol.objects.count()


class QueryCounter:
    """Counts queries on the connection (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _chunk(job):
    """One chunk task in a worker process: (seconds, queries, digests, CPU seconds) and the
    outbox ids whose e-mails it queued (counted, not sent)."""
    from assistant_portal.notifications import services

    week, ids = job
    counter, queued = QueryCounter(), []
    services._queue_send = queued.append
    t, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        services.digests_create_chunk(week=week, ids=ids)
    run = (time.perf_counter() - t, counter.count, len(queued), time.process_time() - cpu)
    return run, queued


def main():
    import logging

    from assistant_portal.notifications import services
    from assistant_portal.notifications.digest import WeekRange
    from assistant_portal.notifications.models import DigestOutbox

    # Celery logs every eager task at INFO: measure the work, not the console.
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("assistant_portal.notifications").setLevel(logging.WARNING)
    settings.DIGEST_CHUNK_SIZE = CHUNK
    connection.settings_dict["TEST"]["NAME"] = "bench_digests"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    queue_send = services._queue_send
    queued = []
    try:
        t0 = time.perf_counter()
        users, pupils, protocols = fill()
        print(f"data: {users} users, {pupils} pupils, {protocols} protocols "
              f"({time.perf_counter() - t0:.1f} s to insert); chunks of {CHUNK}; "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        week = WeekRange.of(WEEK_DAY)
        mail.outbox = []
        # The e-mail tasks are counted, not run: the workers send them in parallel.
        services._queue_send = queued.append
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            if os.environ.get("PROFILE"):
                import cProfile

                ids = services.digest_chunks(week)[0]
                cProfile.runctx(
                    "services.digests_create_chunk(week=week, ids=ids)",
                    globals(), locals(), sort="tottime",
                )  # fmt: skip
                return
            t = time.perf_counter()
            services.digests_requeue_unsent(week=week)
            chunks = services.digest_chunks(week)
            start = (time.perf_counter() - t, counter.count)
            print(f"start: {sum(map(len, chunks))} recipients in {len(chunks)} chunks, "
                  f"{start[0]:.2f} s, {start[1]} queries")  # fmt: skip
            runs = []
            t_all = time.perf_counter()
            connection.close()  # each worker process opens its own
            with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
                jobs = pool.imap(_chunk, [(week, ids) for ids in chunks])
                for n, (ids, (run, pks)) in enumerate(zip(chunks, jobs, strict=True), 1):
                    runs.append(run)
                    queued.extend(pks)
                    took, queries, made, cpu = run
                    print(f"chunk {n:4}/{len(chunks)}: {len(ids):5} recipients, {made:5} "
                          f"digests, {took:6.2f} s ({cpu:5.2f} s CPU), {queries} queries",
                          flush=True)  # fmt: skip
            wall = time.perf_counter() - t_all
            t, q, before = time.perf_counter(), counter.count, len(queued)
            services.digests_create_chunk(week=week, ids=chunks[0])
            print(f"chunk 1 again (a restarted task): {len(queued) - before} e-mails queued "
                  f"again (their claim sends each once), {time.perf_counter() - t:.2f} s, "
                  f"{counter.count - q} queries")  # fmt: skip
            services._queue_send = queue_send
            sample = queued[:SEND_SAMPLE]
            t, q = time.perf_counter(), counter.count
            for pk in sample:
                services.digest_send(outbox_id=pk)
            send = (time.perf_counter() - t, counter.count - q)
        digests = DigestOutbox.objects.count()
        times = [r[0] for r in runs]
        print(f"digests written: {digests} ({len(set(queued))} e-mails queued); "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print(f"chunk seconds: median {statistics.median(times):.2f}, max {max(times):.2f}; "
              f"queries per chunk: {sorted({r[1] for r in runs})}")  # fmt: skip
        cpu = sum(r[3] for r in runs)
        print(f"build + write, {len(chunks)} chunks on {WORKERS} worker process(es): "
              f"{wall + start[0]:.1f} s ({1000 * wall / digests:.2f} ms per digest; the "
              f"workers' own CPU {cpu:.1f} s, {1000 * cpu / digests:.2f} ms per digest), "
              f"{start[1] + sum(r[1] for r in runs)} queries")  # fmt: skip
        print(f"send: {len(sample)} e-mails in {send[0]:.1f} s "
              f"({1000 * send[0] / len(sample):.2f} ms each, {send[1] / len(sample):.0f} "
              f"queries each; locmem outbox: {len(mail.outbox)})")  # fmt: skip
    finally:
        services._queue_send = queue_send
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
