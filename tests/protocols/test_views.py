"""Protocol pages: the window form, autosave, conflicts, submit, read-only access, history."""

from datetime import date

import pytest
from django.urls import reverse

from protocols import communication
from protocols.models import Protocol, Status

from .factories import protocol_of
from .filling import fill_annex
from .review_factories import returned
from .test_forms import VALID

WINDOW_A = ("A", "A:september")


def _window_url(cast, annex="A", key="A:september"):
    return reverse("protocols:window", args=[cast.pupil.pk, annex, key])


def _opened_then_saved(cast, by, family):
    """The assistant's draft of annex А as a page opened it, then `by` saves `family` on top
    (another tab, someone else): the protocol and the revision the page saw."""
    opened = fill_annex(cast.pupil, "A", {}, cast.assistant, submit=False).revision
    return fill_annex(cast.pupil, "A", {"family": family}, by, submit=False), opened


def _post(annex_rows=(), **fields):
    data = {k: str(v) for k, v in fields.items()}
    for name in annex_rows:
        data.setdefault(f"{name}-TOTAL_FORMS", "0")
        data.setdefault(f"{name}-INITIAL_FORMS", "0")
    return data


@pytest.fixture
def assistant(client, cast):
    client.force_login(cast.assistant)
    return client


def test_window_shows_an_empty_form_then_redirects_once_created(assistant, cast):
    r = assistant.get(_window_url(cast))
    assert r.status_code == 200
    assert "Parent interview" in r.text and 'name="family"' in r.text
    assert not Protocol.objects.exists()  # created on the first save, not on a view
    p = protocol_of(cast)
    assert assistant.get(_window_url(cast))["Location"] == p.get_absolute_url()


@pytest.mark.parametrize(
    "annex,key", [("X", "X:september"), ("A", "A:half_year"), ("A", "B:september"), ("I", "I:1")]
)
def test_unknown_annex_or_window_is_404(assistant, cast, annex, key):
    assert assistant.get(_window_url(cast, annex, key)).status_code == 404


def test_first_autosave_creates_the_protocol(assistant, cast):
    r = assistant.post(_window_url(cast), {"action": "autosave", "family": "Толық отбасы"})
    assert r.status_code == 200
    p = Protocol.objects.get()
    assert r.json()["revision"] == p.revision == 1
    assert r.json()["autosave_url"] == reverse("protocols:autosave", args=[p.pk])
    assert p.data == {"family": "Толық отбасы"} and p.author == cast.assistant
    assert p.due == date(2026, 9, 7)


def test_autosave_keeps_bad_input_and_reports_it(assistant, cast):
    p = protocol_of(cast, annex="D", window_key="D:2026-11-16")
    post = _post(
        ["incidents"],
        revision=1,
        summary="апта",
        **{"incidents-TOTAL_FORMS": 1, "incidents-0-start": "10:00", "incidents-0-end": "09:00"},
    )
    r = assistant.post(reverse("protocols:autosave", args=[p.pk]), post)
    assert r.status_code == 200
    assert "incidents-0-end" in r.json()["errors"]
    p.refresh_from_db()
    assert p.data["incidents"] == [{"start": "10:00", "end": "09:00"}] and p.revision == 2


def test_stale_autosave_is_409_with_both_versions(assistant, cast):
    p, opened = _opened_then_saved(cast, cast.colleague, "Олардың мәтіні")
    r = assistant.post(
        reverse("protocols:autosave", args=[p.pk]), {"revision": opened, "family": "Менің мәтінім"}
    )
    assert r.status_code == 409
    html = r.json()["conflict_html"]
    assert "Олардың мәтіні" in html and "Менің мәтінім" in html
    assert "Someone else saved this protocol after you opened it." in html
    assert Protocol.objects.get(pk=p.pk).data == {"family": "Олардың мәтіні"}


def test_stale_explicit_save_shows_both_and_keeps_the_users_text(assistant, cast):
    p, opened = _opened_then_saved(cast, cast.assistant, "Олардың мәтіні")
    r = assistant.post(p.get_absolute_url(), {"revision": opened, "family": "Менің мәтінім"})
    assert r.status_code == 409
    assert "Олардың мәтіні" in r.text
    assert "Менің мәтінім</textarea>" in r.text  # still in the form


def test_explicit_save_makes_a_version_and_redirects(assistant, cast):
    p = protocol_of(cast)
    r = assistant.post(p.get_absolute_url(), {"revision": 1, "family": "x", "action": "save"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.versions.count() == 1 and p.revision == 2


def test_submit_with_missing_fields_is_400_keeps_input_and_saves_it(assistant, cast):
    p = protocol_of(cast)
    r = assistant.post(
        reverse("protocols:submit", args=[p.pk]),
        {"revision": 1, "filled_on": "2026-11-20", "family": "<b>жазылған мәтін</b>"},
    )
    assert r.status_code == 400
    assert "This field is required." in r.text
    assert "&lt;b&gt;жазылған мәтін&lt;/b&gt;</textarea>" in r.text  # kept, shown as text
    p.refresh_from_db()
    assert p.status == Status.DRAFT and p.data["family"] == "<b>жазылған мәтін</b>"
    assert f'name="revision" value="{p.revision}"' in r.text  # the next save is not stale


def test_submit_with_a_future_date_is_refused_next_to_the_field(assistant, cast):
    p = protocol_of(cast)
    r = assistant.post(
        reverse("protocols:submit", args=[p.pk]),
        {"revision": 1, "filled_on": "2026-12-01", **VALID["A"]},
    )
    assert r.status_code == 400
    assert "The date cannot be in the future." in r.text


def test_submit_from_the_window_page_creates_and_submits(assistant, cast):
    r = assistant.post(
        _window_url(cast), {"action": "submit", "filled_on": "2026-09-03", **VALID["A"]}
    )
    p = Protocol.objects.get()
    assert r.status_code == 302 and p.status == Status.SUBMITTED


def test_late_date_is_a_warning_not_an_error(assistant, cast):
    p = protocol_of(cast)
    r = assistant.post(
        reverse("protocols:submit", args=[p.pk]),
        {"revision": 1, "filled_on": "2026-11-20", **VALID["A"]},
    )
    assert r.status_code == 302
    assert "Late: the date lies outside" in assistant.get(p.get_absolute_url()).text


def test_html_is_shown_as_text_on_every_page(assistant, cast):
    evil = "<script>alert(1)</script>"
    p = fill_annex(cast.pupil, "G", {"strengths": evil}, cast.assistant, submit=False)  # v1
    assistant.post(p.get_absolute_url(), {"revision": p.revision, "strengths": evil + "!"})
    assistant.post(p.get_absolute_url(), {"revision": p.revision + 1, "strengths": evil + "?"})
    for url in (
        p.get_absolute_url(),
        reverse("protocols:compare", args=[p.pk]) + "?a=1&b=2",
    ):
        text = assistant.get(url).text
        assert evil not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.parametrize("who", ["specialist", "school_admin", "psychologist"])
def test_team_reads_but_cannot_edit(client, cast, who):
    p = fill_annex(cast.pupil, "A", {"family": "мәтін"}, cast.assistant, submit=False)
    client.force_login(getattr(cast, who))
    r = client.get(p.get_absolute_url())
    assert r.status_code == 200 and "мәтін" in r.text
    assert 'name="action"' not in r.text and "data-autosave-url" not in r.text
    post = {"revision": p.revision, "family": "x"}
    assert client.post(p.get_absolute_url(), post).status_code == 404
    assert client.post(reverse("protocols:autosave", args=[p.pk]), {}).status_code == 404


def test_a_previous_assistant_loses_access(client, cast):
    from students.services import assignment_assign

    p = protocol_of(cast)
    assignment_assign(
        student=cast.pupil, assistant=cast.colleague, start=date(2026, 11, 2), by=cast.school_admin
    )
    client.force_login(cast.assistant)
    assert client.get(p.get_absolute_url()).status_code == 404
    client.force_login(cast.colleague)
    assert client.get(p.get_absolute_url()).status_code == 200
    r = client.post(reverse("protocols:autosave", args=[p.pk]), {"revision": 1})
    assert r.status_code == 200


def test_parent_sees_only_the_communication_sheet(client, cast):
    a = protocol_of(cast)
    k = protocol_of(cast, annex="K", window_key="K:2026-11-16")
    client.force_login(cast.parent)
    assert client.get(a.get_absolute_url()).status_code == 404
    assert client.get(reverse("protocols:history", args=[a.pk])).status_code == 404
    assert client.get(k.get_absolute_url()).status_code == 200
    assert client.get(_window_url(cast)).status_code == 404
    assert client.get(_window_url(cast, "K", "K:2026-11-23"), follow=True).status_code == 200


def test_returned_comments_are_shown_in_place(assistant, cast):
    p = protocol_of(cast, annex="G", window_key="G:september", status=Status.SUBMITTED)
    returned(p, by=cast.specialist, comments={"goals": "Мақсаттарды нақтылаңыз."})
    r = assistant.get(p.get_absolute_url())
    assert "Мақсаттарды нақтылаңыз." in r.text
    assert r.text.index('name="goals"') < r.text.index("Мақсаттарды нақтылаңыз.")


def test_correction_opened_on_demand_and_signed_off(client, cast):
    from protocols import services

    client.force_login(cast.assistant)
    r = client.post(reverse("protocols:new_correction", args=[cast.pupil.pk]))
    p = Protocol.objects.get(annex="I")
    assert r["Location"] == p.get_absolute_url()
    services.protocol_submit(
        protocol=p,
        by=cast.assistant,
        data=VALID["I"],
        filled_on=date(2026, 11, 20),
        seen_revision=p.revision,
    )
    client.post(reverse("protocols:sign_off", args=[p.pk]))  # the assistant: refused
    assert Protocol.objects.get(pk=p.pk).signed_off_at is None
    client.force_login(cast.psychologist)
    assert "Sign off" in client.get(p.get_absolute_url()).text
    client.post(reverse("protocols:sign_off", args=[p.pk]))
    assert Protocol.objects.get(pk=p.pk).signed_off_by == cast.psychologist


def _versions(client, p, n):
    for i in range(n):
        client.post(p.get_absolute_url(), {"revision": p.revision + i, "family": f"v{i}"})


@pytest.mark.parametrize("n", [2, 12])
def test_history_queries_do_not_grow(assistant, cast, django_assert_num_queries, n):
    p = protocol_of(cast)
    _versions(assistant, p, n)
    # session, user, roles, the protocol (pupil, school, year, author joined; visibility a
    # subquery), its versions with their authors, the read-log INSERT
    with django_assert_num_queries(6):
        r = assistant.get(reverse("protocols:history", args=[p.pk]))
    assert r.status_code == 200 and r.text.count("<tr>") == n + 1


@pytest.mark.parametrize("rows", [1, 15])
def test_edit_page_queries_do_not_grow(assistant, cast, django_assert_num_queries, rows):
    incident = VALID["D"]["incidents"][0]
    p = fill_annex(
        cast.pupil,
        "D",
        {"incidents": [incident] * rows},
        cast.assistant,
        window_key="D:2026-11-16",
        submit=False,
    )
    # session, user, roles, the protocol (pupil, school, year, author joined, the year's
    # holidays for its window; visibility a subquery), the read-log INSERT; no assignment
    # look-up (may this user edit): an assistant sees only the pupils assigned to them
    with django_assert_num_queries(5) as ctx:
        r = assistant.get(p.get_absolute_url())
    inserts = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1 and "students_readlogentry" in inserts[0]
    assert r.status_code == 200 and r.text.count("data-row>") == rows + 1  # + the template


def test_communication_sheet_page_checks_the_assignment_once(
    assistant, cast, django_assert_num_queries
):
    # The К page asks whether the user is the pupil's parent, else their assistant (which side
    # they write on); the assignment is read once for the request.
    k = communication.sheet_entry_add(
        pupil=cast.pupil,
        window_key="K:2026-11-16",
        by=cast.specialist,
        message="Үйде дыбыстарды қайталаңыз.",
        today=date(2026, 11, 17),
    )
    assistant.get(k.get_absolute_url())  # the first visit writes the read mark
    # 1 session, 2 user, 3 roles, 4 the pupil (visibility a subquery), 5 the year with its
    # holidays (the week's window), 6 guardian? (the side), 7 the assignment, 8 the sheet,
    # 9 the user's read mark; 10 read-log INSERT; marking read: 11 savepoint, 12 the read
    # mark's upsert, 13 the sheet's notices, 14 release
    with django_assert_num_queries(14) as ctx:
        r = assistant.get(k.get_absolute_url())
    assert r.status_code == 200
    assert sum("students_assignment" in q["sql"] for q in ctx.captured_queries) == 2  # + access


def test_history_of_a_protocol_without_versions(assistant, cast):
    r = assistant.get(reverse("protocols:history", args=[protocol_of(cast).pk]))
    assert r.status_code == 200 and "No saved versions yet" in r.text


def test_history_shows_a_resubmission(assistant, cast):
    from protocols import services

    p = protocol_of(cast, annex="G", window_key="G:september", status=Status.SUBMITTED)
    p = returned(p, by=cast.specialist, comments={"goals": "x"})
    services.protocol_submit(
        protocol=p,
        by=cast.assistant,
        data=VALID["G"],
        filled_on=date(2026, 9, 11),
        seen_revision=p.revision,
    )
    r = assistant.get(reverse("protocols:history", args=[p.pk]))
    assert "resubmitted" in r.text and "returned (for revision)" in r.text


def test_history_says_who_changed_what(assistant, cast):
    p = protocol_of(cast)
    assistant.post(p.get_absolute_url(), {"revision": 1, "family": "a", "strengths": "b"})
    assistant.post(p.get_absolute_url(), {"revision": 2, "family": "a", "strengths": "c"})
    r = assistant.get(reverse("protocols:history", args=[p.pk]))
    rows = r.text.split("<tr>")[1:]
    assert "Strengths" in rows[1] and "Family and living situation" not in rows[1]  # v2
    assert "Family and living situation" in rows[2]  # v1: everything it set
    assert cast.assistant.full_name in rows[1]


def test_compare_marks_changed_fields(assistant, cast):
    p = protocol_of(cast)
    _versions(assistant, p, 2)
    r = assistant.get(reverse("protocols:compare", args=[p.pk]) + "?a=1&b=2")
    assert r.status_code == 200 and "v0" in r.text and "v1" in r.text and "table-warning" in r.text
    assert assistant.get(reverse("protocols:compare", args=[p.pk]) + "?a=1&b=9").status_code == 400


def test_a_post_without_row_management_keeps_the_rows(assistant, cast):
    incident = VALID["D"]["incidents"][0]
    p = protocol_of(cast, annex="D", window_key="D:2026-11-16", data={"incidents": [incident]})
    assistant.post(reverse("protocols:autosave", args=[p.pk]), {"revision": 1, "summary": "s"})
    p.refresh_from_db()
    assert p.data == {"summary": "s", "incidents": [incident]}


def test_a_window_opened_in_two_tabs_conflicts_then_continues_on_the_protocol(assistant, cast):
    p = fill_annex(cast.pupil, "A", {"family": "Бірінші бет"}, cast.assistant, submit=False)
    r = assistant.post(_window_url(cast), {"action": "autosave", "family": "Екінші бет"})
    assert r.status_code == 409 and "Бірінші бет" in r.json()["conflict_html"]
    assert r.json()["autosave_url"] == reverse("protocols:autosave", args=[p.pk])
    # "keep mine": the script saves on top of the revision it was shown
    r = assistant.post(
        r.json()["autosave_url"], {"revision": r.json()["revision"], "family": "Екінші бет"}
    )
    assert r.status_code == 200 and Protocol.objects.get().data == {"family": "Екінші бет"}


def test_edit_page_of_an_assigned_pupil_is_editable_without_reading_the_assignment_again(
    assistant, cast
):
    p = protocol_of(cast, annex="D", window_key="D:2026-11-16", data={})
    r = assistant.get(p.get_absolute_url())
    assert r.status_code == 200 and "data-autosave-url" in r.text


def test_an_assistant_who_also_works_at_the_school_edits_only_assigned_pupils(client, cast):
    # The colleague sees the pupil through their specialist role, not as its assistant: the
    # visible protocol does not make them its editor (only an assistant-only user's does).
    from assistant_portal.accounts.models import Role, RoleKind, Speciality

    Role.objects.create(
        user=cast.colleague,
        kind=RoleKind.SPECIALIST,
        school=cast.school,
        speciality=Speciality.SPEECH_THERAPIST,
    )
    p = protocol_of(cast, annex="D", window_key="D:2026-11-16", data={})
    client.force_login(cast.colleague)
    r = client.get(p.get_absolute_url())
    assert r.status_code == 200
    assert "data-autosave-url" not in r.text and "Save draft" not in r.text


def test_a_protocol_read_with_its_calendar_has_the_years_active_holidays(
    cast, django_assert_num_queries
):
    from django.utils import timezone

    from protocols.access import get_protocol_for_user
    from protocols.calendar import calendar_of
    from students.models import AcademicYear, Holiday

    p = protocol_of(cast, annex="D", window_key="D:2026-11-16", data={})
    Holiday.objects.create(year=p.year, name="a", start=date(2026, 10, 26), end=date(2026, 11, 1))
    Holiday.objects.create(
        year=p.year, name="b", start=date(2026, 12, 16), end=date(2026, 12, 17), grades=[1, 2]
    )
    Holiday.objects.create(
        year=p.year,
        name="gone",
        start=date(2027, 1, 4),
        end=date(2027, 1, 8),
        archived_at=timezone.now(),
    )
    read = get_protocol_for_user(cast.assistant, p.pk, with_calendar=True)
    with django_assert_num_queries(0):
        calendar = calendar_of(read.year)
    assert calendar == calendar_of(AcademicYear.objects.get(pk=p.year_id))
    assert [(h.start, h.end, h.grades) for h in calendar.holidays] == [
        (date(2026, 10, 26), date(2026, 11, 1), frozenset()),
        (date(2026, 12, 16), date(2026, 12, 17), frozenset({1, 2})),
    ]
