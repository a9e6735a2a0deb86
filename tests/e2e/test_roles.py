import pytest
from playwright.sync_api import expect

ROLES = [
    ("assistant1@demo.kz", "Менің оқушыларым"),
    ("psychologist@demo.kz", "ППМС"),  # this demo user prefers Russian
    ("admin@demo.kz", "Мектеп әкімшілігі"),
    ("parent@demo.kz", "Менің балам"),
]


@pytest.mark.parametrize("email,heading", ROLES)
def test_each_role_sees_its_home(page, login, shot, axe_check, email, heading):
    login(email)
    expect(page.locator("h2").filter(has_text=heading).first).to_be_visible()
    shot(f"home-{email.split('@')[0]}")
    axe_check()


def test_switch_language_is_remembered(page, login, demo, shot):
    login("assistant1@demo.kz")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.select_option("#language-select", "ru")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="Рабочий стол")).to_be_visible()
    shot("home-assistant-ru")
    # a new browser session: the account remembers Russian
    page.context.clear_cookies()
    login("assistant1@demo.kz")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_login_page_is_accessible(page, demo, shot, axe_check):
    page.goto(f"{demo.url}/accounts/login/")
    shot("login")
    axe_check()


def test_pupil_list_and_record(page, login, shot, axe_check):
    login("admin@demo.kz")
    page.click("nav >> text=Оқушылар")
    expect(page.locator("table tbody tr")).to_have_count(30)
    shot("pupils-admin")
    axe_check()
    page.locator("table tbody a").first.click()
    expect(
        page.get_by_role("heading", level=2, name="ПМПК ұсынымы").or_(page.locator("h3")).first
    ).to_be_visible()
    shot("pupil-record")
    axe_check()


def test_touch_targets_on_a_tablet(page, login):
    page.set_viewport_size({"width": 820, "height": 1180})
    login("admin@demo.kz")
    page.goto(page.url + "pupils/")
    small = page.evaluate(
        """() => [...document.querySelectorAll('a.btn, button, input, select')]
            .filter(e => e.offsetParent !== null)
            .map(e => e.getBoundingClientRect())
            .filter(r => r.height < 24 || r.width < 24).length"""
    )
    assert small == 0
