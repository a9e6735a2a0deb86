"""The demo assistant opens their protocols dashboard, then a pupil's year grid."""

from playwright.sync_api import expect


def test_dashboard_and_pupil_year(page, login, demo, shot, axe_check):
    login("assistant1@demo.kz")
    page.goto(f"{demo.url}/protocols/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("article.pupil-week").first).to_be_visible()  # the week, by pupil
    shot("protocols-dashboard")
    axe_check()
    page.locator("main a[href*='/year/']").first.click()
    expect(page.locator("table.year-grid").first).to_be_visible()
    expect(page.locator(".year-grid .state").first).to_be_visible()
    shot("protocols-pupil-year")
    axe_check()
