"""Access querysets built once per user, roles and day (assistant_portal/reuse.py, DECISIONS
PC10): the statement is kept, never the rows — what changes shows on the very next request."""

import threading
from collections import OrderedDict
from datetime import date, timedelta

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assistant_portal import reuse
from assistant_portal.accounts.models import RoleKind, Speciality, User
from protocols import access as protocol_access
from students import access as pupil_access
from students.services import assignment_assign, role_grant, student_archive
from tests.factories import StudentFactory
from tests.protocols.factories import ProtocolFactory

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch):
    """Each test starts with no built querysets (what other tests left is not theirs)."""
    monkeypatch.setattr(reuse, "_BUILT", OrderedDict())


def fresh(user: User) -> User:
    """The user as the next request loads it (no roles remembered on the object)."""
    return User.objects.get(pk=user.pk)


def reassign(cast, *, start: date) -> None:
    """The school moves the pupil to the colleague from `start`: the assistant's assignment
    ends the day before."""
    assignment_assign(
        student=cast.pupil, assistant=cast.colleague, start=start, by=cast.school_admin
    )


def sql(qs) -> str:
    try:
        return str(qs.query)
    except EmptyResultSet:  # a rule that sees nothing
        return "nothing"


def year_page(client, user: User, pupil) -> int:
    client.force_login(user)
    return client.get(reverse("protocols:pupil_year", args=[pupil.pk])).status_code


def test_kept_statement_is_the_rule_built_afresh(cast):
    people = [cast.assistant, cast.specialist, cast.school_admin, cast.parent, cast.listener]
    for person in people:
        user = fresh(person)
        kept = [pupil_access.pupils_visible_to(user) for _ in range(2)]
        built = pupil_access._pupils_visible_to(user)
        assert sql(kept[0]) == sql(kept[1]) == sql(built), person
        assert list(kept[0]) == list(built)
        assert kept[0] is not kept[1]  # a clone every time: no shared result cache


def test_an_ended_assignment_closes_the_file_on_the_next_request(cast, client):
    assert year_page(client, cast.assistant, cast.pupil) == 200
    reassign(cast, start=TODAY)
    assert year_page(client, cast.assistant, cast.pupil) == 404


def test_a_new_pupil_and_an_archived_one_show_at_once(cast, client):
    user = fresh(cast.assistant)
    before = set(pupil_access.pupils_visible_to(user))
    newcomer = StudentFactory(school=cast.school)
    assignment_assign(student=newcomer, assistant=cast.assistant, start=TODAY, by=cast.school_admin)
    assert set(pupil_access.pupils_visible_to(fresh(cast.assistant))) == before | {newcomer}
    student_archive(student=cast.pupil)
    assert year_page(client, cast.assistant, cast.pupil) == 404


def test_a_granted_role_is_a_new_statement(cast, client):
    assert year_page(client, cast.assistant, cast.foreign_pupil) == 404
    role_grant(
        user=cast.assistant,
        kind=RoleKind.SPECIALIST,
        school=cast.other_school,
        speciality=Speciality.PSYCHOLOGIST,
    )
    assert year_page(client, cast.assistant, cast.foreign_pupil) == 200
    assert year_page(client, cast.assistant, cast.pupil) == 200  # and still their own


def test_the_next_day_is_a_new_statement(cast, monkeypatch):
    user = fresh(cast.assistant)
    reassign(cast, start=TODAY + timedelta(days=1))
    assert cast.pupil in pupil_access.pupils_visible_to(user)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY + timedelta(days=1))
    assert cast.pupil not in pupil_access.pupils_visible_to(fresh(cast.assistant))


def test_a_protocol_of_a_pupil_no_longer_assigned_is_404(cast):
    protocol = ProtocolFactory(student=cast.pupil, author=cast.assistant, annex="A")
    user = fresh(cast.assistant)
    assert protocol_access.get_protocol_for_user(user, protocol.pk) == protocol
    reassign(cast, start=TODAY)
    with pytest.raises(Exception) as caught:
        protocol_access.get_protocol_for_user(fresh(cast.assistant), protocol.pk)
    assert caught.typename == "Http404"


def test_the_rule_is_built_once_per_user_roles_and_day(cast, monkeypatch):
    built = []
    real = pupil_access.visible_pupil_ids
    monkeypatch.setattr(pupil_access, "visible_pupil_ids", lambda u: built.append(u.pk) or real(u))
    for _ in range(3):
        list(pupil_access.pupils_visible_to(fresh(cast.specialist)))
    assert built == [cast.specialist.pk]
    list(pupil_access.pupils_visible_to(fresh(cast.school_admin)))  # another user
    role_grant(user=cast.specialist, kind=RoleKind.PARENT, school=cast.school)  # other roles
    list(pupil_access.pupils_visible_to(fresh(cast.specialist)))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY + timedelta(days=1))
    list(pupil_access.pupils_visible_to(fresh(cast.specialist)))  # another day
    assert built == [
        cast.specialist.pk,
        cast.school_admin.pk,
        cast.specialist.pk,
        cast.specialist.pk,
    ]


def test_the_least_recently_used_are_let_go(cast, monkeypatch):
    monkeypatch.setattr(reuse, "_BUILT_MAX", 2)
    built = []
    real = pupil_access.visible_pupil_ids
    monkeypatch.setattr(pupil_access, "visible_pupil_ids", lambda u: built.append(u.pk) or real(u))
    first, second, third = cast.specialist, cast.school_admin, cast.psychologist
    for user in (first, second, first, third, first, second):
        pupil_access.pupils_visible_to(fresh(user))
    # `first` was used again before `third` came, so `second` was the one let go.
    assert built == [first.pk, second.pk, third.pk, second.pk]


@pytest.mark.django_db(transaction=True)
def test_threads_share_a_kept_statement_and_each_gets_its_own_rows(cast):
    """Several threads (each its own connection) clone and compile one kept statement at once:
    every one gets the same statement and the right pupils."""
    people = [cast.assistant, cast.colleague, cast.specialist, cast.parent]
    expected = {
        p.pk: sorted(s.pk for s in pupil_access._pupils_visible_to(fresh(p))) for p in people
    }
    start = threading.Barrier(8, timeout=20)
    seen: list[tuple[int, list[int], str]] = []
    failures: list[BaseException] = []

    def read(person) -> None:
        try:
            start.wait()
            for _ in range(25):
                qs = pupil_access.pupils_visible_to(fresh(person))
                seen.append((person.pk, sorted(s.pk for s in qs), sql(qs)))
        except BaseException as e:  # reported below: a thread's exception is otherwise lost
            failures.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(people[i % 4],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures and len(seen) == 8 * 25
    for pk, pupils, _statement in seen:
        assert pupils == expected[pk]
    assert len({(pk, statement) for pk, _p, statement in seen}) == 4  # one statement each
