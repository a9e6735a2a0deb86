"""Saving a protocol as a person does it: Save pressed while an autosave is out, a double click
on an empty window, leaving the page, a session that ended, another tab, a server that fails."""

import time

import pytest
from playwright.sync_api import expect

from protocols.models import Protocol
from students.models import Student

from .conftest import PASSWORD

AUTOSAVE = "**/protocols/*/autosave/"


@pytest.fixture
def assistant(page, login):
    login("assistant1@demo.kz")
    return page


@pytest.fixture
def dialogs(page):
    """Every dialog the page opens ("Leave site?" is type beforeunload), accepted."""
    seen = []

    def on_dialog(dialog):
        seen.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    return seen


@pytest.fixture
def statuses(page):
    seen = []
    page.on("response", lambda response: seen.append(response.status))
    return seen


def _pupil(n=0) -> Student:
    # assistant1's pupils in the demo's order: the first has no protocols, the second an А draft
    return Student.objects.filter(assignments__assistant__email="assistant1@demo.kz").order_by(
        "pk"
    )[n]


def _draft() -> Protocol:
    return Protocol.objects.get(student=_pupil(1), annex="A")


def _until(page, condition, seconds=15):
    """Let the page (and its routes) run until `condition()` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(100)


def test_save_pressed_while_an_autosave_is_in_flight_makes_no_conflict(
    assistant, demo, dialogs, statuses
):
    page, protocol = assistant, _draft()
    page.goto(f"{demo.url}{protocol.get_absolute_url()}")
    held = []  # the autosave has reached the server; its answer is held back from the page

    def hold(route):
        if held:  # only the first autosave is held
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route(AUTOSAVE, hold)
    page.fill("[name=worries]", "Сөйлеуі")
    _until(page, lambda: held)
    page.fill("[name=worries]", "Сөйлеуі және ұйқысы")  # typed after the autosave went out
    page.click("button[value=save]")
    page.wait_for_timeout(500)  # the button waits for the autosave instead of posting
    assert Protocol.objects.get(pk=protocol.pk).versions.count() == 0
    route, response = held[0]
    route.fulfill(response=response)
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#conflict")).to_be_empty()
    protocol.refresh_from_db()
    assert protocol.data["worries"] == "Сөйлеуі және ұйқысы" and protocol.versions.count() == 1
    assert 409 not in statuses and "beforeunload" not in dialogs


def test_double_click_on_save_of_an_empty_window(assistant, demo, statuses):
    page, pupil = assistant, _pupil()
    page.goto(f"{demo.url}/protocols/pupils/{pupil.pk}/A/A:september/")
    posts = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.resource_type))
    page.fill("[name=family]", "Толық отбасы, екі бала.")
    page.dblclick("button[value=save]")
    expect(page.locator(".alert-success")).to_be_visible()
    protocol = Protocol.objects.get(student=pupil, annex="A")
    assert protocol.data["family"] == "Толық отбасы, екі бала."
    expect(page.locator("[name=family]")).to_have_value("Толық отбасы, екі бала.")
    assert not {409, 500} & set(statuses), statuses
    assert posts.count("document") == 1, posts  # the page posted the form once


def test_leaving_through_save_never_warns_but_unsaved_text_does(assistant, demo, dialogs):
    page, protocol = assistant, _draft()
    page.goto(f"{demo.url}{protocol.get_absolute_url()}")
    page.click("[name=worries]")
    page.keyboard.type("Сөйлеуі")  # real key presses: the page may then ask before leaving
    page.click("button[value=save]")
    expect(page.locator(".alert-success")).to_be_visible()
    assert "beforeunload" not in dialogs
    page.click("[name=worries]")
    page.keyboard.type(" және ұйқысы")
    page.click("button[value=submit]")  # refused (required fields empty): still no warning
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert "beforeunload" not in dialogs
    page.click("[name=worries]")
    page.keyboard.type(", тағы")
    page.click("a[href='/']")  # away through a link with text not saved yet
    _until(page, lambda: "beforeunload" in dialogs, seconds=5)


def test_save_after_the_session_ended_keeps_the_text_and_saves_after_login(assistant, demo):
    page, protocol = assistant, _draft()
    page.goto(f"{demo.url}{protocol.get_absolute_url()}")
    page.context.clear_cookies()  # the session ends (timeout, or logged out elsewhere)
    page.fill("[name=worries]", "Сессиядан кейін жазылған")
    page.click("button[value=save]")
    expect(page.locator("#session-ended")).to_be_visible(timeout=15000)
    expect(page.locator("[name=worries]")).to_have_value("Сессиядан кейін жазылған")
    assert "/accounts/login/" not in page.url
    other = page.context.new_page()
    other.goto(demo.url + page.locator("#session-ended a").get_attribute("href"))
    other.fill("input[name=username]", "assistant1@demo.kz")
    other.fill("input[name=password]", PASSWORD)
    other.click("main form button[type=submit]")
    other.wait_for_load_state()
    # the page saves what was typed, then the pressed Save goes ahead
    expect(page.locator(".alert-success")).to_be_visible(timeout=25000)
    protocol.refresh_from_db()
    assert protocol.data["worries"] == "Сессиядан кейін жазылған"
    assert protocol.versions.count() == 1


def test_two_tabs_of_the_same_user_conflict_and_the_panel_lists_what_differs(assistant, demo):
    page, protocol = assistant, _draft()
    other = page.context.new_page()
    for tab in (page, other):
        tab.goto(f"{demo.url}{protocol.get_absolute_url()}")
    page.fill("[name=worries]", "Бірінші беттің мәтіні")
    page.click("button[value=save]")
    expect(page.locator(".alert-success")).to_be_visible()
    other.fill("[name=worries]", "Екінші беттің мәтіні")
    other.click("button[value=save]")
    panel = other.locator("#conflict")
    # the same person in another tab: said so, not "someone else" (the page is in Kazakh)
    expect(panel.locator("[data-saved-by=this-user]")).to_be_visible(timeout=15000)
    rows = panel.locator("tbody tr")
    expect(rows).to_have_count(1)  # only the field that differs
    expect(rows).to_contain_text("Бірінші беттің мәтіні")
    expect(rows).to_contain_text("Екінші беттің мәтіні")
    expect(other.locator("[name=worries]")).to_have_value("Екінші беттің мәтіні")
    protocol.refresh_from_db()
    assert protocol.data["worries"] == "Бірінші беттің мәтіні"  # nothing overwritten


def test_autosave_retries_with_back_off_while_the_server_fails(assistant, demo):
    page, protocol = assistant, _draft()
    page.goto(f"{demo.url}{protocol.get_absolute_url()}")
    tries = []

    def failing(route):
        tries.append(time.monotonic())
        if len(tries) == 1:
            route.fulfill(status=503, body="Service Unavailable")
        elif len(tries) == 2:
            route.abort("connectionrefused")  # the server is away altogether
        else:
            route.continue_()

    page.route(AUTOSAVE, failing)
    page.fill("[name=worries]", "Сервер жауап бермегенде")
    status, form = page.locator("#autosave-status"), page.locator("#protocol-form")
    failed, saved = (form.get_attribute(f"data-{m}-message") for m in ("failed", "saved"))
    expect(status).to_have_text(failed, timeout=15000)  # "not saved — retrying"
    expect(page.locator("[name=worries]")).to_have_value("Сервер жауап бермегенде")
    expect(status).to_contain_text(saved, timeout=20000)
    gaps = [b - a for a, b in zip(tries, tries[1:], strict=False)]
    assert len(tries) == 3 and 1.8 < gaps[0] < 3.5 < gaps[1] < 6, gaps  # ~2 s, then ~4 s
    protocol.refresh_from_db()
    assert protocol.data["worries"] == "Сервер жауап бермегенде"
