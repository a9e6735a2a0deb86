"""The assistant's week and the quick incident form."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from protocols.models import IncidentPickList, Protocol
from protocols.selectors import assistant_dashboard, filter_week
from tests.factories import AssignmentFactory, StudentFactory

from .factories import protocol_of

TODAY = date(2026, 11, 25)  # a Wednesday of the cast's year: week of 23 November


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def assistant(client, cast):
    client.force_login(cast.assistant)
    return client


# --- item 1: the week grouped by pupil ----------------------------------------------------


def test_week_is_grouped_by_pupil_returned_and_drafts_first_backlog_per_annex(cast):
    quiet = StudentFactory(school=cast.school, last_name="Әбілов")
    AssignmentFactory(student=quiet, assistant=cast.assistant)
    protocol_of(cast, annex="G", window_key="G:september", status="returned")
    draft = protocol_of(cast, annex="A", window_key="A:september", status="draft")
    board = assistant_dashboard(cast.assistant, TODAY)

    first, second = board.pupils
    assert first.pupil == cast.pupil  # something to fix comes first, whatever the name
    assert [p.annex for p in first.returned] == ["G"]
    assert [p.pk for p in first.drafts] == [draft.pk]  # rows of the week, not instances
    # Overdue collapsed per annex, oldest first; the draft is listed once, among the drafts.
    annexes = [str(b.annex) for b in first.backlog]
    assert "A" not in annexes and {"B", "V", "E"} <= set(annexes)
    e = next(b for b in first.backlog if b.annex == "E")
    dues = [i.cell.window.due for i in e.items]
    assert dues == sorted(dues) and e.oldest == dues[0] and e.count == len(dues) > 5
    assert first.overdue_count < len(board.overdue)  # the flat list also counts the draft
    # This week's Д and К one tap away.
    assert first.week_d.window.key == "D:2026-11-23"
    assert first.week_k.window.key == "K:2026-11-23"
    assert {i.cell.window.key for i in first.due} == {"D:2026-11-23", "K:2026-11-23"}
    assert second.pupil == quiet and second.returned == [] and second.backlog


def test_filters_narrow_to_a_pupil_an_annex_and_a_list(cast):
    other = StudentFactory(school=cast.school)
    AssignmentFactory(student=other, assistant=cast.assistant)
    board = assistant_dashboard(cast.assistant, TODAY)
    (g,) = filter_week(board, pupil=cast.pupil.pk, annex="E", state="overdue")
    assert g.pupil == cast.pupil and [str(b.annex) for b in g.backlog] == ["E"]
    assert g.due == [] and g.drafts == []
    due = filter_week(board, state="due")
    assert {x.pupil for x in due} == {cast.pupil, other}
    assert all(x.backlog == [] for x in due)
    assert filter_week(board, state="returned") == []  # nothing returned: no empty groups


def test_home_counters_link_to_the_filtered_lists(assistant, cast, today):
    html = assistant.get(reverse("home")).content.decode()
    dashboard = reverse("protocols:dashboard")
    for state in ("overdue", "due", "draft", "returned"):
        assert f'href="{dashboard}?state={state}"' in html
    # The week itself is on the home page: the pupil's card with its quick links.
    assert f'id="pw-{cast.pupil.pk}"' in html
    assert reverse("protocols:incident", args=[cast.pupil.pk]) in html
    assert reverse("protocols:window", args=[cast.pupil.pk, "D", "D:2026-11-23"]) in html


def test_filtered_list_opens_the_backlog(assistant, cast, today):
    url = reverse("protocols:dashboard")
    r = assistant.get(url, {"pupil": cast.pupil.pk, "annex": "E", "state": "overdue"})
    html = r.content.decode()
    assert r.status_code == 200
    assert '<details class="backlog mb-1" open>' in html
    assert html.count('class="backlog') == 1  # Е only
    assert reverse("protocols:window", args=[cast.pupil.pk, "E", "E:2026-09-07"]) in html
    # Unknown filters are ignored, not an error.
    assert assistant.get(url, {"annex": "Q", "state": "x", "pupil": "y"}).status_code == 200


def test_pages_keep_pupil_groups_whole(assistant, cast, today):
    pupils = [cast.pupil]
    for _ in range(11):
        p = StudentFactory(school=cast.school)
        AssignmentFactory(student=p, assistant=cast.assistant)
        pupils.append(p)
    url = reverse("protocols:dashboard")
    first = assistant.get(url).context["page"]
    second = assistant.get(url, {"page": 2}).context["page"]
    assert len(first.object_list) == 10 and len(second.object_list) == 2
    seen = [g.pupil.pk for g in [*first.object_list, *second.object_list]]
    assert sorted(seen) == sorted(p.pk for p in pupils)  # each pupil once, never split
    html = assistant.get(url, {"page": 2, "state": "overdue"}).content.decode()
    assert "state=overdue&amp;page=1" in html  # the filter survives paging


@pytest.mark.parametrize("n", [1, 12])
def test_dashboard_queries_do_not_grow(assistant, cast, today, n, django_assert_num_queries):
    for _ in range(n):
        pupil = StudentFactory(school=cast.school)
        AssignmentFactory(student=pupil, assistant=cast.assistant)
        protocol_of(cast, student=pupil, annex="A", window_key="A:september", status="draft")
        protocol_of(cast, student=pupil, annex="G", window_key="G:september", status="returned")
    # 1 session, 2 user, 3 roles, 4 the assigned pupils, 5 their schools' years with
    # holidays, 6 their protocols
    with django_assert_num_queries(6):
        r = assistant.get(reverse("protocols:dashboard"), {"page": 2})
    assert r.status_code == 200 and "state-returned" in r.content.decode()


# --- item 2: Д in a few taps -----------------------------------------------------------------

INCIDENT = {
    "incident_date": "2026-11-23",
    "start": "10:05",
    "place": "математика",
    "antecedent_pick": "",
    "antecedent": "Жаңа тапсырма берілді.",
    "behaviour": "Дәптерін лақтырды.",
    "consequence": "Қысқа үзіліс ұсынылды.",
    "minutes_pick": "5",
    "intensity": "2",
    "behaviour_type": "refusal",
}


def test_incident_joins_the_weeks_behaviour_log(assistant, cast):
    url = reverse("protocols:incident", args=[cast.pupil.pk])
    r = assistant.post(url, INCIDENT)
    assert r.status_code == 302
    log = Protocol.objects.get(student=cast.pupil, annex="D")
    assert log.window_key == "D:2026-11-23" and log.due == date(2026, 11, 27)
    assert r.url == log.get_absolute_url()
    (row,) = log.data["incidents"]
    assert row["start"] == "10:05" and row["end"] == "10:10"  # 5 minutes
    assert row["behaviour"] == "Дәптерін лақтырды." and row["intensity"] == "2"
    assert log.versions.count() == 1  # saved like a typed row: a version for the history
    # The second incident of the week lands in the same protocol, in time order.
    r = assistant.post(url, {**INCIDENT, "start": "09:00", "minutes_pick": "", "end": "09:04"})
    log.refresh_from_db()
    assert [i["start"] for i in log.data["incidents"]] == ["09:00", "10:05"]
    assert log.data["incidents"][0]["end"] == "09:04"
    assert Protocol.objects.filter(student=cast.pupil, annex="D").count() == 1


def test_frequent_entries_are_offered_and_fill_the_type(assistant, cast):
    url = reverse("protocols:incident", args=[cast.pupil.pk])
    IncidentPickList.objects.create(school=cast.school, behaviours="Айқайлады\nСыныптан шықты")
    for _ in range(2):
        assistant.post(url, INCIDENT)
    html = assistant.get(url).content.decode()
    assert 'value="Дәптерін лақтырды."' in html and 'value="Жаңа тапсырма берілді."' in html
    # The pupil's own entries first, then the school's list.
    assert html.index('value="Дәптерін лақтырды."') < html.index('value="Айқайлады"')
    checked = r'name="intensity" id="[^"]+" value="2" autocomplete="off" checked'
    assert re.search(checked, html)  # the pupil's usual intensity, ready
    # Picking a frequent behaviour without a type: the type recorded with it before.
    picked = {**INCIDENT, "behaviour": "", "behaviour_pick": "Дәптерін лақтырды."}
    picked["behaviour_type"] = ""
    assistant.post(url, picked)
    rows = Protocol.objects.get(student=cast.pupil, annex="D").data["incidents"]
    assert rows[-1]["behaviour"] == "Дәптерін лақтырды." and rows[-1]["behaviour_type"] == "refusal"


def test_incident_without_behaviour_is_refused_and_keeps_what_was_typed(assistant, cast):
    url = reverse("protocols:incident", args=[cast.pupil.pk])
    r = assistant.post(url, {**INCIDENT, "behaviour": ""})
    html = r.content.decode()
    assert r.status_code == 400
    assert "Pick or describe the behaviour." in html
    assert 'value="Жаңа тапсырма берілді."' in html
    assert not Protocol.objects.filter(student=cast.pupil).exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2027-08-01", "This date is in no school week of the pupil&#x27;s year."),
        ("2026-11-26", "The date cannot be in the future."),  # services.today() is 23 Nov
    ],
)
def test_incident_date_errors_show_next_to_the_date(assistant, cast, day, message):
    url = reverse("protocols:incident", args=[cast.pupil.pk])
    r = assistant.post(url, {**INCIDENT, "incident_date": day})
    assert r.status_code == 400
    assert message in r.content.decode()


def test_only_the_assigned_assistant_logs_incidents(client, cast):
    url = reverse("protocols:incident", args=[cast.pupil.pk])
    for who in (cast.colleague, cast.specialist, cast.parent):
        client.force_login(who)
        assert client.get(url).status_code == 404
        assert client.post(url, INCIDENT).status_code == 404


def test_school_admin_edits_the_pick_lists(client, cast):
    url = reverse("protocols:pick_lists")
    client.force_login(cast.assistant)
    assert client.get(url).status_code == 404
    client.force_login(cast.school_admin)
    r = client.post(url, {"behaviours": "Айқайлады\n\nСыныптан шықты ", "places": "асхана"})
    assert r.status_code == 302
    saved = IncidentPickList.objects.get(school=cast.school)
    assert saved.lines("behaviours") == ["Айқайлады", "Сыныптан шықты"]
    assert saved.updated_by == cast.school_admin
    assert "асхана" in client.get(url).content.decode()


# --- item 3: the pupil page and the protocol page -----------------------------------------


def test_pupil_page_lists_due_and_overdue_with_fill_links(client, cast, today):
    client.force_login(cast.assistant)
    html = client.get(reverse("students:pupil", args=[cast.pupil.pk])).content.decode()
    assert 'id="pupil-work"' in html
    assert reverse("protocols:window", args=[cast.pupil.pk, "D", "D:2026-11-23"]) in html
    assert "state-overdue" in html and ">Fill<" in html
    assert reverse("protocols:incident", args=[cast.pupil.pk]) in html
    # A reader (the support team) sees the list with links that open, nothing to log.
    client.force_login(cast.specialist)
    html = client.get(reverse("students:pupil", args=[cast.pupil.pk])).content.decode()
    assert 'id="pupil-work"' in html and ">Open<" in html
    assert reverse("protocols:incident", args=[cast.pupil.pk]) not in html


def test_protocol_page_has_print_and_marks_required_fields(assistant, cast):
    url = reverse("protocols:window", args=[cast.pupil.pk, "D", "D:2026-11-23"])
    html = assistant.get(url).content.decode()
    assert 'id="required-note"' in html
    assert 'name="summary"' in html
    summary = re.search(r"<textarea[^>]*name=\"summary\"[^>]*>", html).group(0)
    assert 'aria-required="true"' in summary  # needed to submit, though the draft may skip it
    outcome = re.search(r"<input[^>]*name=\"incidents-__prefix__-outcome\"[^>]*>", html)
    assert outcome is None or "aria-required" not in outcome.group(0)  # optional stays plain
    protocol = protocol_of(cast, annex="D", window_key="D:2026-11-23", due=date(2026, 11, 27))
    html = assistant.get(protocol.get_absolute_url()).content.decode()
    assert f'href="{reverse("protocols:pdf", args=[protocol.pk])}"' in html


# --- item 4: the year on a phone ------------------------------------------------------------


def test_year_page_folds_past_weeks_and_marks_this_week(assistant, cast, today):
    html = assistant.get(reverse("protocols:pupil_year", args=[cast.pupil.pk])).content.decode()
    past = html[html.index('<details class="mb-2" id="past-weeks">') : html.index("</details>")]
    assert "D:2026-09-07" in past and "D:2026-11-23" not in past
    after = html[html.index("</details>", html.index('id="past-weeks"')) :]
    this_week = re.search(r'<tr class="this-week" aria-current="date">.*?</tr>', after, re.S)
    assert this_week and "D:2026-11-23" in this_week.group(0)
    # A phone gets a list per annex in place of the wide table of periods.
    assert 'id="term-list"' in html and "A:september" in html
