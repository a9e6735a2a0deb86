"""The assistant's week in a browser: Д in at most six interactions and К within two
minutes, counted and timed the same way each run (figures in docs/PERFORMANCE.md), and axe
with WCAG 2.2 target size on the assistant's and the support team's key pages."""

import json
import time
from pathlib import Path

from playwright.sync_api import expect

from protocols.models import Protocol

OUT = Path(__file__).resolve().parents[2] / "test-output"

# Keystroke-Level Model (Card, Moran & Newell) for a practised user: each tap is a mental
# step, pointing and the tap itself; each key an average typist's keystroke. The machine's
# own time (page loads, saves) is measured and added.
MENTAL, POINT, TAP, KEY = 1.35, 1.1, 0.2, 0.28


class Counter:
    """Counts what a person does: taps, and keys typed."""

    def __init__(self, page):
        self.page, self.taps, self.keys, self.machine = page, 0, 0, 0.0

    def tap(self, locator):
        started = time.perf_counter()
        locator.click()
        self.page.wait_for_load_state("load")
        self.machine += time.perf_counter() - started
        self.taps += 1

    def type(self, locator, text: str):
        locator.click()  # focusing the field is a tap
        self.taps += 1
        locator.press_sequentially(text, delay=0)
        self.keys += len(text)

    def figures(self) -> dict:
        person = self.taps * (MENTAL + POINT + TAP) + self.keys * KEY
        return {
            "interactions": self.taps,
            "keystrokes": self.keys,
            "machine_s": round(self.machine, 2),
            "estimated_person_s": round(person + self.machine, 1),
        }


def _record(name: str, figures: dict) -> None:
    OUT.mkdir(exist_ok=True)
    path = OUT / "quick-entry.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved[name] = figures
    path.write_text(json.dumps(saved, indent=2, ensure_ascii=False))
    print(name, figures)  # noqa: T201  the figures for docs/PERFORMANCE.md


def test_incident_in_six_interactions_from_home(page, login, demo, shot, axe_check):
    page.set_viewport_size({"width": 1024, "height": 768})  # the tablet of the issue
    login("assistant1@demo.kz")
    axe_check()  # the home page, with the week grouped by pupil
    count = Counter(page)
    card = page.locator("article.pupil-week").first
    pupil_id = int(card.get_attribute("data-pupil"))
    before = Protocol.objects.filter(student_id=pupil_id, annex="D").count()
    count.tap(card.locator("[data-quick-incident]"))
    expect(page.locator("#incident-form")).to_be_visible()
    shot("quick-incident")
    axe_check()
    for part in ("antecedent", "behaviour", "consequence"):
        count.tap(page.locator(f"input[name={part}_pick] + label").first)
    count.tap(page.locator("label[for=id_minutes_pick_2]"))  # 5 minutes
    count.tap(page.locator("#incident-save"))
    page.wait_for_url(f"{demo.url}/")  # back home, where the assistant was
    figures = count.figures()
    _record("D incident from home", figures)
    assert figures["interactions"] <= 6
    assert figures["estimated_person_s"] <= 20
    logs = Protocol.objects.filter(student_id=pupil_id, annex="D")
    assert sum(len(p.data.get("incidents", [])) for p in logs) >= 1
    assert logs.count() in (before, before + 1)  # joined or opened this week's log


def test_weeks_communication_sheet_within_two_minutes(page, login, demo):
    page.set_viewport_size({"width": 1024, "height": 768})
    login("assistant1@demo.kz")
    count = Counter(page)
    card = page.locator("article.pupil-week").first
    count.tap(card.locator("a[href*='/K/K:']").first)  # this week's К: its thread
    form = page.locator("#new-entry")
    count.type(
        form.locator("textarea[name=message]"),
        "Бүгін математикада тапсырманы көрнекі кестемен толық орындады.",
    )
    count.type(
        form.locator("textarea[name=recommendations]"),
        "Үйде кешкі кестені суретпен бірге қайталаңыз.",
    )
    count.tap(form.locator("button[type=submit]"))
    expect(page.locator(".sheet-entry").last).to_contain_text("көрнекі кестемен")
    figures = count.figures()
    _record("K weekly sheet from home", figures)
    assert figures["estimated_person_s"] <= 120


def test_key_pages_pass_axe_with_target_size(page, login, demo):
    from axe_playwright_python.sync_playwright import Axe

    from tests.e2e.conftest import AXE_OPTIONS

    axe = Axe()
    found = []
    for email, paths in [
        ("assistant1@demo.kz", ["/", "/protocols/", "/pupils/"]),
        ("psychologist@demo.kz", ["/", "/protocols/review/", "/protocols/review/overview/"]),
    ]:
        page.context.clear_cookies()
        login(email)
        for path in paths:
            page.goto(demo.url + path)
            result = axe.run(page, options=AXE_OPTIONS)
            if result.violations_count:
                found.append(f"{email} {path}\n{result.generate_report()}")
    assert not found, "\n".join(found)
