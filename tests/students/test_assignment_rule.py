"""Who was assigned to a pupil on a day (SPEC §3 "Who is responsible"): the one rule, in its two
spellings (`Assignment.objects.on` / `.during` for the database, `assignee_on` / `held` for rows
already read), at its edges: the day of a reassignment, a leaver's last day, an open end."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from students.access import pupils_visible_to
from students.models import Assignment, assignee_on, assignees_on, held
from students.selectors import current_assignments
from students.services import assignment_assign, student_archive

SEPTEMBER_1 = date(2026, 9, 1)  # the cast's assignments start here (tests/factories.py)
OCTOBER_1 = date(2026, 10, 1)


def _in_the_database(pupil, day):
    """The assistant assigned on `day` as the database reads it (None: nobody)."""
    ids = list(Assignment.objects.on(day).filter(student=pupil).values_list("assistant_id"))
    assert len(ids) <= 1, ids  # never two assistants on one day
    return ids[0][0] if ids else None


def _in_python(pupil, day):
    """The same from the pupil's history read once, as the overview and the digest do."""
    history = [(a.assistant_id, a.start, a.end) for a in Assignment.objects.filter(student=pupil)]
    return assignee_on(history, day)


def _both(pupil, day):
    in_the_database, in_python = _in_the_database(pupil, day), _in_python(pupil, day)
    assert in_the_database == in_python, day
    return in_the_database


def _days(first: date, last: date):
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_on_the_day_of_a_reassignment_the_new_assistant_is_assigned(cast):
    assignment_assign(
        student=cast.pupil, assistant=cast.colleague, start=OCTOBER_1, by=cast.school_admin
    )
    assert _both(cast.pupil, OCTOBER_1 - timedelta(days=1)) == cast.assistant.pk
    assert _both(cast.pupil, OCTOBER_1) == cast.colleague.pk
    for day in _days(date(2026, 8, 30), date(2026, 10, 3)):
        expected = None if day < SEPTEMBER_1 else cast.assistant.pk
        expected = cast.colleague.pk if day >= OCTOBER_1 else expected
        assert _both(cast.pupil, day) == expected, day
    # The readers built on it follow: today's assignments, and who sees the pupil.
    assert list(
        current_assignments(on=OCTOBER_1).filter(student=cast.pupil).values_list("assistant_id")
    ) == [(cast.colleague.pk,)]


@pytest.mark.parametrize(
    ("today", "sees"), [(date(2026, 9, 30), "assistant"), (OCTOBER_1, "colleague")]
)
def test_access_changes_hands_on_the_reassignment_day(cast, monkeypatch, today, sees):
    assignment_assign(
        student=cast.pupil, assistant=cast.colleague, start=OCTOBER_1, by=cast.school_admin
    )
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    for who in ("assistant", "colleague"):
        visible = pupils_visible_to(getattr(cast, who)).filter(pk=cast.pupil.pk).exists()
        assert visible == (who == sees), (today, who)


def test_a_leaver_is_assigned_through_the_day_they_leave_and_nobody_after(cast, monkeypatch):
    left = date(2026, 11, 20)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: left)
    student_archive(student=cast.pupil)
    assert _both(cast.pupil, left) == cast.assistant.pk
    assert _both(cast.pupil, left + timedelta(days=1)) is None
    assert not current_assignments(on=left + timedelta(days=1)).filter(student=cast.pupil)


def test_an_open_assignment_holds_from_its_first_day_on(cast):
    assert _both(cast.pupil, SEPTEMBER_1 - timedelta(days=1)) is None
    assert _both(cast.pupil, SEPTEMBER_1) == cast.assistant.pk
    assert _both(cast.pupil, date(2031, 5, 25)) == cast.assistant.pk


def test_assignments_during_a_span_are_those_holding_on_any_of_its_days(cast):
    """A month's staffing (oversight): both assistants of a month with a reassignment, not an
    assignment that ended the day before the month began."""
    assignment_assign(
        student=cast.pupil, assistant=cast.colleague, start=OCTOBER_1, by=cast.school_admin
    )
    rows = list(Assignment.objects.filter(student=cast.pupil))
    for first, last, expected in [
        (date(2026, 9, 1), date(2026, 9, 30), {cast.assistant.pk}),
        (date(2026, 9, 15), date(2026, 10, 14), {cast.assistant.pk, cast.colleague.pk}),
        (OCTOBER_1, date(2026, 10, 31), {cast.colleague.pk}),
        (date(2026, 8, 1), date(2026, 8, 31), set()),
    ]:
        in_the_database = set(
            Assignment.objects.during(first, last)
            .filter(student=cast.pupil)
            .values_list("assistant_id", flat=True)
        )
        in_python = {r.assistant_id for r in rows if held(r.start, r.end, first, last)}
        assert in_the_database == in_python == expected, (first, last)


def test_assignees_on_many_days_agrees_with_assignee_on_day_by_day():
    """The overview's spelling (once per row over a pupil's due days) against the rule day by
    day, on histories the database should never hold too: overlapping rows, a row ending
    before it starts, two rows on one day."""
    rng = random.Random(17)
    start = date(2026, 8, 25)
    for _ in range(500):
        history = []
        for who in range(rng.randint(0, 4)):
            first = start + timedelta(days=rng.randint(0, 60))
            end = None if rng.random() < 0.4 else first + timedelta(days=rng.randint(-3, 40))
            history.append((who, first, end))
        days = sorted(
            {start + timedelta(days=rng.randint(0, 90)) for _ in range(rng.randint(0, 30))}
        )
        assert assignees_on(history, days) == [assignee_on(history, d) for d in days], history
    # an overlap: the first row wins, as in assignee_on
    overlapping = [("a", SEPTEMBER_1, None), ("b", SEPTEMBER_1, OCTOBER_1)]
    assert assignees_on(overlapping, [SEPTEMBER_1, OCTOBER_1]) == ["a", "a"]
    assert assignees_on(iter(overlapping[::-1]), [date(2026, 8, 31), OCTOBER_1]) == [None, "b"]
