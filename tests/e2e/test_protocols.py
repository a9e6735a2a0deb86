"""The demo assistant fills and submits annexes А, Д and Г in the browser, with autosave."""

import pytest
from playwright.sync_api import expect

from protocols.models import Protocol, Status
from students.models import Student

from .conftest import OUTPUT


@pytest.fixture
def assistant(page, login):
    page.on("dialog", lambda dialog: dialog.accept())
    login("assistant1@demo.kz")
    return page


def _pupil(n=0) -> Student:
    # assistant1's pupils, in the order the demo made them; the first has no protocols yet
    return Student.objects.filter(assignments__assistant__email="assistant1@demo.kz").order_by(
        "pk"
    )[n]


def _open(page, demo, pupil, annex, key):
    page.goto(f"{demo.url}/protocols/pupils/{pupil.pk}/{annex}/{key}/")


def _autosaved(page):
    expect(page.locator("#autosave-status")).not_to_be_empty(timeout=15000)


def test_parent_interview_autosaves_survives_a_reload_and_submits(assistant, demo, shot, axe_check):
    page, pupil = assistant, _pupil()
    _open(page, demo, pupil, "A", "A:september")
    axe_check()
    page.fill("[name=attendees]", "анасы мен әкесі")
    page.fill("[name=family]", "Толық отбасы, екі бала.")
    _autosaved(page)
    protocol = Protocol.objects.get(student=pupil, annex="A")
    expect(page).to_have_url(f"{demo.url}/protocols/{protocol.pk}/")  # now on its own URL
    page.fill("[name=strengths]", "Сурет салуды жақсы көреді")  # typing, then the tab closes
    page.wait_for_timeout(2600)
    page.reload()
    expect(page.locator("[name=family]")).to_have_value("Толық отбасы, екі бала.")
    expect(page.locator("[name=strengths]")).to_have_value("Сурет салуды жақсы көреді")
    # the server kept the text: none of the child's data is in browser storage
    stored = page.evaluate("({...localStorage, ...sessionStorage})")
    assert set(stored) <= {"htmx-current-path-for-history"}, stored  # htmx keeps the URL only
    assert page.evaluate("htmx.config.historyCacheSize") == 0  # never a copy of the page
    shot("protocol-a-draft")
    axe_check()

    page.click("button[value=submit]")  # required fields still empty: refused, nothing lost
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.locator("[name=strengths]")).to_have_value("Сурет салуды жақсы көреді")
    shot("protocol-a-errors")
    page.fill("[name=filled_on]", "2026-09-03")
    page.fill("[name=worries]", "Сөйлеуі")
    page.fill("[name=expectations]", "Сыныппен бірге оқу")
    page.fill("[name=contact]", "WhatsApp, аптасына бір рет")
    page.click("button[value=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    protocol.refresh_from_db()
    assert protocol.status == Status.SUBMITTED and protocol.versions.count() == 1
    shot("protocol-a-submitted")
    # edit after submission: a new version, then the history and the comparison
    page.fill("[name=worries]", "Сөйлеуі және ұйқысы")
    page.click("button[value=save]")
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(f"{demo.url}/protocols/{protocol.pk}/history/")
    expect(page.locator("tbody tr")).to_have_count(2)
    axe_check()
    page.click("form[action$='/compare/'] button[type=submit]")
    expect(page.locator("tr.table-warning")).to_contain_text("Сөйлеуі және ұйқысы")
    shot("protocol-a-compare")
    axe_check()


def _fill_incident(row, *, start, end, behaviour):
    row.locator("input[type=date]").fill("2026-11-17")
    row.locator("input[name$=-start]").fill(start)
    row.locator("input[name$=-end]").fill(end)
    row.locator("input[name$=-place]").fill("математика сабағы")
    row.locator("textarea[name$=-antecedent]").fill("Жаңа тапсырма")
    row.locator("textarea[name$=-behaviour]").fill(behaviour)
    row.locator("select[name$=-behaviour_type]").select_option("refusal")
    row.locator("select[name$=-intensity]").select_option("2")
    row.locator("textarea[name$=-consequence]").fill("Үзіліс ұсынылды")


def test_behaviour_log_rows_are_added_and_removed(assistant, demo, shot, axe_check):
    page, pupil = assistant, _pupil()
    _open(page, demo, pupil, "D", "D:2026-11-16")
    rows = page.locator("[data-formset=incidents] [data-rows] [data-row]:visible")
    page.click("[data-row-add]")
    page.click("[data-row-add]")
    page.click("[data-row-add]")
    expect(rows).to_have_count(3)
    _fill_incident(rows.nth(0), start="10:00", end="10:10", behaviour="жазылған, кейін өшірілді")
    _fill_incident(rows.nth(1), start="11:20", end="11:05", behaviour="Айқайлады")  # end < start
    rows.nth(0).locator("[data-row-remove]").click()
    expect(rows).to_have_count(2)
    page.fill("[name=summary]", "Аптасына бір оқиға.")
    page.fill("[name=filled_on]", "2026-11-20")
    shot("protocol-d-rows")
    axe_check()
    page.click("button[value=submit]")
    # the incident that ends before it starts: an error next to the field, the rows kept
    expect(page.locator("[name=incidents-1-end] ~ .invalid-feedback")).to_be_visible()
    expect(page.locator("[name=incidents-1-behaviour]")).to_have_value("Айқайлады")
    page.fill("[name=incidents-1-end]", "11:30")
    page.click("button[value=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    protocol = Protocol.objects.get(student=pupil, annex="D", window_key="D:2026-11-16")
    assert protocol.status == Status.SUBMITTED
    assert [i["behaviour"] for i in protocol.data["incidents"]] == ["Айқайлады"]
    shot("protocol-d-submitted")


def test_conclusion_submitted_and_a_returned_one_resubmitted(assistant, demo, shot, axe_check):
    page, pupil = assistant, _pupil()
    _open(page, demo, pupil, "G", "G:september")
    page.fill("[name=filled_on]", "2026-09-11")
    for name in ("observations", "strengths", "difficulties", "adaptations", "goals"):
        page.fill(f"[name={name}]", f"<b>{name}</b> мәтіні")  # HTML stays text
    page.click("button[value=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[name=strengths]")).to_have_value("<b>strengths</b> мәтіні")
    assert Protocol.objects.get(student=pupil, annex="G").status == Status.SUBMITTED

    returned = Protocol.objects.get(status=Status.RETURNED)
    page.goto(f"{demo.url}{returned.get_absolute_url()}")
    expect(page.locator(".review-comment")).to_contain_text("өлшенетін")
    shot("protocol-g-returned")
    axe_check()
    page.fill("[name=goals]", "Нұсқауды екі қадаммен 5 реттің 4-інде орындау.")
    page.click("button[value=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    returned.refresh_from_db()
    assert returned.status == Status.SUBMITTED


LATER = "Бірінші сөйлем. Сессиядан кейін жазылған."


def test_text_typed_after_the_session_ended_is_saved_after_logging_in_again(assistant, demo, shot):
    page, pupil = assistant, _pupil()
    _open(page, demo, pupil, "B", "B:september")
    page.fill("[name=summary]", "Бірінші сөйлем.")
    _autosaved(page)
    page.context.clear_cookies()  # the session ends (timeout, or logged out elsewhere)
    page.fill("[name=summary]", LATER)
    expect(page.locator("#session-ended")).to_be_visible(timeout=15000)
    shot("protocol-session-ended")
    # the user follows the link, logs in in another tab; this page then saves what was typed
    other = page.context.new_page()
    other.goto(demo.url + page.locator("#session-ended a").get_attribute("href"))
    other.fill("input[name=username]", "assistant1@demo.kz")
    other.fill("input[name=password]", "demo-pass-2026")
    other.click("main form button[type=submit]")
    other.wait_for_load_state()
    expect(page.locator("#session-ended")).to_be_hidden(timeout=25000)
    protocol = Protocol.objects.get(student=pupil, annex="B")
    assert protocol.data["summary"] == LATER
    other.goto(f"{demo.url}{protocol.get_absolute_url()}")
    expect(other.locator("[name=summary]")).to_have_value(LATER)


def test_two_tabs_editing_the_same_protocol_see_a_conflict_not_a_silent_overwrite(assistant, demo):
    page = assistant
    protocol = Protocol.objects.get(student=_pupil(1), annex="A")  # the demo's draft
    other = page.context.new_page()
    other.on("dialog", lambda dialog: dialog.accept())
    for tab in (page, other):
        tab.goto(f"{demo.url}{protocol.get_absolute_url()}")
    page.fill("[name=worries]", "Бірінші беттің мәтіні")
    _autosaved(page)
    other.fill("[name=worries]", "Екінші беттің мәтіні")
    conflict = other.locator("#conflict")
    expect(conflict).to_contain_text("Бірінші беттің мәтіні", timeout=15000)
    expect(conflict).to_contain_text("Екінші беттің мәтіні")
    expect(other.locator("[name=worries]")).to_have_value("Екінші беттің мәтіні")  # kept
    other.screenshot(path=str(OUTPUT / "protocol-conflict.png"), full_page=True)
    protocol.refresh_from_db()
    assert protocol.data["worries"] == "Бірінші беттің мәтіні"  # nothing overwritten
    other.click("[data-conflict-keep]")
    expect(other.locator("#autosave-status")).not_to_be_empty(timeout=15000)
    expect(conflict).to_be_empty()
    protocol.refresh_from_db()
    assert protocol.data["worries"] == "Екінші беттің мәтіні"
