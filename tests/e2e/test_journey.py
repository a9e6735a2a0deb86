"""A pupil's autumn across roles, as people do it ("tests that walk the week"):
the assistant fills А, Б twice, Д over four weeks and Г and submits; the psychologist returns
the Г with a comment; the assistant learns it from a notification, fixes and resubmits; the
psychologist approves. Then the Б dynamics show both observations side by side, the Д chart
shows the four weeks, and the pupil is on the psychologist's flagged list once the school's
thresholds are crossed. Every value is typed into the pages; nothing is written behind them."""

from datetime import date, timedelta

from playwright.sync_api import expect

from protocols.models import Protocol, Status
from students.models import School, Student

ASSISTANT = "assistant1@demo.kz"
PSYCHOLOGIST = "psychologist@demo.kz"
WEEKS = [date(2026, 11, 2) + timedelta(weeks=n) for n in range(4)]
AREAS = ("peers", "adults", "play", "speech", "emotions", "motor", "self_care", "rules")


def _switch(page, login, email):
    page.context.clear_cookies()
    login(email)


def _submit(page):
    page.click("button[value=submit]")
    expect(page.locator(".alert-success")).to_be_visible()


def _open(page, demo, pupil, annex, key):
    page.goto(f"{demo.url}/protocols/pupils/{pupil.pk}/{annex}/{key}/")


def _b(page, demo, pupil, key, filled_on, rating):
    _open(page, demo, pupil, "B", key)
    page.fill("[name=filled_on]", filled_on)
    page.select_option("[name=setting]", index=1)
    page.fill("[name=duration]", "20")
    page.fill("[name=summary]", f"Үзілісте бақыланды ({key}).")
    for area in AREAS:
        page.select_option(f"[name={area}_rating]", str(rating))
    _submit(page)


def _incident(page, demo, pupil, day: date):
    page.goto(f"{demo.url}/protocols/pupils/{pupil.pk}/incident/")
    page.fill("[name=incident_date]", day.isoformat())
    page.fill("[name=start]", "10:05")
    page.fill("[name=antecedent]", "Жаңа тапсырма берілді")
    page.fill("[name=behaviour]", "Дәптерін лақтырды")
    page.fill("[name=consequence]", "Қысқа үзіліс берілді")
    page.fill("[name=minutes]", "5")
    page.click("#incident-save")
    page.wait_for_load_state("load")
    errors = page.locator(".alert-danger:visible, .invalid-feedback:visible").all_inner_texts()
    assert not errors, errors


def test_a_pupils_autumn_from_assistant_to_psychologist_and_back(page, demo, login, shot):
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size({"width": 1024, "height": 768})  # the assistant's tablet
    pupil = Student.objects.filter(assignments__assistant__email=ASSISTANT).order_by("pk")[0]
    # The school's thresholds for suggesting И: one incident a week, two weeks running.
    School.objects.filter(pk=pupil.school_id).update(
        flag_incidents_per_week=1, flag_consecutive_weeks=2
    )
    login(ASSISTANT)

    _open(page, demo, pupil, "A", "A:september")
    page.fill("[name=filled_on]", "2026-09-03")
    for name in ("attendees", "family", "strengths", "worries", "expectations", "contact"):
        page.fill(f"[name={name}]", f"Анасымен әңгіме: {name}.")
    _submit(page)

    _b(page, demo, pupil, "B:september", "2026-09-04", 1)
    _b(page, demo, pupil, "B:half_year", "2026-11-30", 3)

    # Four school weeks of November (after the autumn break), one incident each, logged late.
    for monday in WEEKS:
        _incident(page, demo, pupil, monday + timedelta(days=1))

    _open(page, demo, pupil, "G", "G:september")
    page.fill("[name=filled_on]", "2026-09-11")
    for name in ("observations", "strengths", "difficulties", "adaptations", "goals"):
        page.fill(f"[name={name}]", f"Тұжырымдама: {name}.")
    _submit(page)
    conclusion = Protocol.objects.get(student=pupil, annex="G", window_key="G:september")
    assert conclusion.status == Status.SUBMITTED

    # The psychologist returns it with a comment.
    _switch(page, login, PSYCHOLOGIST)
    page.goto(f"{demo.url}/protocols/review/{conclusion.pk}/")
    page.fill("[name=comment_goals]", "Мақсатты өлшенетін етіп жазыңыз.")
    page.click("button[value=returned]")
    expect(page.locator(".alert-success")).to_be_visible()

    # The assistant learns it from a notification, fixes the goals and resubmits.
    _switch(page, login, ASSISTANT)
    page.goto(f"{demo.url}/notifications/")
    notice = page.locator(
        "article.card", has=page.locator(f"a[href='{conclusion.get_absolute_url()}']")
    )
    expect(notice.first).to_be_visible()
    shot("journey-returned-notice")
    notice.first.locator(f"a[href='{conclusion.get_absolute_url()}']").click()
    expect(page.locator(".review-comment").first).to_contain_text("өлшенетін")
    page.fill("[name=goals]", "Нұсқауды екі қадаммен 5 реттің 4-інде орындау.")
    _submit(page)

    # The psychologist approves the resubmission.
    _switch(page, login, PSYCHOLOGIST)
    page.goto(f"{demo.url}/protocols/review/{conclusion.pk}/")
    page.click("button[value=approved]")
    expect(page.locator(".alert-success")).to_be_visible()
    conclusion.refresh_from_db()
    assert conclusion.status == Status.APPROVED

    # What the team reads now shows what was typed.
    page.goto(f"{demo.url}/protocols/review/flagged/")
    expect(page.locator("main")).to_contain_text(pupil.full_name)
    page.goto(f"{demo.url}/protocols/pupils/{pupil.pk}/year/")
    first_row = page.locator("table.b-dynamics tbody tr").first.locator("td")
    expect(first_row.nth(0)).to_contain_text("1")
    expect(first_row.nth(1)).to_contain_text("3")
    # A bar per school week: each of the four weeks logged above counts its incident.
    bars = dict(
        t.split(": ") for t in page.locator("figure.d-chart rect title").all_text_contents()
    )
    for monday in WEEKS:
        week = monday.strftime("%d.%m.%Y")
        assert int(bars.get(week, 0)) >= 1, (week, bars)
    shot("journey-dynamics")
