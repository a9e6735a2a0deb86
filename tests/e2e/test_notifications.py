from django.core.management import call_command
from playwright.sync_api import expect

from assistant_portal.accounts.models import User


def test_digest_in_the_notification_list(page, login, demo, shot, axe_check):
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115  this week
    assistant = User.objects.get(email="assistant1@demo.kz")
    assert assistant.notifications.exists(), "the demo assistant has something due this week"
    login("assistant1@demo.kz")
    badge = page.locator(".app-nav a[href='/notifications/'] .badge")
    # the digest and whatever the demo's week already told the assistant
    unread = assistant.notifications.unread().count()
    expect(badge).to_contain_text(str(unread))
    page.click(".app-nav a[href='/notifications/']")
    expect(page.get_by_role("heading", level=1)).to_have_text("Хабарландырулар")
    expect(page.locator("article h2").first).to_contain_text("Апталық хабарлама")  # newest first
    shot("notifications-list")
    axe_check()
    first = page.locator("article").first
    first.get_by_role("button", name="Оқылды деп белгілеу", exact=True).click()
    if unread > 1:
        expect(badge).to_contain_text(str(unread - 1))
    else:
        expect(badge).to_have_count(0)


def test_reminder_settings(page, login, demo, shot, axe_check):
    login("assistant1@demo.kz")
    page.goto(f"{demo.url}/notifications/preferences/")
    shot("notification-preferences")
    axe_check()
    page.get_by_label("Апталық хабарламаны электрондық поштамен жіберу").uncheck()
    page.get_by_role("button", name="Сақтау").click()
    expect(page.locator(".alert")).to_contain_text("Сақталды")
    assert not User.objects.get(email="assistant1@demo.kz").notification_preference.email
