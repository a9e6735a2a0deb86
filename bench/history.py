"""Bulk writes into history-tracked tables: 10k → 80k pupils inserted in one
transaction, every row recorded by pghistory's trigger, should grow ~8×, not ~64×.

    .venv/bin/python bench/history.py [max_rows]

Uses a database of its own, `bench_history`, created and dropped by the run. Each size is one
`INSERT … SELECT generate_series` of pupils (with their deferred foreign key to the school, as
Django creates it) plus the commit, timed with the project's trigger helpers
(`assistant_portal/history.py`) and — for the two smaller sizes, since the larger ones take
minutes — with the helpers as django-pgtrigger and django-pghistory ship them.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assistant_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

INSERT_PUPILS = """
INSERT INTO students_student (last_name, first_name, patronymic, sort_key, birth_date, grade,
    class_letter, class_sort_key, sen_category, pmpc_number, pmpc_text, joined, created_at,
    updated_at, school_id)
SELECT 'Оқушы' || g, 'Айбек', '', 'k' || g, DATE '2016-01-01', 1 + g %% 11, 'А', '01А', 'speech',
    '', '', DATE '2026-09-01', now(), now(), %s
FROM generate_series(1, %s) g
"""


def shipped_helpers() -> list[str]:
    """The helpers as the libraries install them (each read inside an EXCEPTION block)."""
    from pgtrigger.compiler import UpsertTriggerSql

    template = UpsertTriggerSql.get_template(None)
    ignore = template.split("CREATE OR REPLACE FUNCTION {pgid}")[0]
    return [ignore.format(ignore_func_name='"public"._pgtrigger_should_ignore')]


def install_shipped(cursor):
    from pghistory.models import Context

    for sql in shipped_helpers():
        cursor.execute(sql)
    Context.install_pgh_attach_context_func()


def insert(n: int) -> tuple[float, int]:
    from students.models import School, StudentEvent

    school = School.objects.create(name_kk=f"№ {n} мектеп")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT_PUPILS, [school.pk, n])
    seconds = time.perf_counter() - start
    recorded = StudentEvent.objects.filter(pgh_obj__school=school, pgh_label="insert").count()
    return seconds, recorded


def main():
    from assistant_portal.history import install_linear_history_functions

    largest = int(sys.argv[1]) if len(sys.argv) > 1 else 80_000
    sizes = [n for n in (10_000, 20_000, 40_000, 80_000) if n <= largest]
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = "bench_history"  # never pytest's test DB
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rows = []
        with connection.cursor() as cursor:
            install_shipped(cursor)
        for n in sizes[:2]:
            rows.append(("shipped helpers", n, *insert(n)))
        install_linear_history_functions()
        for n in sizes:
            rows.append(("assistant_portal/history.py", n, *insert(n)))
        print("pupils inserted in one transaction (INSERT … SELECT, commit included)")
        print(f"{'trigger helpers':30}{'rows':>8}{'seconds':>9}{'recorded':>10}")
        for label, n, seconds, recorded in rows:
            print(f"{label:30}{n:8}{seconds:9.2f}{recorded:10}")
            assert recorded == n, "every inserted row has its history event"
        by = {(r[0], r[1]): r[2] for r in rows}
        ours = "assistant_portal/history.py"
        first, last = sizes[0], sizes[-1]
        print(
            f"ratio {last} / {first} rows: {by[(ours, last)] / by[(ours, first)]:.1f}"
            f" (rows × {last // first})"
        )
        if len(sizes) > 1:
            shipped = by[("shipped helpers", sizes[1])] / by[("shipped helpers", first)]
            print(f"shipped helpers, {sizes[1]} / {first} rows: {shipped:.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
