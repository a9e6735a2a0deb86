"""The region's oversight specialist on a tablet and a phone: region → district → school,
figures only, accessible, nothing wider than the screen."""

from playwright.sync_api import expect


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_region_to_school_figures_without_a_child(page, login, shot, axe_check):
    page.set_viewport_size({"width": 1024, "height": 768})
    login("oversight@demo.kz")  # prefers Russian
    page.get_by_role("link", name="Открыть показатели").click()
    expect(page.locator("h1")).to_have_text("город Алматы")
    expect(page.locator("#oversight-table tbody tr")).to_have_count(3)  # 2 districts + total
    shot("oversight-region")
    axe_check()
    _fits(page)
    page.locator("#oversight-table tbody th a", has_text="Алмалинский район").click()
    expect(page.locator("h1")).to_have_text("Алмалинский район")
    shot("oversight-district")
    axe_check()
    page.locator("#oversight-table tbody th a").first.click()
    expect(page.locator("#oversight-annexes")).to_be_visible()
    html = page.content()
    assert "/pupils/" not in html and "/protocols/" not in html
    page.set_viewport_size({"width": 390, "height": 844})
    shot("oversight-school-phone")
    _fits(page)
    axe_check()
