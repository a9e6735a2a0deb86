"""Certificates (Performance):

1. ms per certificate through `course.certificates.certificate_issue` (eligibility, serial,
   snapshot, QR, PDF, SHA-256, file, row) vs a bare WeasyPrint render of the same HTML;
2. bulk issue of N certificates (default 500) through real Celery workers with -c 1 and -c 2
   against the local Redis (db 5, so no other worker takes the tasks).

    .venv/bin/python bench/certificates.py [N]

It uses its own database `bench_certificates` on the worktree's embedded PostgreSQL (created
and migrated on first use; nothing is written to the development database) and its own
MEDIA_ROOT in a temporary folder.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
DB = "bench_certificates"


def _env() -> dict:
    """Environment pointing Django at the bench database, the bench Redis db and media."""
    from assistant_portal.settings.database import embedded_postgres

    d = embedded_postgres(ROOT / ".pgdata")
    import psycopg

    with psycopg.connect(
        host=d["HOST"], port=d["PORT"], user=d["USER"], dbname="postgres", autocommit=True
    ) as c:
        if not c.execute("select 1 from pg_database where datname=%s", [DB]).fetchone():
            c.execute(f"create database {DB}")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="assistant_portal.settings.local",
        # a Unix socket: libpq's host/port options (django-environ keeps a quoted host as is)
        DATABASE_URL=f"postgres://{d['USER']}@/{DB}?host={quote(d['HOST'])}&port={d['PORT']}",
        REDIS_URL=REDIS,
        MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-certs-"),
        BENCH_CHILD="1",
    )
    return env


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    env = _env()
    py = str(ROOT / ".venv/bin/python")
    subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, __file__, "single"], cwd=ROOT, env=env, check=True)
    for workers in (1, 2):
        subprocess.run([py, __file__, "bulk", str(n), str(workers)], cwd=ROOT, env=env, check=True)


def _setup():
    import logging

    import django

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    logging.getLogger("axes").setLevel(logging.WARNING)
    django.setup()


def _world(n: int):
    """A cohort of n eligible listeners (TU 85, test 80), written in bulk: no password hashing."""
    from decimal import Decimal

    from django.utils import timezone

    from assistant_portal.accounts.models import Role, RoleKind, User
    from course.models import Attempt, Enrolment, Score
    from tests.factories import CohortFactory, OrganisationFactory, TaskFactory, person

    stamp = time.time_ns()  # the database is kept between runs: fresh e-mails
    org = OrganisationFactory(name=f"bench {stamp}")
    admin = person(RoleKind.COURSE_ADMIN, organisation=org, email=f"admin-{stamp}@bench.kz")
    cohort = CohortFactory(organisation=org)
    task = TaskFactory(cohort=cohort)
    users = User.objects.bulk_create(
        User(email=f"l{i}-{stamp}@bench.kz", full_name=f"Тыңдаушы {i:04d}", password="!")
        for i in range(n)
    )
    Role.objects.bulk_create(Role(user=u, kind=RoleKind.LISTENER) for u in users)
    es = Enrolment.objects.bulk_create(
        Enrolment(cohort=cohort, listener=u, sort_key=u.full_name) for u in users
    )
    now = timezone.now()
    Score.objects.bulk_create(Score(enrolment=e, task=task, value=Decimal(85)) for e in es)
    Attempt.objects.bulk_create(
        Attempt(
            enrolment=e,
            number=1,
            started_at=now,
            deadline=now,
            submitted_at=now,
            score=Decimal(80),
            on_paper=True,
        )
        for e in es
    )
    return admin, cohort, es


def single(rounds: int = 30) -> None:
    _setup()
    from weasyprint import HTML

    from assistant_portal.security.pdf import STATIC, render_pdf, static_only_fetcher
    from course import certificates as svc

    admin, _cohort, enrolments = _world(rounds + 3)
    ours, bare, renderer = [], [], []
    for i, e in enumerate(enrolments):
        t = time.perf_counter()
        cert, _ = svc.certificate_issue(enrolment=e, by=admin)
        ours.append(time.perf_counter() - t)
        html = svc.certificate_html(cert)
        t = time.perf_counter()
        base = STATIC.as_uri() + "/"
        HTML(string=html, base_url=base, url_fetcher=static_only_fetcher()).write_pdf()
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        render_pdf(html)  # the project's renderer: per-thread fonts and layout cache
        renderer.append(time.perf_counter() - t)
        if i < 3:  # warm-up
            ours.pop(), bare.pop(), renderer.pop()
    o, b, r = (statistics.median(x) * 1000 for x in (ours, bare, renderer))
    print(
        f"one certificate, median of {len(ours)}: issue through our code {o:.1f} ms; "
        f"bare WeasyPrint of the same HTML {b:.1f} ms (ratio {o / b:.2f}); "
        f"the project's renderer alone {r:.1f} ms (ratio {o / r:.2f}, "
        f"overhead {100 * (o / r - 1):.0f} %)"
    )


def bulk(n: int, workers: int) -> None:
    _setup()
    from django.db import connection

    from course import certificates as svc
    from course.models import CertificateBatch

    admin, cohort, _enrolments = _world(n)
    connection.close()
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "assistant_portal",
            "worker",
            "-c",
            str(workers),
            "--pool",
            "prefork",
            "-l",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(4)  # workers up
        t = time.perf_counter()
        batch = svc.batch_start(cohort=cohort, by=admin)
        while True:
            batch.refresh_from_db()
            if batch.finished:
                break
            time.sleep(0.1)
        dt = time.perf_counter() - t
    finally:
        worker.terminate()
        worker.wait(30)
    assert batch.status == CertificateBatch.State.DONE and batch.done == n, batch
    print(
        f"bulk issue of {n} with {workers} worker process(es): {dt:.1f} s "
        f"({1000 * dt / n:.0f} ms per certificate, ZIP included)"
    )


if __name__ == "__main__":
    if os.environ.get("BENCH_CHILD") and len(sys.argv) > 1:
        if sys.argv[1] == "single":
            single()
        else:
            bulk(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
