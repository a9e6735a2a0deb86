"""Privacy in the browser: the notice in three languages, the session warning."""

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize(
    "lang,heading", [("kk", "Құпиялылық"), ("ru", "Уведомление"), ("en", "Privacy notice")]
)
def test_privacy_notice_in_three_languages(page, live_server, shot, axe_check, lang, heading):
    page.context.set_extra_http_headers({"Accept-Language": lang})
    page.goto(f"{live_server.url}/privacy/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    shot(f"privacy-{lang}")
    axe_check()


def test_session_warning_and_stay_signed_in(page, login, settings, shot, axe_check):
    # a 125-second idle limit: the warning (2 minutes before the end) shows after ~5 s
    settings.SESSION_IDLE_SECONDS = 125
    login("assistant1@demo.kz")
    dialog = page.locator("#session-warning")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=15_000)
    shot("session-warning")
    axe_check()
    with page.expect_response("**/security/keep-alive/") as response:
        dialog.get_by_role("button").click()
    assert response.value.ok
    expect(dialog).to_be_hidden()


def test_privacy_pages_of_the_school_admin_are_accessible(page, login, demo, shot, axe_check):
    login("admin@demo.kz")
    page.goto(f"{demo.url}/pupils/")
    page.locator("table tbody a").first.click()
    page.locator(".alert a.alert-link").click()
    expect(page.locator("input[type=file]")).to_be_visible()
    shot("consent-form")
    axe_check()
    page.goto(f"{demo.url}/pupils/read-log/")
    shot("read-log")
    axe_check()
    page.goto(f"{demo.url}/security/two-factor/setup/")
    expect(page.locator("img.otp-qr")).to_be_visible()
    assert page.evaluate("document.querySelector('img.otp-qr').naturalWidth") > 0  # it decoded
    shot("otp-setup")
    axe_check()
