"""The outsider sweep beyond ids: lists, search results and CSV exports
return exactly the pupils in the user's scope, and nothing of the other school.

Beside the cast's three pupils the world holds a pupil of the school nobody is assigned to, a
pupil whose assignment to the cast's assistant has ended and an archived pupil (still assigned):
each list is compared, for every role of the cast, with the set the rule in SPEC §1 gives.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from protocols.models import Protocol
from students.models import ReadWhat, Student
from students.services import record_read

from .factories import AssignmentFactory, StudentFactory

NAMES = {
    "pupil": "Ахметов",
    "other_pupil": "Бекова",
    "foreign_pupil": "Шетелов",
    "unassigned": "Тағайындалмаған",
    "ended": "Аяқталған",
    "archived": "Мұрағаттық",
}
SCHOOL = {"pupil", "other_pupil", "unassigned", "ended"}
# Who sees which pupils (the archived one: nobody).
SCOPE = {
    "assistant": {"pupil"},
    "colleague": {"other_pupil"},
    "specialist": SCHOOL,
    "psychologist": SCHOOL,
    "school_admin": SCHOOL,
    "foreign_specialist": {"foreign_pupil"},
    "foreign_admin": {"foreign_pupil"},
    "foreign_assistant": {"foreign_pupil"},
    "course_admin": set(),
    "listener": set(),
    "parent": {"pupil"},
}
ASSISTANTS = {"assistant", "colleague", "foreign_assistant"}


@pytest.fixture
def world(cast):
    today = timezone.localdate()
    Student.objects.filter(pk=cast.foreign_pupil.pk).update(last_name=NAMES["foreign_pupil"])
    pupils = {
        "pupil": cast.pupil,
        "other_pupil": cast.other_pupil,
        "foreign_pupil": Student.objects.get(pk=cast.foreign_pupil.pk),
        "unassigned": StudentFactory(school=cast.school, last_name=NAMES["unassigned"]),
        "ended": StudentFactory(school=cast.school, last_name=NAMES["ended"]),
        "archived": StudentFactory(
            school=cast.school, last_name=NAMES["archived"], archived_at=timezone.now()
        ),
    }
    AssignmentFactory(
        student=pupils["ended"],
        assistant=cast.assistant,
        start=date(2025, 9, 1),
        end=today - timedelta(days=1),
    )
    AssignmentFactory(student=pupils["archived"], assistant=cast.assistant)
    # Something of every pupil on the assistants' work lists and in the read log.
    authors = {"foreign_pupil": cast.foreign_assistant, "other_pupil": cast.colleague}
    for key, pupil in pupils.items():
        Protocol.objects.create(
            student=pupil,
            year=pupil.school.years.get(),
            annex="A",
            window_key="A:september",
            author=authors.get(key, cast.assistant),
            updated_by=cast.assistant,
        )
        record_read(user=cast.specialist, pupil=pupil, what=ReadWhat.PAGE, target="/x/")
    return pupils


def _keys(world, pupils) -> set[str]:
    by_pk = {p.pk: key for key, p in world.items()}
    return {by_pk[p.pk] for p in pupils}


def _rendered(html: str) -> set[str]:
    return {key for key, name in NAMES.items() if name in html}


@pytest.mark.parametrize("role", SCOPE)
@pytest.mark.parametrize("q", ["", "Айбек"])  # every pupil's first name: search finds them all
def test_pupil_list_and_search_show_exactly_the_scope(client, cast, world, role, q):
    client.force_login(getattr(cast, role))
    r = client.get(reverse("students:list"), {"q": q} if q else {})
    assert r.status_code == 200
    assert _keys(world, r.context["pupils"]) == SCOPE[role]
    assert _rendered(r.text) == SCOPE[role]


@pytest.mark.parametrize("role", SCOPE)
def test_home_page_lists_exactly_the_scope(client, cast, world, role):
    client.force_login(getattr(cast, role))
    r = client.get(reverse("home"))
    assert r.status_code == 200
    assert _keys(world, r.context.get("pupils") or []) == SCOPE[role]
    shown = _rendered(r.text)
    assert shown <= SCOPE[role]  # staff get a link to the list, not the names
    if role in ASSISTANTS | {"parent"}:
        assert shown == SCOPE[role]
    if role in ASSISTANTS:
        board = r.context["board"]
        assert _keys(world, [pupil for pupil, _p in board.drafts]) == SCOPE[role]


@pytest.mark.parametrize("role", SCOPE)
def test_dashboard_lists_exactly_the_assistants_pupils(client, cast, world, role):
    client.force_login(getattr(cast, role))
    r = client.get(reverse("protocols:dashboard"))
    if role not in ASSISTANTS:
        assert r.status_code == 404
        return
    board = r.context["board"]
    items = [i.pupil for i in board.due_this_week + board.overdue]
    items += [pupil for pupil, _p in board.drafts + board.returned]
    assert _keys(world, [pupil for pupil, _p in board.drafts]) == SCOPE[role]
    assert _keys(world, items) == SCOPE[role]
    assert _rendered(r.text) == SCOPE[role]


@pytest.mark.parametrize("role", SCOPE)
def test_read_log_csv_holds_exactly_the_admins_school(client, cast, world, role):
    client.force_login(getattr(cast, role))
    today = timezone.localdate()
    r = client.get(reverse("students:read_log_csv"), {"start": today, "end": today})
    if role not in {"school_admin", "foreign_admin"}:
        assert r.status_code == 404
        return
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
    by_pk = {str(p.pk): key for key, p in world.items()}
    expected = {"school_admin": SCHOOL | {"archived"}, "foreign_admin": {"foreign_pupil"}}[role]
    # the archived pupil was read while at the school: its read log stays the school's record
    assert {by_pk[row[4]] for row in rows} == expected
    assert len(rows) == len(expected)
