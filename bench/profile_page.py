"""Per-request cost of the key pages against the framework floor, in-process (issue 17): the
breakdown that the wall-clock ratios of `pages.py` cannot give on a shared machine.

    .venv/bin/python bench/profile_page.py [page …] [-n 20] [-r 3] [--profile] [--top 25]
    .venv/bin/python bench/profile_page.py --callgrind [page …] [-n 5] [--keep DIR]
    .venv/bin/python bench/profile_page.py --build      # (re)build the demo database first

Pages: dashboard, year, edit-k, edit-d, queue, overview, gradebook (default: all). Each page
and the floor (`bench/floor/`, a login-required 50-row table through the same middleware) are
requested by Django's test client with the production settings (`bench.floor.settings`,
DEBUG off), logged in as the page's reader, after two warm-up requests; floor and page
alternate in every round.

- default: CPU time of this thread per request (the least of the rounds: the run least
  disturbed by the other processes), page / floor, and queries per request. The database's own
  work runs in PostgreSQL and is not counted; the query-count pins cover it.
- `--callgrind`: the same loop under valgrind, counting the instructions of the measured
  requests only (callgrind's client requests zero the counters before and dump them after;
  needs gcc and valgrind's headers) — deterministic and independent of the machine's load,
  but ~50× slower: use `-n 2` to `-n 5`.
- `--profile`: cProfile over the page's requests: where the time goes (session, user, roles,
  view, template, queries, read-log write, schedule, forms, URLs, translations; inclusive
  and overlapping, with the profiler's overhead), then the top functions by cumulative time
  (`--top 0`: the breakdown only).

The database is DATABASE_URL (default `bench_profile` on the local PostgreSQL) with the demo
data (`--build` drops and recreates it: migrate + load_demo, ~40 s).
"""

import argparse
import ctypes
import io
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_profile")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
os.environ.pop("REDIS_URL", None)  # tasks in-process: the pages never queue anything here
PY = str(ROOT / ".venv" / "bin" / "python")
UNDER_CALLGRIND = "PROFILE_PAGE_CALLGRIND_LABELS"  # set in the child run under valgrind
WARM_UP = 2


def build() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(re.sub(r"/[^/]*$", "/postgres", url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    for args in (["migrate", "-v", "0"], ["load_demo"]):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def clients(pages):
    from django.test import Client

    from assistant_portal.accounts.models import User
    from bench.keypages import FLOOR_READER

    made = {}
    for email in {FLOOR_READER, *(p[3] for p in pages)}:
        made[email] = Client()
        made[email].force_login(User.objects.get(email=email))
    return made


def requests(client, path: str, n: int) -> None:
    for _ in range(n):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)


CLIENT_REQUESTS = r"""
#include <valgrind/callgrind.h>
void region_start(void) { CALLGRIND_ZERO_STATS; }
void region_end(const char *label) { CALLGRIND_DUMP_STATS_AT(label); }
"""


def measured(fn) -> None:
    """Run fn between callgrind's client requests: counters zeroed before, dumped after (a
    tiny C library, built by the parent run, emits them; outside valgrind they do nothing)."""
    lib = ctypes.CDLL(os.environ[UNDER_CALLGRIND + "_LIB"])
    lib.region_start()
    fn()
    lib.region_end(b"region")


def queries_per_request(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        requests(client, path, 1)
    return len(ctx.captured_queries)


def cpu_table(pages, made, n: int, rounds: int) -> None:
    from bench.keypages import FLOOR, FLOOR_READER

    floor_client = made[FLOOR_READER]
    requests(floor_client, FLOOR, WARM_UP)
    floor_q = queries_per_request(floor_client, FLOOR)
    print(f"{n} requests × {rounds} rounds, CPU ms per request (least of the rounds)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'page':30} {'page ms':>8} {'floor ms':>8} {'ratio':>6} {'queries':>8}")
    for _name, label, path, email in pages:
        client = made[email]
        requests(client, path, WARM_UP)
        best_page = best_floor = float("inf")
        for _ in range(rounds):
            t0 = time.thread_time()
            requests(floor_client, FLOOR, n)
            t1 = time.thread_time()
            requests(client, path, n)
            t2 = time.thread_time()
            best_floor = min(best_floor, (t1 - t0) / n * 1000)
            best_page = min(best_page, (t2 - t1) / n * 1000)
        q = queries_per_request(client, path)
        print(
            f"{label:30} {best_page:8.2f} {best_floor:8.2f} {best_page / best_floor:6.2f}"
            f" {q:>4} ({floor_q})"
        )


def callgrind_child(pages, made, n: int) -> None:
    """Under valgrind: one measured region (one dump) per floor run and per page run."""
    from bench.keypages import FLOOR, FLOOR_READER

    labels = []
    requests(made[FLOOR_READER], FLOOR, WARM_UP)
    for _name, label, path, email in pages:
        requests(made[email], path, WARM_UP)
        measured(lambda: requests(made[FLOOR_READER], FLOOR, n))
        labels.append(("floor", label))
        measured(lambda path=path, email=email: requests(made[email], path, n))
        labels.append(("page", label))
    Path(os.environ[UNDER_CALLGRIND]).write_text(json.dumps(labels))


def callgrind_parent(names: list[str], n: int, keep: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="profile_page_") as tmp:
        if keep:  # the dumps stay for callgrind_annotate (one per floor and page region)
            tmp = str(Path(keep).resolve())
            Path(tmp).mkdir(parents=True, exist_ok=True)
        labels_file = Path(tmp) / "labels.json"
        (Path(tmp) / "regions.c").write_text(CLIENT_REQUESTS)
        lib = f"{tmp}/regions.so"
        subprocess.run(
            ["gcc", "-shared", "-fPIC", "-O1", "-o", lib, f"{tmp}/regions.c"], check=True
        )
        env = {**os.environ, UNDER_CALLGRIND: str(labels_file), UNDER_CALLGRIND + "_LIB": lib,
               "PYTHONHASHSEED": "0"}  # fmt: skip
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out", "-q",
             PY, __file__, "-n", str(n), *names],
            check=True, env=env, cwd=ROOT,
        )  # fmt: skip
        labels = json.loads(labels_file.read_text())
        dumps = sorted(Path(tmp).glob("cg.out.*"), key=lambda p: int(p.suffix[1:]))
        assert len(dumps) == len(labels), (len(dumps), len(labels))
        totals: dict[str, dict[str, int]] = {}
        for (kind, label), dump in zip(labels, dumps, strict=True):
            text = dump.read_text()
            found = re.search(r"^summary: (\d+)", text, re.M)
            totals.setdefault(label, {})[kind] = int(found.group(1))
    print(f"{n} requests, instructions per request (callgrind, millions)")
    print(f"{'page':30} {'page Mi':>8} {'floor Mi':>8} {'ratio':>6}")
    for label, t in totals.items():
        page, floor = t["page"] / n / 1e6, t["floor"] / n / 1e6
        print(f"{label:30} {page:8.1f} {floor:8.1f} {page / floor:6.2f}")


# Where the time goes (issue 17): (label, file, function) whose cumulative time is shown per
# request. Inclusive and overlapping (a query inside the roles look-up counts in both).
PARTS = [
    ("session load", "django/contrib/sessions/backends/db.py", "load"),
    ("user look-up", "django/contrib/auth/__init__.py", "get_user"),
    ("roles look-up", "assistant_portal/accounts/roles.py", "for_user"),
    ("view (with its template)", "django/core/handlers/base.py", "_get_response"),
    ("template rendering", "django/template/backends/django.py", "render"),
    ("query execution (client side)", "django/db/models/sql/compiler.py", "execute_sql"),
    ("model instances from rows", "django/db/models/base.py", "from_db"),
    ("read-log write", "students/services.py", "record_read"),
    ("history context (pghistory)", "pghistory/runtime.py", "_inject_history_context"),
    ("schedule: windows of a pupil", "protocols/schedule.py", "windows_for_pupil"),
    ("schedule: calendar of a year", "protocols/calendar.py", "calendar_of"),
    ("crispy-forms fields", "crispy_forms/templatetags/crispy_forms_filters.py", "as_crispy_field"),
    ("form widgets", "django/forms/boundfield.py", "as_widget"),
    ("URL reversing", "django/urls/base.py", "reverse"),
    ("translations (gettext)", "django/utils/translation/trans_real.py", "gettext"),
    ("date formatting", "django/utils/dateformat.py", "format"),
]


def breakdown(stats: pstats.Stats, n: int) -> str:
    """The PARTS' cumulative time per request, and their share of the profiled total."""
    total = stats.total_tt
    lines = [f"  {'part (inclusive, profiled)':34} {'ms/req':>7} {'share':>6}"]
    for label, file, function in PARTS:
        found = [
            cum for (path, _line, name), (_cc, _nc, _tt, cum, _callers) in stats.stats.items()
            if name == function and path.endswith(file)
        ]  # fmt: skip
        if found:
            cum = sum(found)
            lines.append(f"  {label:34} {cum / n * 1000:7.2f} {cum / total:6.0%}")
    return "\n".join(lines)


def profile(pages, made, n: int, top: int, sort: str) -> None:
    import cProfile

    from bench.keypages import FLOOR, FLOOR_READER

    for _name, label, path, email in [("floor", "the floor", FLOOR, FLOOR_READER), *pages]:
        client = made[email]
        requests(client, path, WARM_UP)
        prof = cProfile.Profile(time.thread_time)  # CPU: the database's wait is not ours
        prof.enable()
        requests(client, path, n)
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        cpu = stats.total_tt / n * 1000
        print(f"\n=== {label} ({path}): {cpu:.1f} ms CPU per request profiled")
        print(breakdown(stats, n))
        if not top:
            continue
        stats.sort_stats(sort).print_stats(top)
        # Paths shortened to the project and the packages, so the lines fit.
        text = re.sub(r"/\S*/site-packages/", "", out.getvalue())
        print(text.replace(str(ROOT) + "/", "").split("ncalls", 1)[-1].join(["ncalls", ""]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="dashboard year edit-k edit-d queue …")
    parser.add_argument("-n", type=int, default=20, help="requests per round")
    parser.add_argument("-r", "--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile, top functions")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats key: cumulative, tottime")
    parser.add_argument("--callgrind", action="store_true", help="instructions (valgrind)")
    parser.add_argument("--keep", metavar="DIR", help="with --callgrind: keep the dumps in DIR")
    parser.add_argument("--build", action="store_true", help="rebuild the demo database")
    args = parser.parse_args()
    if args.build:
        build()
    if args.callgrind:
        return callgrind_parent(args.pages, args.n, args.keep)

    import django

    django.setup()

    from bench.keypages import key_pages

    # No setup_test_environment(): its template instrumentation copies every context rendered.
    pages = [p for p in key_pages() if not args.pages or p[0] in args.pages]
    made = clients(pages)
    if os.environ.get(UNDER_CALLGRIND):
        callgrind_child(pages, made, args.n)
    elif args.profile:
        profile(pages, made, args.n, args.top, args.sort)
    else:
        cpu_table(pages, made, args.n, args.rounds)


if __name__ == "__main__":
    main()
