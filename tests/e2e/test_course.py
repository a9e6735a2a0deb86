"""The course in the browser: an administrator scores a cohort and reads the gradebook; a
listener takes the final test end to end."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _open_cohort(page):
    page.get_by_role("link", name="Оқу топтары").first.click()
    page.get_by_role("link", name="2026-1").click()
    expect(page.get_by_role("heading", level=1, name="2026-1")).to_be_visible()


def test_admin_enrols_scores_and_reads_the_gradebook(page, login, shot, axe_check):
    login("course-admin@demo.kz")
    _open_cohort(page)
    shot("course-cohort")
    axe_check()
    page.fill("#id_email", "new-listener@demo.kz")
    page.fill("#id_full_name", "Жаңа Тыңдаушы")
    page.get_by_role("button", name="Тіркеу").click()
    expect(page.get_by_role("cell", name="new-listener@demo.kz")).to_be_visible()

    page.get_by_role("link", name="Бағалар кестесі").click()
    first = page.locator("input.score-input").first
    first.fill("85,5")
    first.press("Tab")
    expect(page.locator("input.score-input").first).to_have_class(re.compile("is-valid"))
    # the Tab moved on to the next cell of the row
    second = page.locator("input.score-input").nth(1)
    expect(second).to_be_focused()
    second.fill("сто")
    second.press("Tab")
    bad = page.locator("input.score-input").nth(1)
    expect(bad).to_have_class(re.compile("is-invalid"))
    expect(bad).to_have_value("сто")
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    shot("course-score-grid")
    axe_check()
    page.reload()
    expect(page.locator("input.score-input").first).to_have_value("85,5")

    page.get_by_role("link", name="Үлгерім журналы").click()
    expect(page.locator("tr[data-listener]")).to_have_count(13)
    row = page.locator('tr[data-listener="listener1@demo.kz"]')
    expect(row).to_contain_text("жіберілді")
    shot("course-gradebook")
    axe_check()
    page.select_option("#show", "provisional")
    page.get_by_role("button", name="Сүзгі").click()
    expect(page.locator('tr[data-listener="listener1@demo.kz"]')).to_have_count(0)


def test_listener_takes_the_final_test(page, login, shot, axe_check):
    login("listener1@demo.kz")
    page.get_by_role("link", name="Менің курсым").first.click()
    page.get_by_role("link", name="2026-1").click()
    expect(page.locator("#my-tu")).to_have_text("92,71")  # (95+90+88+92+100+94+90) / 7
    shot("course-my")
    axe_check()
    my_url = page.url
    # a second tab on the same page before the test starts
    tab = page.context.new_page()
    tab.goto(my_url)
    page.get_by_role("button", name="Қорытынды тестілеуді бастау").click()
    expect(page.locator(".timer-value")).to_have_text(re.compile(r"^4[45]:\d\d$"))
    # the second tab's "start" lands on the same attempt, not a new one
    tab.get_by_role("button", name="Қорытынды тестілеуді бастау").click()
    expect(tab.locator(".timer-value")).to_be_visible()
    assert tab.url.split("?")[0] == page.url.split("?")[0]
    tab.close()
    shot("course-test-question")
    axe_check()
    # answer question 1, reload: the answer is still there (saved as given)
    page.locator("input[name=choice]").first.check()
    expect(page.locator("#answer-status")).not_to_be_empty()
    page.reload()
    expect(page.locator("input[name=choice]").first).to_be_checked()
    page.get_by_role("button", name="Келесі").click()
    # Issue #12 defect 7: a stray tap on Finish only asks, naming what is unanswered
    page.locator("#finish").click()
    expect(page.locator("#unanswered li")).to_have_count(19)
    shot("course-test-finish-confirm")
    axe_check()
    page.locator("#back-to-test").click()
    expect(page.locator(".timer-value")).to_be_visible()  # the attempt is still open
    expect(page).to_have_url(re.compile(r"\?q=2$"))
    # the navigator (issue #13 item 7): one answered, nineteen not
    expect(page.locator("#navigator a.answered")).to_have_count(1)
    expect(page.locator("#navigator a.unanswered")).to_have_count(19)
    for _ in range(19):
        page.locator("input[name=choice]").first.check()
        expect(page.locator("#answer-status")).not_to_be_empty()
        if page.get_by_role("button", name="Келесі").count():
            page.get_by_role("button", name="Келесі").click()
    expect(page.locator("#navigator a.unanswered")).to_have_count(0)
    page.locator("#finish").click()
    expect(page.locator("#unanswered")).to_have_count(0)
    page.locator("#confirm-submit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("нәтиже")
    expect(page.locator("#result-modules tbody tr")).to_have_count(5)
    expect(page.locator("#next-step")).to_be_visible()
    score = page.locator("#result-score").get_attribute("data-score")  # e.g. "65,00"
    shot("course-test-result")
    axe_check()
    page.get_by_role("link", name="Менің курсым").last.click()
    expect(page.locator("#my-test")).not_to_have_text("—")

    # the course administrator's gradebook: the result, and which rule decides the certificate
    page.context.clear_cookies()
    login("course-admin@demo.kz")
    _open_cohort(page)
    page.get_by_role("link", name="Үлгерім журналы").click()
    expect(page.locator("#certificate-rule")).to_contain_text("70 %")
    row = page.locator('tr[data-listener="listener1@demo.kz"]')
    expect(row).to_contain_text(score)
    cell = row.locator("td.certificate-state")
    expect(cell).not_to_be_empty()
    if float(score.replace(",", ".")) < 69.5:
        expect(cell).to_have_attribute("data-blocking", "test_below_70")
        expect(cell).to_contain_text("§8.3")
    shot("course-gradebook-after-test")


def test_programme_page(page, login, shot, axe_check):
    login("listener1@demo.kz")
    page.get_by_role("link", name="Курс бағдарламасы").first.click()
    expect(page.locator("#total-course")).to_have_text("108")
    shot("course-programme")
    axe_check()
