"""The К exchange across roles (issues #12 and #15): the assistant writes on the week's sheet;
the parent is notified, finds it from home, reads and replies; a specialist writes too; the
assistant is notified and sees both."""

from django.utils import timezone
from playwright.sync_api import expect

from protocols.communication import current_sheet_key
from students.models import Student


def _as(page, login, email):
    page.context.clear_cookies()
    login(email)


def test_assistant_parent_and_specialist_write_on_the_weekly_sheet(
    page, demo, login, shot, axe_check
):
    pupil = Student.objects.get(guardians__user__email="parent@demo.kz")
    key = current_sheet_key(pupil, today=timezone.localdate())
    sheet = f"{demo.url}/protocols/sheets/{pupil.pk}/{key}/"

    # the assistant writes this week's entry
    login("assistant1@demo.kz")
    page.goto(sheet)
    axe_check()
    page.fill("[name=message]", "Бүгін әріптерді өзі оқыды.")
    page.fill("[name=recommendations]", "Үйде күніне 10 минут оқыңыз.")
    page.click("#new-entry button[type=submit]")
    expect(page.locator("[data-entry-message]")).to_have_text(["Бүгін әріптерді өзі оқыды."])

    # the parent: a notice in the navbar, the sheet on the home page with one unread entry
    _as(page, login, "parent@demo.kz")
    expect(page.locator("nav .badge")).to_have_text("1 оқылмаған")
    # this week's sheet, with the one new entry (the demo's earlier weeks have their own)
    link = page.locator(f"[data-child-sheets='{pupil.pk}'] a[href$='/{key}/'][data-unread='1']")
    expect(link).to_have_count(1)
    shot("k-parent-home")
    axe_check()
    link.click()
    expect(page.locator(".sheet-entry")).to_have_count(1)  # once, with one reply box
    expect(page.locator("textarea[name=reply]")).to_have_count(1)
    day = timezone.localdate().strftime("%d.%m.%Y")  # the Kazakh format, never ISO
    expect(page.locator("[data-entry-date]")).to_have_text(day)
    expect(page.locator("[data-entry-role]")).to_have_text("(педагог-ассистент)")
    page.fill("textarea[name=reply]", "Рақмет, оқимыз.")
    page.click("[data-reply-form] button[type=submit]")
    expect(page.locator("[data-entry-reply]")).to_contain_text("Рақмет, оқимыз.")
    axe_check()

    # a specialist of the school writes as well (a Russian-speaking speech therapist)
    _as(page, login, "speech-therapist@demo.kz")
    page.goto(sheet)
    page.fill("[name=message]", "Добавила упражнения на звук Р.")
    page.click("#new-entry button[type=submit]")
    expect(page.locator("[data-entry-role]").nth(1)).to_have_text("(логопед)")

    # the assistant: told of the reply, sees the reply and the specialist's entry
    _as(page, login, "assistant1@demo.kz")
    page.goto(f"{demo.url}/notifications/")
    page.locator("article", has_text="Гүлнар Ахметова").get_by_role("link").first.click()
    expect(page).to_have_url(sheet)
    expect(page.locator("[data-entry-reply]")).to_contain_text("Рақмет, оқимыз.")
    expect(page.locator("[data-entry-message]")).to_have_text(
        ["Бүгін әріптерді өзі оқыды.", "Добавила упражнения на звук Р."]
    )
    shot("k-assistant-sees-reply")


def test_the_parents_card_of_their_child(page, demo, login, shot, axe_check):
    pupil = Student.objects.get(guardians__user__email="parent@demo.kz")
    login("parent@demo.kz")
    page.locator("table tbody a", has_text=pupil.full_name).click()
    expect(page).to_have_url(f"{demo.url}/protocols/children/{pupil.pk}/")
    expect(page.locator("#child-card")).to_contain_text("+7 727 300 12 12")
    expect(page.locator("body")).not_to_contain_text(pupil.pmpc_text)
    shot("parent-child-card")
    axe_check()
