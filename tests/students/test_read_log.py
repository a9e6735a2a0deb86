"""Who has read a record: the pupil page showed 20 identical rows without
role or page; the school's log was only a CSV. Reads are logged by opening the pages a person
opens; the pupil page groups them (person, role, page or file, times, last); the school's log is
a page with filters (person, pupil, period), paginated, with constant queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from students.models import ReadLogEntry
from students.services import record_read
from tests.factories import StudentFactory
from tests.protocols.factories import protocol_of


def _read_pupil_page(client, user, pupil, times=1):
    client.force_login(user)
    for _ in range(times):
        assert client.get(reverse("students:pupil", args=[pupil.pk])).status_code == 200


def test_the_pupil_page_groups_reads_with_role_page_and_time(client, cast, settings):
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _read_pupil_page(client, cast.assistant, cast.pupil, times=20)
    protocol = protocol_of(cast)
    client.get(reverse("protocols:edit", args=[protocol.pk]))
    client.get(reverse("protocols:pdf", args=[protocol.pk]))
    _read_pupil_page(client, cast.psychologist, cast.pupil)
    client.force_login(cast.school_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.get(reverse("students:pupil", args=[cast.pupil.pk]))
    groups = r.context["readers"]
    mine = [g for g in groups if g.user_name == cast.assistant.full_name]
    assert [(g.what, g.times) for g in mine] == [("print", 1), ("page", 1), ("page", 20)]
    page = [g for g in mine if g.times == 20][0]
    assert page.roles == "teaching assistant" and page.page.startswith("pupil's record")
    assert page.first <= page.last
    assert "protocol PDF" in mine[0].page and "protocol (" in mine[1].page
    psychologist = [g for g in groups if g.user_name == cast.psychologist.full_name][0]
    assert psychologist.roles == "psychologist"
    html = r.content.decode()
    section = html[html.index('id="h-readers"') :]
    assert section.count(cast.assistant.full_name) == 3  # three lines, not 22
    assert "<td>20 <span" in section


def test_the_school_log_is_a_page_with_filters(client, cast):
    _read_pupil_page(client, cast.assistant, cast.pupil, times=2)
    _read_pupil_page(client, cast.specialist, cast.other_pupil)
    _read_pupil_page(client, cast.foreign_admin, cast.foreign_pupil)
    old = record_read(user=cast.specialist, pupil=cast.pupil, target="/old/")
    ReadLogEntry.objects.filter(target="/old/").update(at=timezone.now() - timedelta(days=90))
    del old
    client.force_login(cast.school_admin)
    url = reverse("students:read_log")

    r = client.get(url)  # this month so far, everyone
    assert r.status_code == 200
    rows = list(r.context["page"])
    assert {e.pupil for e in rows} == {cast.pupil, cast.other_pupil}  # not the other school's
    assert cast.foreign_pupil.full_name not in r.content.decode()

    r = client.get(url, {"person": cast.specialist.pk})
    assert {(e.user, e.pupil) for e in r.context["page"]} == {(cast.specialist, cast.other_pupil)}
    assert "specialist" in r.context["page"][0].roles or r.context["page"][0].roles

    r = client.get(url, {"pupil": cast.pupil.last_name[:4].lower()})
    assert {e.pupil for e in r.context["page"]} == {cast.pupil}

    today = timezone.localdate()
    r = client.get(url, {"start": today - timedelta(days=120), "end": today - timedelta(days=60)})
    assert [e.target for e in r.context["page"]] == ["/old/"]

    r = client.get(reverse("students:read_log_csv"), {"person": cast.assistant.pk})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and {row[4] for row in rows[1:]} == {str(cast.pupil.pk)}


def test_the_school_log_pages_by_fifty(client, cast):
    for _ in range(120):
        record_read(user=cast.assistant, pupil=cast.pupil, target="/p/")
    client.force_login(cast.school_admin)
    r = client.get(reverse("students:read_log"), {"person": cast.assistant.pk, "page": 3})
    assert len(r.context["page"]) == 20 and r.context["page"].paginator.num_pages == 3
    assert f"person={cast.assistant.pk}" in r.context["query"]


@pytest.mark.parametrize("n", [3, 60])
def test_the_school_log_page_has_constant_queries(client, cast, n, django_assert_num_queries):
    pupils = [StudentFactory(school=cast.school) for _ in range(3)]
    for i in range(n):
        record_read(user=[cast.assistant, cast.specialist][i % 2], pupil=pupils[i % 3], target="/")
    client.force_login(cast.school_admin)
    # session, user, roles, the people for the "person" filter, the count, the page's rows
    # (with reader, pupil and the reader's roles at the pupil's school in one query)
    with django_assert_num_queries(6):
        r = client.get(reverse("students:read_log"))
    assert len(r.context["page"]) == min(n, 50)


@pytest.mark.parametrize("n", [1, 25])
def test_the_pupil_page_reads_the_grouped_log_in_one_query(
    client, cast, n, django_assert_num_queries
):
    for i in range(n):
        record_read(user=[cast.assistant, cast.specialist][i % 2], pupil=cast.pupil, target="/")
    client.force_login(cast.school_admin)
    url = reverse("students:pupil", args=[cast.pupil.pk])
    # session, user, roles, pupil (+school), read-log INSERT, guardians, assignments,
    # active consent, readers grouped (+names, +roles), the pupil's due and overdue list
    # (year with holidays, protocols)
    with django_assert_num_queries(11):
        client.get(url)


def test_only_school_admins_open_the_log(client, cast):
    for who in (cast.assistant, cast.specialist, cast.parent, cast.course_admin):
        client.force_login(who)
        assert client.get(reverse("students:read_log")).status_code == 404
