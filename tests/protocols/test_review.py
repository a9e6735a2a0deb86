"""The support team's review: queue, decisions with comments per section, stale
decisions, rounds with several specialists, meetings and next steps, minutes PDF, flagged
pupils, the school overview and the team's dossier, with their query counts."""

import re
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from protocols import services
from protocols.models import (
    DossierJob,
    Meeting,
    NextStep,
    Protocol,
    ReviewComment,
    ReviewDecision,
    Status,
)
from protocols.review import services as review_services
from protocols.review.selectors import school_overview
from students.models import Assignment, ReadLogEntry
from tests.factories import AssignmentFactory, StudentFactory

from .factories import ProtocolFactory
from .filling import behaviour_week, fill_annex, incident
from .review_factories import (
    CONCLUSION,
    meeting_of,
    next_step_of,
    returned,
    submitted_conclusion,
)

TODAY = date(2026, 11, 25)  # a Wednesday of the I half-year
EARLIEST_TODAY = date(2026, 11, 23)  # the forms' today (tests/protocols/conftest.py)
ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


def at(day: date, hour=12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ALMATY)


def decide(client, p, action, revision=None, **comments):
    data = {"revision": p.revision if revision is None else revision, "action": action}
    data.update({f"comment_{k or 'general'}": v for k, v in comments.items()})
    return client.post(reverse("protocols:decide", args=[p.pk]), data)


# --- The queue ----------------------------------------------------------------------------


def test_queue_oldest_first_and_filters(cast, client):
    third = StudentFactory(school=cast.school, grade=5, class_letter="А")
    AssignmentFactory(student=third, assistant=cast.colleague)
    old = submitted_conclusion(cast, submitted_at=at(date(2026, 9, 14)))
    new = submitted_conclusion(
        cast, pupil=cast.other_pupil, author=cast.colleague, submitted_at=at(date(2026, 9, 15))
    )
    half = submitted_conclusion(
        cast,
        pupil=third,
        author=cast.colleague,
        period="half_year",
        submitted_at=at(date(2026, 9, 10)),
    )
    approved = submitted_conclusion(cast, period="half_year", status=Status.APPROVED)
    client.force_login(cast.specialist)
    url = reverse("protocols:review_queue")

    def rows(**params):
        return [p.pk for p in client.get(url, params).context["queue"].rows]

    assert rows() == [half.pk, old.pk, new.pk]  # oldest hand-in first; approved not pending
    assert rows(**{"class": "5 А"}) == [half.pk]
    assert rows(assistant=cast.colleague.pk) == [half.pk, new.pk]
    assert rows(period="september") == [old.pk, new.pk]
    assert rows(state="approved") == [approved.pk]
    page = client.get(url).content.decode()
    assert reverse("protocols:review", args=[old.pk]) in page
    assert "5 А" in page and cast.colleague.full_name in page  # filter choices


def test_outsiders_get_404_on_the_pages_without_ids(cast, client):
    names = ["review_queue", "meetings", "meeting_new", "overview", "flagged"]
    for who in ("assistant", "colleague", "parent", "listener", "course_admin"):
        client.force_login(getattr(cast, who))
        for name in names:
            assert client.get(reverse(f"protocols:{name}")).status_code == 404, (who, name)
    client.force_login(cast.school_admin)  # the admin: overview and meetings, not the queue
    assert client.get(reverse("protocols:overview")).status_code == 200
    assert client.get(reverse("protocols:meetings")).status_code == 200
    assert client.get(reverse("protocols:review_queue")).status_code == 404
    # Another school's specialist sees only their own school; asking for ours is a 404.
    client.force_login(cast.foreign_specialist)
    submitted_conclusion(cast)
    assert list(client.get(reverse("protocols:review_queue")).context["queue"].rows) == []
    r = client.get(reverse("protocols:overview"), {"school": cast.school.pk})
    assert r.status_code == 404


# --- Deciding -----------------------------------------------------------------------------


def test_review_page_shows_the_evidence_and_logs_the_read(cast, client):
    p = submitted_conclusion(cast)
    goal = {
        "area": "self_care",
        "goal": "Өз бетінше киіну",
        "tasks": "x",
        "methods": "x",
        "responsible": "ассистент",
        "timeline": "желтоқсан",
        "expected": "Күрте киеді",
    }
    fill_annex(cast.pupil, "ZH", {"goals": [goal]}, cast.assistant, window_key="ZH:programme_1")
    client.force_login(cast.specialist)
    r = client.get(reverse("protocols:review", args=[p.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    assert CONCLUSION["goals"] in html and "Өз бетінше киіну" in html and "Күрте киеді" in html
    assert ReadLogEntry.objects.filter(user=cast.specialist, pupil=cast.pupil).count() == 1


def test_return_with_comments_then_resubmission_then_approval(cast, client):
    p = submitted_conclusion(cast)
    client.force_login(cast.specialist)
    r = decide(client, p, "returned", goals="Мақсаттарды нақтылаңыз.", **{"": "Жалпы ескерту."})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == Status.RETURNED and p.reviewed_by == cast.specialist
    assert set(p.comments.values_list("section", "round")) == {("goals", 1), ("", 1)}
    decision = ReviewDecision.objects.get(protocol=p)
    assert (decision.round, decision.outcome) == (1, "returned")
    assert decision.decided_by == cast.specialist
    # The assistant sees the comments in place and resubmits.
    client.force_login(cast.assistant)
    edit = client.get(reverse("protocols:edit", args=[p.pk])).content.decode()
    assert "Мақсаттарды нақтылаңыз." in edit
    p = services.protocol_submit(
        protocol=p,
        by=cast.assistant,
        data={**CONCLUSION, "goals": "Нақты мақсат."},
        filled_on=date(2026, 11, 20),
        seen_revision=p.revision,
    )
    client.force_login(cast.psychologist)
    r = decide(client, p, "approved")
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == Status.APPROVED and p.reviewed_by == cast.psychologist
    assert list(p.decisions.values_list("round", "outcome")) == [(1, "returned"), (2, "approved")]
    # The thread keeps both rounds, attributed and time-stamped.
    thread = client.get(reverse("protocols:review", args=[p.pk])).context["thread"]
    assert [r["decision"].decided_by for r in thread.rounds] == [cast.specialist, cast.psychologist]
    assert all(r["decision"].decided_at for r in thread.rounds)


def test_return_needs_a_comment(cast, client):
    p = submitted_conclusion(cast)
    client.force_login(cast.specialist)
    r = decide(client, p, "returned")
    assert r.status_code == 400 and "Write at least one comment." in r.content.decode()
    assert Protocol.objects.get(pk=p.pk).status == Status.SUBMITTED


def test_a_decision_on_a_changed_conclusion_is_refused(cast, client):
    p = submitted_conclusion(cast)
    seen = p.revision
    # The assistant changes the submitted conclusion after the reviewer opened it.
    services.protocol_save(
        protocol=p,
        by=cast.assistant,
        data={**CONCLUSION, "goals": "Жаңа мақсат."},
        filled_on=date(2026, 11, 20),
        seen_revision=seen,
    )
    client.force_login(cast.specialist)
    r = decide(client, p, "approved", revision=seen)
    assert r.status_code == 409
    html = r.content.decode()
    assert "This conclusion changed since you opened it." in html
    assert "Жаңа мақсат." in html  # the current version is shown
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED and not p.decisions.exists()
    assert decide(client, p, "approved").status_code == 302  # on the version now seen


def test_an_assistant_never_decides_on_their_own_conclusion(cast, client):
    own = submitted_conclusion(cast, author=cast.specialist)
    client.force_login(cast.specialist)
    assert client.get(reverse("protocols:review", args=[own.pk])).status_code == 404
    assert decide(client, own, "approved").status_code == 404
    with pytest.raises(review_services.ValidationError):
        review_services.review_decide(
            protocol=own, by=cast.specialist, outcome="approved", seen_revision=own.revision
        )
    assert Protocol.objects.get(pk=own.pk).status == Status.SUBMITTED


def test_several_specialists_comment_and_one_decision_closes_the_round(cast, client):
    p = submitted_conclusion(cast)
    client.force_login(cast.specialist)
    assert decide(client, p, "comment", strengths="Толықтырыңыз.").status_code == 302
    p.refresh_from_db()
    assert p.status == Status.UNDER_REVIEW
    client.force_login(cast.psychologist)
    page = client.get(reverse("protocols:review", args=[p.pk]))
    assert [c.text for c in page.context["thread"].open_comments] == ["Толықтырыңыз."]
    assert decide(client, p, "returned", goals="Нақтылаңыз.").status_code == 302
    p.refresh_from_db()
    assert p.status == Status.RETURNED
    comments = list(ReviewComment.objects.filter(protocol=p).values_list("author", "round"))
    assert sorted(comments) == sorted([(cast.specialist.pk, 1), (cast.psychologist.pk, 1)])
    assert p.decisions.get().decided_by == cast.psychologist
    # A second decision on the closed round is refused: the conclusion is not waiting.
    client.force_login(cast.specialist)
    r = decide(client, p, "approved")
    assert r.status_code == 400 and p.decisions.count() == 1


# --- Meetings and next steps ----------------------------------------------------------------


def test_meeting_with_items_and_next_steps_on_the_responsible_home(cast, client):
    p = submitted_conclusion(cast)
    client.force_login(cast.specialist)
    r = client.post(
        reverse("protocols:meeting_new"),
        {"held_on": "2026-11-24", "attendees": [cast.specialist.pk, cast.psychologist.pk]},
    )
    meeting = Meeting.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("protocols:meeting", args=[meeting.pk])
    bad = client.post(
        reverse("protocols:meeting", args=[meeting.pk]),
        {"pupil": cast.pupil.pk, "decision": "Логопедпен сабақ", "step_text": "Кесте жасау"},
    )
    assert bad.status_code == 400  # a next step needs a responsible person and a due date
    assert "Логопедпен сабақ" in bad.content.decode()  # what was typed is kept
    r = client.post(
        reverse("protocols:meeting", args=[meeting.pk]),
        {
            "pupil": cast.pupil.pk,
            "conclusion": p.pk,
            "decision": "Логопедпен сабақ",
            "step_text": "Кесте жасау",
            "responsible": cast.assistant.pk,
            "due": "2026-12-01",
        },
    )
    assert r.status_code == 302
    step = NextStep.objects.get()
    assert step.responsible == cast.assistant and step.item.conclusion == p
    client.force_login(cast.assistant)
    home = client.get(reverse("home")).content.decode()
    assert "Кесте жасау" in home
    assert client.post(reverse("protocols:next_step_done", args=[step.pk])).status_code == 302
    step.refresh_from_db()
    assert step.done_at and step.done_by == cast.assistant
    assert "Кесте жасау" not in client.get(reverse("home")).content.decode()


def test_a_meeting_refuses_a_pupil_of_another_school(cast, client):
    meeting = meeting_of(cast)
    client.force_login(cast.specialist)
    r = client.post(
        reverse("protocols:meeting", args=[meeting.pk]),
        {"pupil": cast.foreign_pupil.pk, "decision": "x"},
    )
    assert r.status_code == 400 and not meeting.items.exists()


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603  our own file
        ["/usr/bin/pdftotext", str(path), "-"],  # reading order: table cells stay whole
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "title"),
    [("kk", "ППҚ отырысының хаттамасы"), ("ru", "Протокол заседания службы ППМС")],
)
def test_minutes_pdf_in_kazakh_and_russian(cast, client, tmp_path, lang, title):
    step = next_step_of(cast)
    p = submitted_conclusion(cast, pupil=cast.other_pupil, author=cast.colleague)
    review_services.review_decide(
        protocol=p,
        by=cast.specialist,
        outcome="approved",
        seen_revision=p.revision,
        text="Бірауыздан.",
        meeting=step.item.meeting,
    )
    client.force_login(cast.psychologist)
    r = client.get(reverse("protocols:meeting_pdf", args=[step.item.meeting.pk]), {"lang": lang})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(r.content, tmp_path).split())
    assert title in text
    assert cast.pupil.full_name in text and "Көрнекі кесте жасау" in text
    assert cast.assistant.full_name in text and cast.specialist.full_name in text
    assert cast.other_pupil.full_name in text and "Бірауыздан." in text  # decided there
    logged = ReadLogEntry.objects.get(user=cast.psychologist, pupil=cast.pupil)
    assert logged.what == "print" and logged.target.endswith(f"-{lang}.pdf")


# --- Flagged pupils, the overview, the dossier ----------------------------------------------


def _d_week(cast, pupil, monday: date, n: int):
    """Д of one week filled through its form (the flag read a key the
    form never saves, so this list stayed empty on real protocols)."""
    author = Assignment.objects.get(student=pupil, end__isnull=True).assistant
    behaviour_week(
        pupil,
        author,
        monday,
        [incident(min(monday + timedelta(days=i % 5), EARLIEST_TODAY)) for i in range(n)],
    )


def test_psychologist_sees_pupils_flagged_by_repeated_incidents(cast, client):
    _d_week(cast, cast.pupil, date(2026, 11, 9), 3)
    _d_week(cast, cast.pupil, date(2026, 11, 16), 4)
    _d_week(cast, cast.other_pupil, date(2026, 11, 16), 5)  # one week only: not flagged
    waiting = services.correction_open(
        student=cast.other_pupil, year=cast.school.years.get(), by=cast.colleague
    )
    Protocol.objects.filter(pk=waiting.pk).update(status=Status.SUBMITTED)
    client.force_login(cast.psychologist)
    r = client.get(reverse("protocols:flagged"))
    assert [py.pupil for py in r.context["flagged"]] == [cast.pupil]
    assert [p.pk for p in r.context["waiting"]] == [waiting.pk]
    assert reverse("protocols:flagged") in client.get(reverse("home")).content.decode()


def test_the_flagged_list_is_read_a_page_at_a_time(cast, client, monkeypatch):
    from protocols.review import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    for pupil in (cast.pupil, cast.other_pupil):
        _d_week(cast, pupil, date(2026, 11, 9), 3)
        _d_week(cast, pupil, date(2026, 11, 16), 3)
    client.force_login(cast.psychologist)
    first = client.get(reverse("protocols:flagged"))
    second = client.get(reverse("protocols:flagged"), {"page": 2})
    assert first.context["flagged"].paginator.count == 2
    shown = [py.pupil for r in (first, second) for py in r.context["flagged"]]
    assert sorted(p.pk for p in shown) == sorted([cast.pupil.pk, cast.other_pupil.pk])
    assert "?page=2" in first.content.decode()


def test_the_database_counts_a_weeks_incidents_as_the_dynamics_do(cast):
    """The flags count Д's incidents per week in SQL over the JSON; the pupil's chart counts
    them in Python (`dynamics.d_weeks`): the same weeks and numbers, also for stored values
    no form saves (an older shape, a hand-made import), which both read alike."""
    from protocols import dynamics
    from protocols.annexes import d_behaviour_log as d_annex
    from protocols.calendar import calendar_of
    from protocols.review import selectors

    _d_week(cast, cast.pupil, date(2026, 11, 9), 3)
    _d_week(cast, cast.pupil, date(2026, 11, 16), 4)
    week = Protocol.objects.get(student=cast.pupil, annex="D", window_key__contains="11-16")
    row = d_annex.incidents(week.data)[0]
    day = d_annex.INCIDENT_DATE
    odd = [
        {**row, day: "2026-11-18T10:00"},  # a time after the day: the day counts
        {**row, day: "20261117"},  # ISO without dashes: Python reads it
        {**row, day: 20261110},  # the same as a number: so does Python
        {**row, day: "2026-02-30"},  # no such day
        {**row, day: "0000-01-01"},  # no year 0
        {**row, day: None},
        {k: v for k, v in row.items() if k != day},
        "not a row",
    ]
    rows = week.data[d_annex.INCIDENTS] + odd
    Protocol.objects.filter(pk=week.pk).update(data={**week.data, d_annex.INCIDENTS: rows})
    year = cast.school.years.get()
    cal = calendar_of(year)
    per_monday, _on_demand = selectors._flag_inputs(year.pk)
    mondays = dynamics.school_mondays(cal, grade=cast.pupil.grade, today=TODAY)
    in_python = dynamics.d_weeks(
        list(Protocol.objects.filter(student=cast.pupil, annex="D")),
        cal, grade=cast.pupil.grade, today=TODAY,
    )  # fmt: skip
    counted = dynamics.week_counts(per_monday[cast.pupil.pk], mondays)
    assert [(w.monday, w.count) for w in counted] == [(w.monday, w.count) for w in in_python]
    assert {w.monday: w.count for w in counted if w.count} == {
        date(2026, 11, 9): 3 + 1,  # the number
        date(2026, 11, 16): 4 + 2,  # with a time, without dashes
    }


def test_overview_counts_against_the_assistant_on_the_due_date(cast, client):
    cast.other_pupil.class_letter = "Б"
    cast.other_pupil.class_sort_key = "03Б"
    cast.other_pupil.save()
    # The pupil changes assistant on 1 October: September windows stay with `assistant`.
    Assignment.objects.filter(student=cast.pupil).update(end=date(2026, 9, 30))
    AssignmentFactory(student=cast.pupil, assistant=cast.colleague, start=date(2026, 10, 1))
    proto = {"student": cast.pupil, "author": cast.assistant, "status": Status.SUBMITTED}
    ProtocolFactory(annex="A", window_key="A:september", submitted_at=at(date(2026, 9, 7)), **proto)
    ProtocolFactory(annex="B", window_key="B:september", submitted_at=at(date(2026, 9, 8)), **proto)
    ProtocolFactory(
        annex="D",
        window_key="D:2026-10-05",
        submitted_at=at(date(2026, 10, 9)),
        **{**proto, "author": cast.colleague},
    )
    g = submitted_conclusion(cast, submitted_at=at(date(2026, 9, 20)))  # Г due 14 Sep: late
    mine, theirs = str(cast.assistant.pk), str(cast.colleague.pk)

    def rows(show, **asked):
        listing = school_overview(cast.school.pk, TODAY, show=show, **asked).listing
        return listing.paginator.object_list  # every page

    def keys(show, **asked):
        return sorted(window.key for pupil, window in rows(show, **asked) if pupil == cast.pupil)

    assert keys("on_time", assistant=mine) == ["A:september"]  # handed in on its due day
    assert keys("late", assistant=mine) == ["B:september", "G:september"]
    assert "V:september" in keys("missing", assistant=mine)
    mine_rows = rows("missing", assistant=mine) + rows("late", assistant=mine)
    assert all(window.due <= date(2026, 9, 30) for _p, window in mine_rows)
    assert keys("on_time", assistant=theirs) == ["D:2026-10-05"]  # due Friday 9 October
    assert "D:2026-10-12" in keys("missing", assistant=theirs)
    assert "D:2026-10-12" not in keys("missing", assistant=mine)
    # The numbers are the lengths of those lists.
    data = school_overview(cast.school.pk, TODAY)
    people = {pk: c for pk, _name, c in data.by_assistant}
    assert people[cast.assistant.pk].missing == len(rows("missing", assistant=mine))
    assert data.total.missing == len(rows("missing"))
    # Per class: "3 Ә" holds only the pupil; totals add up.
    classes = dict(data.by_class)
    assert set(classes) == {"3 Ә", "3 Б"}
    assert classes["3 Ә"].late == 2 and classes["3 Ә"].on_time == 2
    assert len(rows("on_time", klass="3 Ә")) == 2
    assert data.total.pending == 1 and [r[1] for r in rows("pending")] == [g.pk]
    # Pending conclusions count against the current assistant.
    assert people[cast.colleague.pk].pending == 1
    # The numbers alone are counted per assistant's run of due days; window by window (as for
    # the oversight summaries) they are the same, and the listed pupils are the models.
    seen = []
    slow = school_overview(cast.school.pk, TODAY, each_window=lambda *row: seen.append(row))
    assert (slow.total, slow.by_class, slow.by_assistant) == (
        data.total, data.by_class, data.by_assistant,
    )  # fmt: skip
    assert len(seen) == data.total.on_time + data.total.late + data.total.missing
    listed = rows("missing", assistant=mine)[0][0]
    assert listed == cast.pupil and not listed._state.adding
    assert (listed.full_name, listed.class_name) == (cast.pupil.full_name, "3 Ә")
    # The page: numbers link to the lists behind them.
    client.force_login(cast.school_admin)
    r = client.get(reverse("protocols:overview"), {"show": "late", "assistant": cast.assistant.pk})
    assert r.status_code == 200 and len(r.context["listing"]) == 2
    r = client.get(reverse("protocols:overview"), {"show": "on_time", "class": "3 Ә"})
    assert len(r.context["listing"]) == 2


def test_team_dossier_shows_everything_and_is_for_the_team_only(cast, client):
    cast.pupil.pmpc_number, cast.pupil.pmpc_text = "ПМПК-17", "Логопедтің көмегі қажет."
    cast.pupil.save()
    p = submitted_conclusion(cast)
    review_services.review_decide(
        protocol=p, by=cast.specialist, outcome="approved", seen_revision=p.revision, text="Иә."
    )
    step = next_step_of(cast)
    client.force_login(cast.psychologist)
    r = client.get(reverse("protocols:team_dossier", args=[cast.pupil.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "ПМПК-17" in html and "Логопедтің көмегі қажет." in html
    assert step.item.decision in html and step.text in html
    with translation.override(re.search(r'<html lang="(\w+)"', html)[1]):  # no Д yet: said once
        assert html.count(gettext("No incidents recorded.")) == 1
    assert ReadLogEntry.objects.filter(user=cast.psychologist, pupil=cast.pupil).exists()
    for who in ("assistant", "parent", "foreign_specialist"):
        client.force_login(getattr(cast, who))
        url = reverse("protocols:team_dossier", args=[cast.pupil.pk])
        assert client.get(url).status_code == 404, who


def test_dossier_pdf_has_the_pmpc_recommendation_and_meeting_decisions(cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    cast.pupil.pmpc_number, cast.pupil.pmpc_text = "ПМПК-17", "Логопедтің көмегі қажет."
    cast.pupil.save()
    step = next_step_of(cast)
    job = services.dossier_request(pupil=cast.pupil, by=cast.specialist, language="kk")
    job = services.dossier_build(job_id=job.pk, today=TODAY)
    assert job.status == "done"
    text = " ".join(pdf_text(job.file.read(), tmp_path).split())
    assert "ПМПК-17" in text and step.item.decision in text and step.text in text


# --- Constant queries -----------------------------------------------------------------------


def _grow(cast, n: int):
    """n more pupils of the school, each with a submitted conclusion, Д weeks and a meeting
    item with a next step."""
    meeting = meeting_of(cast)
    for i in range(n):
        pupil = StudentFactory(school=cast.school, class_letter="АӘБВ"[i % 4])
        AssignmentFactory(student=pupil, assistant=cast.colleague)
        submitted_conclusion(cast, pupil=pupil, author=cast.colleague)
        _d_week(cast, pupil, date(2026, 11, 16), 1 + i % 4)
        item = meeting.items.create(pupil=pupil, decision=f"Шешім {i}")
        NextStep.objects.create(item=item, text="Қадам", responsible=cast.colleague, due=TODAY)


@pytest.mark.parametrize("n", [2, 12])
def test_queue_query_count_is_constant(cast, client, django_assert_num_queries, n):
    _grow(cast, n)
    client.force_login(cast.specialist)
    # session, user, roles, the conclusions' count, the page's conclusions with pupils and
    # authors, the filter choices (distinct classes and authors)
    with django_assert_num_queries(6):
        r = client.get(reverse("protocols:review_queue"))
    assert len(r.context["queue"].rows) == n


def test_queue_and_the_lists_behind_numbers_come_a_page_at_a_time(cast, client, monkeypatch):
    from protocols.review import selectors as review_selectors

    monkeypatch.setattr(review_selectors, "PAGE_SIZE", 5)
    _grow(cast, 7)
    client.force_login(cast.specialist)
    url = reverse("protocols:review_queue")
    first = client.get(url, {"state": "pending"})
    assert len(first.context["queue"].rows) == 5
    assert "state=pending&amp;page=2" in first.content.decode()
    second = client.get(url, {"state": "pending", "page": 2})
    names = {p.student.full_name for r in (first, second) for p in r.context["queue"].rows}
    assert len(second.context["queue"].rows) == 2 and len(names) == 7
    client.force_login(cast.school_admin)
    url = reverse("protocols:overview")
    r = client.get(url, {"show": "missing"})
    total = r.context["overview"].total.missing
    assert total > 5 and len(r.context["listing"]) == 5
    last = client.get(url, {"show": "missing", "page": -(-total // 5)})
    assert len(last.context["listing"]) == total - 5 * (-(-total // 5) - 1)


@pytest.mark.parametrize("n", [2, 12])
def test_overview_query_count_is_constant(cast, client, django_assert_num_queries, n):
    _grow(cast, n)
    client.force_login(cast.specialist)
    # session, user, roles, pupils, the school's assignments with the assistants' names, the
    # year with holidays, the hand-ins (a few columns), the Д data (for the flags)
    with django_assert_num_queries(8):
        r = client.get(reverse("protocols:overview"))
    assert r.context["overview"].total.pending == n


@pytest.mark.parametrize("n", [2, 12])
def test_team_dossier_query_count_is_constant(cast, client, django_assert_num_queries, n):
    _grow(cast, 1)
    p = submitted_conclusion(cast)
    for i in range(n):  # n more Д weeks and n meeting decisions about the pupil
        _d_week(cast, cast.pupil, date(2026, 9, 14) + timedelta(weeks=i), 2)
        item = meeting_of(cast).items.create(pupil=cast.pupil, decision=f"Шешім {i}", conclusion=p)
        NextStep.objects.create(item=item, text="Қадам", responsible=cast.assistant, due=TODAY)
    client.force_login(cast.specialist)
    # session, user, roles, the pupil, the read-log insert, the year with holidays, the
    # protocols, the conclusions' decisions, the meeting items, their next steps
    with django_assert_num_queries(10):
        r = client.get(reverse("protocols:team_dossier", args=[cast.pupil.pk]))
    assert len(r.context["meeting_items"]) == n


def test_rounds_survive_a_save_of_a_returned_conclusion(cast, client):
    p = submitted_conclusion(cast)
    p = returned(p, by=cast.psychologist, comments={"goals": "Бір."})
    _resubmit_and_comment_again(cast, client, p)


def test_a_return_recorded_without_a_decision_still_closes_its_round(cast, client):
    """Databases seeded by the older demo hold a return as comments and a status, with no
    `ReviewDecision`: the next hand-in closes that round all the same."""
    p = submitted_conclusion(cast)
    ReviewComment.objects.create(
        protocol=p, round=1, section="goals", text="Бір.", author=cast.psychologist
    )
    Protocol.objects.filter(pk=p.pk).update(status=Status.RETURNED, revision=F("revision") + 1)
    p.refresh_from_db()
    _resubmit_and_comment_again(cast, client, p)


def _resubmit_and_comment_again(cast, client, p):
    # The assistant saves the returned conclusion, then resubmits.
    p = services.protocol_save(
        protocol=p,
        by=cast.assistant,
        data=dict(CONCLUSION),
        filled_on=date(2026, 11, 20),
        seen_revision=p.revision,
    )
    p = services.protocol_submit(
        protocol=p,
        by=cast.assistant,
        data=dict(CONCLUSION),
        filled_on=date(2026, 11, 20),
        seen_revision=p.revision,
    )
    assert review_services.open_round(p) == 2
    client.force_login(cast.specialist)
    assert decide(client, p, "comment", strengths="Екі.").status_code == 302
    thread = client.get(reverse("protocols:review", args=[p.pk])).context["thread"]
    assert [c.text for c in thread.open_comments] == ["Екі."]
    assert [[c.text for c in r["comments"]] for r in thread.rounds] == [["Бір."]]


def test_retention_clears_the_reviews_free_text_and_its_history(cast):
    from pghistory.models import Events

    from students.retention import anonymise_pupil

    p = submitted_conclusion(cast)
    review_services.review_decide(
        protocol=p,
        by=cast.specialist,
        outcome="approved",
        seen_revision=p.revision,
        text="Ахметов үшін шешім.",
    )
    step = next_step_of(cast)
    result = anonymise_pupil(pupil=cast.pupil)
    assert result.changed["anonymise_review"] >= 3
    step.refresh_from_db()
    assert step.text == "" and step.item.decision == ""
    assert ReviewDecision.objects.get(protocol=p).text == ""
    texts = " ".join(str(e.pgh_data) for e in Events.objects.all())
    assert "Ахметов үшін шешім." not in texts and "Көрнекі кесте жасау" not in texts


def test_overview_shows_shares_sorts_and_pages_the_list(cast, client):
    """Issue #13 item 8: each count with its share of the windows due, coloured and worded;
    columns sort worst first; the list behind a number comes in pages of 50."""
    for _ in range(2):
        StudentFactory(school=cast.school, class_letter="Б")  # nothing handed in: all missing
    proto = {"student": cast.pupil, "author": cast.assistant, "status": Status.SUBMITTED}
    ProtocolFactory(annex="A", window_key="A:september", submitted_at=at(date(2026, 9, 7)), **proto)
    client.force_login(cast.specialist)
    url = reverse("protocols:overview")
    html = client.get(url).content.decode()
    assert re.search(r'class="count count-on_time"[^>]*>1 · \d+%', html)
    assert "count-missing" in html and "count-late" in html
    # Sorted by the share missing, worst first: the pupil who handed one in comes last.
    r = client.get(url, {"sort": "missing"})
    shares = [_share(c, "missing") for _n, c, _q in r.context["classes"]]
    assert shares == sorted(shares, reverse=True)
    assert 'aria-sort="descending"' in r.content.decode()
    # The school's missing windows: more than a page, the range said, the filter kept.
    r = client.get(url, {"show": "missing", "all": "1"})
    total = r.context["overview"].total.missing
    assert total > 50 and len(r.context["listing"]) == 50
    html = r.content.decode()
    assert f"1–50 of {total}" in html
    assert "show=missing&amp;all=1&amp;page=2" in html


def _share(counts, key):
    due = counts.on_time + counts.late + counts.missing
    return getattr(counts, key) / due if due else 0


# --- The decision on the print --------------------------------------------------------------


def test_an_approved_conclusion_prints_the_team_decision_and_the_dossier_has_it(
    cast, client, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    p = submitted_conclusion(cast)
    meeting = meeting_of(cast)  # held on 18.09.2026
    client.force_login(cast.psychologist)
    assert decide(client, p, "comment", goals="Өлшенетін етіңіз.").status_code == 302
    p.refresh_from_db()
    review_services.review_decide(
        protocol=p,
        by=cast.specialist,
        outcome="approved",
        seen_revision=p.revision,
        text="Бірауыздан мақұлданды.",
        meeting=meeting,
    )
    client.force_login(cast.assistant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    r = client.get(reverse("protocols:pdf", args=[p.pk]))
    printed = " ".join(pdf_text(r.content, tmp_path).split())
    with_decision = [
        "Решение службы ППМС",
        cast.specialist.full_name,
        "Заседание службы ППМС от 18.09.2026",
        TODAY.strftime("%d.%m.%Y"),
        "Бірауыздан мақұлданды.",
    ]
    assert all(part in printed for part in with_decision), printed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("protocols:dossier", args=[cast.pupil.pk]))
    job = DossierJob.objects.get()
    dossier = " ".join(pdf_text(job.file.read(), tmp_path).split())
    assert "Бірауыздан мақұлданды." in dossier and cast.specialist.full_name in dossier


def test_a_conclusion_not_yet_approved_prints_no_decision(cast, client, tmp_path, settings):
    p = submitted_conclusion(cast)
    client.force_login(cast.assistant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    r = client.get(reverse("protocols:pdf", args=[p.pk]))
    assert "Решение службы ППМС" not in pdf_text(r.content, tmp_path)
