"""Key pages against the framework floor, under load.

    apt-get install wrk    # once
    .venv/bin/python bench/pages.py [seconds per run] [rounds]

Builds a database of its own (`bench_pages` on DATABASE_URL's server, default the local
PostgreSQL on 127.0.0.1:5432) with the demo data, serves the app with gunicorn (2 sync
workers, DEBUG off, production middleware, persistent connections; `bench/floor/settings.py`)
and runs wrk with 16 connections against each key page and against the floor — a minimal
login-required view rendering a 50-row table from one query through the same stack —
alternating floor and page in every round so machine noise is shared. Prints p95 latency and
requests per second per page, their ratios to the floor (median of the rounds), and the load
average.
"""

import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Another name and port (BENCH_PAGES_DB, BENCH_PAGES_PORT) let two checkouts run side by side.
DB_NAME = os.environ.get("BENCH_PAGES_DB", "bench_pages")
DB_URL = re.sub(r"/[^/]*$", f"/{DB_NAME}", BASE_URL)
os.environ["DATABASE_URL"] = DB_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
os.environ.pop("REDIS_URL", None)  # tasks in-process: the pages never queue anything here
PORT = int(os.environ.get("BENCH_PAGES_PORT", "8765"))
HOST = f"http://127.0.0.1:{PORT}"
PY = str(ROOT / ".venv" / "bin" / "python")


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    manage("migrate", "-v", "0")
    manage("load_demo")


def pages_and_cookies() -> tuple[list[tuple[str, str, str]], str]:
    """(label, path, session cookie) per key page, and the floor's cookie."""
    import django

    django.setup()
    from django.test import Client

    from assistant_portal.accounts.models import User
    from bench.keypages import FLOOR_READER, key_pages

    cookies: dict[str, str] = {}

    def cookie(email: str) -> str:
        if email not in cookies:
            client = Client()
            client.force_login(User.objects.get(email=email))
            cookies[email] = f"sessionid={client.cookies['sessionid'].value}"
        return cookies[email]

    pages = [(label, path, cookie(email)) for _name, label, path, email in key_pages()]
    return pages, cookie(FLOOR_READER)


def check(path: str, cookie: str) -> None:
    req = urllib.request.Request(HOST + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(req) as r:  # noqa: S310  loopback only
        assert r.status == 200 and r.geturl() == HOST + path, (path, r.status, r.geturl())


def wrk(path: str, cookie: str, seconds: int) -> tuple[float, float, int]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c16",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: {cookie}",
            "-s",
            str(ROOT / "bench" / "floor" / "p95.lua"),
            HOST + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    _tag, p95, rps, bad = out.strip().splitlines()[-1].split()
    return float(p95), float(rps), int(bad)


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    fresh_database()
    pages, floor_cookie = pages_and_cookies()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "assistant_portal.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        for _ in range(50):
            try:
                check("/bench/floor/", floor_cookie)
                break
            except OSError:
                time.sleep(0.2)
        for _label, path, cookie in pages:
            check(path, cookie)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        head = ("p95 ms", "floor", "ratio", "req/s", "floor", "ratio")
        print(f"{'page':32}", *(f"{h:>7}" for h in head))
        for label, path, cookie in pages:
            runs = []
            for _ in range(rounds):
                floor = wrk("/bench/floor/", floor_cookie, seconds)
                page = wrk(path, cookie, seconds)
                assert floor[2] == 0 and page[2] == 0, (label, floor, page)
                runs.append((page[0], floor[0], page[1], floor[1]))
            p95, fp95, rps, frps = (statistics.median(r[i] for r in runs) for i in range(4))
            ratio = statistics.median(r[0] / r[1] for r in runs)
            rps_ratio = statistics.median(r[3] / r[2] for r in runs)
            cells = (f"{p95:.1f}", f"{fp95:.1f}", f"{ratio:.2f}", f"{rps:.0f}", f"{frps:.0f}")
            print(f"{label:32}", *(f"{c:>7}" for c in cells), f"{rps_ratio:>7.2f}")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
