"""Oversight at national scale: 4,000 schools in 10 regions × 10 districts, with a
year of nightly summary rows (48,000 `SchoolMonth` rows written by SQL), and the district
page (40 schools) and region page (400 schools) timed in-process with Django's test client,
queries counted; then the same district with only its own 40 schools in the database.

    .venv/bin/python bench/oversight.py [rounds]

Uses its own database `bench_oversight` (created and dropped by the run).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assistant_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

REGIONS, DISTRICTS, SCHOOLS = 10, 10, 40  # per country, per region, per district


def build(regions: int) -> None:
    """Regions, districts, schools and their summary rows, by SQL (the ORM is too slow)."""
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO students_region (name_kk, name_ru) "
            "SELECT 'облыс ' || r, 'область ' || r FROM generate_series(1, %s) r",
            [regions],
        )
        c.execute(
            "INSERT INTO students_district (region_id, name_kk, name_ru) "
            "SELECT r.id, 'аудан ' || d, 'район ' || d FROM students_region r, "
            "generate_series(1, %s) d",
            [DISTRICTS],
        )
        c.execute(
            "INSERT INTO students_school (name_kk, name_ru, city, district_id, "
            "flag_incidents_per_week, flag_consecutive_weeks, require_admin_2fa) "
            "SELECT '№ ' || s || ' мектеп', '', '', d.id, 3, 2, false "
            "FROM students_district d, generate_series(1, %s) s",
            [SCHOOLS],
        )
        c.execute(
            "INSERT INTO oversight_schoolmonth (school_id, year_start, month, pupils, "
            "assistants, windows, flagged, g_waits, g_returned, certified_assistants, "
            "refreshed_at) "
            "SELECT s.id, 2026, m::date, 20 + s.id %% 30, 4 + s.id %% 5, "
            "jsonb_build_object('A', jsonb_build_array(15, 3, 2), 'D', "
            "jsonb_build_array(60, 8, 12), 'K', jsonb_build_array(55, 5, 20)), "
            "s.id %% 4, ARRAY[3, 5, 8, 13], 1, 2, now() "
            "FROM students_school s, generate_series('2026-09-01'::date, '2027-08-01', "
            "'1 month') m",
            [],  # with parameters, so %% is the modulo operator
        )
        c.execute("ANALYZE")


def viewer(region: bool):
    from assistant_portal.accounts.models import Role, RoleKind, User
    from students.models import District, Region

    user = User.objects.create(email=f"o{region}@bench.kz", full_name="Мониторинг")
    district = District.objects.order_by("pk").first()
    Role.objects.create(
        user=user,
        kind=RoleKind.OVERSIGHT,
        region=Region.objects.get(pk=district.region_id) if region else None,
        district=None if region else district,
    )
    return user, district


def timed(client: Client, url: str, rounds: int) -> tuple[float, int]:
    client.get(url)  # warm
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        r = client.get(url, {"year": 2026})
        times.append(time.perf_counter() - start)
        assert r.status_code == 200, r.status_code
    with CaptureQueriesContext(connection) as q:
        client.get(url, {"year": 2026})
    return statistics.median(times) * 1000, len(q)


def run(regions: int, rounds: int) -> dict:
    from assistant_portal.oversight.models import SchoolMonth

    build(regions)
    out = {"rows": SchoolMonth.objects.count()}
    client = Client()
    user, district = viewer(region=False)
    client.force_login(user)
    out["district"] = timed(client, reverse("oversight:district", args=[district.pk]), rounds)
    boss, district = viewer(region=True)
    client.force_login(boss)
    out["region"] = timed(client, reverse("oversight:region", args=[district.region_id]), rounds)
    return out


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = "bench_oversight"  # never pytest's test DB
    results = {}
    for label, regions in (("national", REGIONS), ("one region", 1)):
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            results[label] = run(regions, rounds)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    for label, r in results.items():
        print(
            f"{label:11} {r['rows']:>7} summary rows | district page (40 schools) "
            f"{r['district'][0]:7.1f} ms, {r['district'][1]} queries | region page "
            f"(400 schools) {r['region'][0]:7.1f} ms, {r['region'][1]} queries"
        )
    big, small = results["national"], results["one region"]
    print(
        f"big/small: district {big['district'][0] / small['district'][0]:.2f}, "
        f"region {big['region'][0] / small['region'][0]:.2f}"
    )


if __name__ == "__main__":
    main()
