"""The oversight pages on a known data set: figures per school and district, small counts
suppressed, numbers linking to breakdowns and never to a pupil, each view in the read log."""

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assistant_portal.accounts.models import RoleKind
from assistant_portal.oversight import services
from assistant_portal.oversight.models import OversightRead, SchoolMonth
from protocols.models import Status
from protocols.review.selectors import school_overview
from tests.factories import (
    AcademicYearFactory,
    AssignmentFactory,
    DistrictFactory,
    SchoolFactory,
    StudentFactory,
    person,
)
from tests.protocols.factories import ProtocolFactory

TODAY = date(2026, 11, 23)
QUERY = {"year": 2026, "period": "year"}


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _school(district, pupils: int):
    school = SchoolFactory(district=district)
    AcademicYearFactory(school=school)
    assistant = person(RoleKind.ASSISTANT, school=school)
    made = []
    for _ in range(pupils):
        pupil = StudentFactory(school=school)
        AssignmentFactory(student=pupil, assistant=assistant, start=date(2026, 9, 1))
        made.append(pupil)
    return school, assistant, made


@pytest.fixture
def world(db):
    district = DistrictFactory()
    big, big_assistant, big_pupils = _school(district, 7)
    small, _a, small_pupils = _school(district, 2)
    # Seven А protocols handed in on time at the big school (A is due on 7 September).
    for pupil in big_pupils:
        ProtocolFactory(
            student=pupil, author=big_assistant, annex="A", window_key="A:september",
            status=Status.SUBMITTED, submitted_at="2026-09-04T10:00:00+05:00",
        )  # fmt: skip
    for school in (big, small):
        services.refresh_school(school=school, today=TODAY)
    viewer = person(RoleKind.OVERSIGHT, district=district)
    return district, big, small, viewer


def test_summary_rows_hold_the_support_teams_own_counts(world):
    _district, big, _small, _viewer = world
    overview = school_overview(big.pk, TODAY)
    rows = SchoolMonth.objects.filter(school=big)
    assert {r.month for r in rows} == {date(2026, m, 1) for m in (9, 10, 11)}
    totals = [0, 0, 0]
    for r in rows:
        for counts in r.windows.values():
            totals = [t + c for t, c in zip(totals, counts, strict=True)]
    expected = [overview.total.on_time, overview.total.late, overview.total.missing]
    assert totals == expected and totals[0] == 7
    sept = rows.get(month=date(2026, 9, 1))
    assert sept.windows["A"] == [7, 0, 0] and sept.pupils == 7 and sept.assistants == 1


def test_district_page_numbers_suppression_and_links(world, client):
    district, big, small, viewer = world
    client.force_login(viewer)
    r = client.get(reverse("oversight:district", args=[district.pk]), QUERY)
    assert r.status_code == 200
    table = r.context["table"]
    rows = {row.label: row.cells for row in table.rows}
    assert rows[str(small)]["pupils"] == "< 5"  # two pupils
    # Beside the total (9), the big school's 7 would give the small school's 2 away.
    assert rows[str(big)]["pupils"] == "< 5" and table.total.cells["pupils"] == "9"
    assert rows[str(big)]["on_time"] == "7"  # the small school has 0: nothing to hide
    assert rows[str(small)]["assistants"] == "< 5"
    html = r.content.decode()
    links = re.findall(r'href="([^"]+)"', html)
    assert any(reverse("oversight:school", args=[big.pk]) in link for link in links)
    assert not [link for link in links if link.startswith(("/pupils/", "/protocols/"))]
    for pupil_name in big.students.values_list("last_name", flat=True):
        assert pupil_name not in html
    read = OversightRead.objects.get(user=viewer)
    assert read.path.startswith(reverse("oversight:district", args=[district.pk]))
    assert [str(big), *rows[str(big)].values()] in read.shown["rows"]


def test_school_breakdown_per_annex(world, client):
    _district, big, _small, viewer = world
    client.force_login(viewer)
    r = client.get(reverse("oversight:school", args=[big.pk]), QUERY)
    annexes = {a.annex: a.cells for a in r.context["annexes"]}
    assert annexes["A"]["on_time"] == "7" and annexes["A"]["late"] == "0"
    assert OversightRead.objects.filter(user=viewer, shown__annexes__isnull=False).exists()


def test_region_page_rolls_districts_up(world, client):
    district, big, small, _viewer = world
    boss = person(RoleKind.OVERSIGHT, region=district.region)
    client.force_login(boss)
    r = client.get(reverse("oversight:home"))
    assert r["Location"] == reverse("oversight:region", args=[district.region_id])
    r = client.get(r["Location"], QUERY)
    (row,) = r.context["table"].rows
    assert row.label == str(district) and row.figures.pupils == 9 and row.figures.on_time == 7
    # The region's user may open the district and its schools too.
    assert client.get(reverse("oversight:district", args=[district.pk])).status_code == 200
    assert client.get(reverse("oversight:school", args=[small.pk])).status_code == 200


def test_export_is_the_page_with_formulas_neutralised(world, client):
    district, big, _small, viewer = world
    big.name_kk = "=HYPERLINK(1)"
    big.save()
    client.force_login(viewer)
    r = client.get(reverse("oversight:district_export", args=[district.pk]), QUERY)
    ws = load_workbook(io.BytesIO(r.content)).active
    names = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names
    assert OversightRead.objects.filter(user=viewer, path__contains="export").count() == 1


def test_a_period_without_data_shows_zeros_and_a_note(world, client):
    district, _big, _small, viewer = world
    client.force_login(viewer)
    r = client.get(reverse("oversight:district", args=[district.pk]), {"year": 2025})
    assert r.status_code == 200 and 'id="no-data"' in r.content.decode()
    assert r.context["table"].total.cells["due"] == "0"


def test_bad_period_falls_back_with_an_error(world, client):
    district, _big, _small, viewer = world
    client.force_login(viewer)
    r = client.get(reverse("oversight:district", args=[district.pk]), {"year": "abc"})
    assert r.status_code == 200 and r.context["form"].errors


def test_oversight_without_an_active_district_is_told_so(world, client):
    district, _big, _small, viewer = world
    district.archived_at = "2026-11-01T00:00:00+05:00"
    district.save()
    client.force_login(viewer)
    r = client.get(reverse("oversight:home"))
    assert r.status_code == 200 and 'id="unbound"' in r.content.decode()


@pytest.mark.parametrize("schools", [2, 6])
def test_district_page_query_count_does_not_grow_with_schools(
    world, client, django_assert_num_queries, schools
):
    district, _big, _small, viewer = world
    for _ in range(schools):
        _school(district, 1)
    client.force_login(viewer)
    # session, user, roles, district (access), schools, summary rows, read-log insert
    with django_assert_num_queries(7):
        client.get(reverse("oversight:district", args=[district.pk]), QUERY)
