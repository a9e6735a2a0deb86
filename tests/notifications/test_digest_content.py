"""What goes into a digest (SPEC §3 "Reminders", "Who is responsible"), calendar edge cases."""

from datetime import UTC, date, datetime

from assistant_portal.notifications.digest import WeekRange, build_digests
from protocols.digest import assistant_sections, lateness_sections, review_sections
from students.models import Assignment, Holiday
from tests.factories import AssignmentFactory, StudentFactory

from .conftest import SEPT_14, protocol


def _lines(section):
    """{group title: [(text, due)]} with the lazy texts rendered."""
    return {str(title): [(str(i.text), i.due) for i in items] for title, items in section.groups}


def test_assistant_gets_due_and_overdue_per_pupil(cast):
    digest = assistant_sections([cast.assistant], WeekRange.of(SEPT_14))
    [section] = digest[cast.assistant.pk]
    assert section.title == f"{cast.pupil.full_name}, 3 Ә"
    lines = _lines(section)
    due, overdue = lines["Due this week"], lines["Overdue"]
    assert ("Г · Conclusion (September)", date(2026, 9, 14)) in due
    assert ("Е · Session plan", date(2026, 9, 14)) in due
    assert ("Д · Behaviour log", date(2026, 9, 18)) in due
    assert ("К · Communication sheet", date(2026, 9, 18)) in due
    assert ("А · Parent interview (September)", date(2026, 9, 7)) in overdue
    assert all(d < SEPT_14 for _t, d in overdue)
    assert all(SEPT_14 <= d <= date(2026, 9, 20) for _t, d in due)
    # straight to the form of that window
    assert section.groups[0][1][0].url.startswith(f"/protocols/pupils/{cast.pupil.pk}/")


def test_submitted_protocols_are_not_listed_but_drafts_are(cast):
    protocol(cast.pupil, "A", "A:september", status="submitted")
    protocol(cast.pupil, "B", "B:september", status="draft")
    [section] = assistant_sections([cast.assistant], WeekRange.of(SEPT_14))[cast.assistant.pk]
    overdue = [t for t, _d in _lines(section)["Overdue"]]
    assert "А · Parent interview (September)" not in overdue
    assert "Б · Free activity (September)" in overdue


def test_holiday_week_gives_nothing_to_anyone_of_the_school(cast):
    year = cast.school.years.get()
    Holiday.objects.create(year=year, name="Күзгі", start=date(2026, 10, 26), end=date(2026, 11, 1))
    protocol(cast.pupil, "G", "G:september", status="submitted")  # a conclusion waits, too
    week = WeekRange.of(date(2026, 10, 26))
    everyone = [cast.assistant, cast.colleague, cast.specialist, cast.school_admin]
    assert build_digests(everyone, week) == {}
    # the week after the break is a school week again
    after = build_digests(everyone, WeekRange.of(date(2026, 11, 2)))
    assert set(after) == {u.pk for u in everyone}


def test_grade_holiday_silences_only_pupils_of_that_grade(cast):
    year = cast.school.years.get()
    Holiday.objects.create(
        year=year, name="1-сынып", start=date(2027, 2, 8), end=date(2027, 2, 14), grades=[1]
    )
    first_grader = StudentFactory(school=cast.school, grade=1)
    AssignmentFactory(student=first_grader, assistant=cast.assistant)
    sections = assistant_sections([cast.assistant], WeekRange.of(date(2027, 2, 8)))
    assert [s.title for s in sections[cast.assistant.pk]] == [f"{cast.pupil.full_name}, 3 Ә"]


def test_mid_year_joiner_first_week(cast):
    # Joins on Wednesday 4 November: their Е is due that day, Д and К on Friday; А/Б/В run
    # over their first five school days, so they are due next week; nothing is overdue.
    joiner = StudentFactory(school=cast.school, joined=date(2026, 11, 4))
    AssignmentFactory(student=joiner, assistant=cast.colleague, start=date(2026, 11, 2))
    sections = assistant_sections([cast.colleague], WeekRange.of(date(2026, 11, 2)))
    [section] = [s for s in sections[cast.colleague.pk] if joiner.full_name in s.title]
    lines = _lines(section)
    assert lines["Overdue"] == []
    assert sorted(lines["Due this week"], key=lambda x: (x[1], x[0])) == [
        ("Е · Session plan", date(2026, 11, 4)),
        ("Д · Behaviour log", date(2026, 11, 6)),
        ("К · Communication sheet", date(2026, 11, 6)),
    ]
    later = assistant_sections([cast.colleague], WeekRange.of(date(2026, 11, 9)))
    [section] = [s for s in later[cast.colleague.pk] if joiner.full_name in s.title]
    assert ("А · Parent interview (September)", date(2026, 11, 10)) in _lines(section)[
        "Due this week"
    ]


def test_pupil_who_left_has_no_windows_after_leaving(cast):
    cast.pupil.left = date(2026, 9, 16)  # Wednesday: this week's Д and К are due on Friday
    cast.pupil.save(update_fields=["left"])
    [section] = assistant_sections([cast.assistant], WeekRange.of(SEPT_14))[cast.assistant.pk]
    due = [t for t, _d in _lines(section)["Due this week"]]
    assert "Е · Session plan" in due and "Г · Conclusion (September)" in due
    assert "Д · Behaviour log" not in due and "К · Communication sheet" not in due
    # The next week: nothing new, but what was due while the pupil attended stays overdue.
    [section] = assistant_sections([cast.assistant], WeekRange.of(date(2026, 9, 21)))[
        cast.assistant.pk
    ]
    lines = _lines(section)
    assert lines["Due this week"] == []
    # 11 overdue: the ten latest are listed, the rest summed up in a last line.
    assert len(lines["Overdue"]) == 11 and lines["Overdue"][-1] == ("… and 1 more", None)
    assert all(d <= date(2026, 9, 16) for _t, d in lines["Overdue"][:-1])


def test_reassigned_pupil_goes_to_the_current_assistant_only(cast):
    Assignment.objects.filter(student=cast.pupil).update(end=date(2026, 9, 9))
    AssignmentFactory(student=cast.pupil, assistant=cast.colleague, start=date(2026, 9, 10))
    digest = assistant_sections([cast.assistant, cast.colleague], WeekRange.of(SEPT_14))
    assert cast.assistant.pk not in digest
    titles = [s.title for s in digest[cast.colleague.pk]]
    assert any(cast.pupil.full_name in t for t in titles)


def test_support_team_gets_conclusions_waiting_for_review_oldest_first(cast):
    first = protocol(cast.pupil, "G", "G:september", status="under_review")
    protocol(cast.other_pupil, "G", "G:september", status="submitted")
    protocol(cast.foreign_pupil, "G", "G:september", status="submitted")
    protocol(cast.pupil, "G", "G:half_year", status="approved")  # decided: not listed
    first.submitted_at = datetime(2026, 9, 1, tzinfo=UTC)
    first.save(update_fields=["submitted_at"])
    digest = review_sections(
        [cast.specialist, cast.psychologist, cast.foreign_specialist, cast.assistant],
        WeekRange.of(SEPT_14),
    )
    assert cast.assistant.pk not in digest
    [section] = digest[cast.specialist.pk]
    texts = [str(i.text) for i in section.groups[0][1]]
    assert texts[0] == f"{cast.pupil.full_name}, 3 Ә: Г · Conclusion (September)"
    assert len(texts) == 2  # the other school's conclusion is not theirs
    assert len(digest[cast.foreign_specialist.pk][0].groups[0][1]) == 1


def test_lateness_counts_against_the_assistant_assigned_on_the_due_date(cast):
    # Reassigned on 10 September: what fell due before goes to the first assistant.
    Assignment.objects.filter(student=cast.pupil).update(end=date(2026, 9, 9))
    AssignmentFactory(student=cast.pupil, assistant=cast.colleague, start=date(2026, 9, 10))
    digest = lateness_sections([cast.school_admin, cast.assistant], WeekRange.of(SEPT_14))
    assert cast.assistant.pk not in digest
    [section] = digest[cast.school_admin.pk]
    lines = [str(i.text) for i in section.groups[0][1]]
    # pupil: А Б В (7 Sep), Е (1, 7 Sep), Д К (4 Sep) -> Асель; Д К (11 Sep) -> colleague.
    # other_pupil (colleague all along): А Б В, Е, Е, Д, К, Д, К = 9.
    assert f"{cast.assistant.full_name}: 7 overdue protocols" in lines
    assert f"{cast.colleague.full_name}: 11 overdue protocols" in lines


def test_next_steps_due_go_to_the_responsible_person(cast):
    from protocols.digest import next_step_sections
    from tests.protocols.review_factories import next_step_of

    step = next_step_of(cast)  # due 1 October 2026, the assistant is responsible
    done = next_step_of(cast).__class__.objects.create(
        item=step.item,
        text="Бітті",
        responsible=cast.assistant,
        due=date(2026, 9, 30),
        done_at=datetime(2026, 9, 29, tzinfo=UTC),
    )
    later = WeekRange.of(date(2026, 9, 21))  # the week before it is due: nothing yet
    assert next_step_sections([cast.assistant, cast.specialist], later) == {}
    week = WeekRange.of(date(2026, 9, 28))
    result = next_step_sections([cast.assistant, cast.specialist], week)
    assert set(result) == {cast.assistant.pk}  # the specialist is not responsible for it
    [section] = result[cast.assistant.pk]
    [item] = section.groups[0][1]
    assert str(item.text) == f"{cast.pupil.full_name}, 3 Ә: Көрнекі кесте жасау"
    assert (item.due, item.kind) == (date(2026, 10, 1), "due")
    assert done.text not in str(item.text)
    # a week later it is overdue, still listed until marked done
    [section] = next_step_sections([cast.assistant], WeekRange.of(date(2026, 10, 5)))[
        cast.assistant.pk
    ]
    assert section.groups[0][1][0].kind == "overdue"


def test_next_steps_wait_in_a_holiday_week(cast):
    from protocols.digest import next_step_sections
    from tests.protocols.review_factories import next_step_of

    next_step_of(cast)
    year = cast.school.years.get()
    Holiday.objects.create(
        year=year, name="Күзгі каникул", start=date(2026, 10, 26), end=date(2026, 11, 1)
    )
    assert next_step_sections([cast.assistant], WeekRange.of(date(2026, 10, 26))) == {}
