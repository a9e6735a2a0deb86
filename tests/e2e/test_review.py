"""The support team's loop in the browser: a specialist works the queue, returns a
conclusion with comments, the assistant resubmits, the specialist approves it and records a
meeting with a next step; the queue, review page and overview pass axe."""

from playwright.sync_api import expect

from protocols.models import Meeting, NextStep, Protocol, ReviewDecision, Status

SPECIALIST = "speech-therapist@demo.kz"
ASSISTANT = "assistant1@demo.kz"


def _switch(page, login, email):
    page.context.clear_cookies()
    login(email)


def test_specialist_returns_approves_and_records_a_meeting(page, demo, login, shot, axe_check):
    conclusion = Protocol.objects.get(annex="G", status=Status.SUBMITTED)
    pupil = conclusion.student
    login(SPECIALIST)
    page.click("#home-review-queue")
    expect(page.locator("#review-queue")).to_contain_text(pupil.full_name)
    shot("review-queue")
    axe_check()

    page.click(f"#review-queue a[href$='/review/{conclusion.pk}/']")
    expect(page.locator("h1")).to_contain_text(pupil.full_name)
    page.fill("[name=comment_goals]", "Мақсатты өлшенетін етіп жазыңыз.")
    page.fill("[name=comment_general]", "Отырыста қаралды.")
    shot("review-conclusion")
    axe_check()
    page.click("button[value=returned]")
    expect(page.locator(".alert-success")).to_be_visible()
    conclusion.refresh_from_db()
    assert conclusion.status == Status.RETURNED

    # The assistant sees the comment in place, revises and resubmits.
    _switch(page, login, ASSISTANT)
    page.goto(f"{demo.url}{conclusion.get_absolute_url()}")
    expect(page.locator(".review-comment").first).to_contain_text("өлшенетін")
    page.fill("[name=goals]", "Нұсқауды екі қадаммен 5 реттің 4-інде орындау.")
    page.click("button[value=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    conclusion.refresh_from_db()
    assert conclusion.status == Status.SUBMITTED

    # The specialist approves the resubmission.
    _switch(page, login, SPECIALIST)
    page.goto(f"{demo.url}/protocols/review/{conclusion.pk}/")
    expect(page.locator(".review-thread")).to_contain_text("Мақсатты өлшенетін")
    expect(page.locator("main")).to_contain_text("5 реттің 4-інде")
    page.fill("[name=text]", "Мақұлданды.")
    page.click("button[value=approved]")
    expect(page.locator(".alert-success")).to_be_visible()
    conclusion.refresh_from_db()
    assert conclusion.status == Status.APPROVED
    assert list(ReviewDecision.objects.filter(protocol=conclusion).values_list("outcome")) == [
        ("returned",),
        ("approved",),
    ]

    # A meeting with the pupil discussed and a next step for the assistant.
    page.goto(f"{demo.url}/protocols/review/meetings/new/")
    page.fill("[name=held_on]", "2026-11-24")
    page.locator("[name=attendees]").first.check()
    page.click("main form button[type=submit]")
    expect(page.locator("#item-form")).to_be_visible()
    page.select_option("[name=pupil]", str(pupil.pk))
    page.select_option("[name=conclusion]", str(conclusion.pk))
    page.fill("[name=decision]", "Логопедпен аптасына екі сабақ.")
    page.fill("[name=step_text]", "Көрнекі кесте жасау")
    responsible = conclusion.author
    page.select_option("[name=responsible]", str(responsible.pk))
    page.fill("[name=due]", "2026-12-01")
    page.click("#item-form button[type=submit]")
    expect(page.locator("#h-items + article")).to_contain_text("Логопедпен аптасына екі сабақ.")
    meeting = Meeting.objects.latest("created_at")  # the demo has one of its own
    assert NextStep.objects.get(item__meeting=meeting).responsible == responsible
    shot("review-meeting")
    axe_check()

    page.goto(f"{demo.url}/protocols/review/overview/")
    expect(page.locator("#overview-classes")).to_be_visible()
    shot("review-overview")
    axe_check()

    # The next step is on the assistant's home.
    _switch(page, login, ASSISTANT)
    expect(page.locator("#my-next-steps")).to_contain_text("Көрнекі кесте жасау")
