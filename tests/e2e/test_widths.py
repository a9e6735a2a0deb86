"""Every key page of every role fits the screen ("Measured"): at 390, 820, 1024 and
1280 px, in Kazakh and Russian, the page does not scroll sideways and no two navbar items
overlap or are cut (the language box shows its whole name). One browser page per role: the
widths and languages are looped inside, so the run stays short."""

import pytest
from django.urls import reverse

from course.models import Cohort, Enrolment
from protocols.models import Protocol
from students.models import Student

WIDTHS = [390, 820, 1024, 1280]
LANGUAGES = ["kk", "ru"]

# What the page measures: sideways scroll, navbar items that overlap, boxes whose text is cut.
MEASURE = """() => {
  const nav = document.querySelector('.app-nav');
  const shown = e => e.offsetParent !== null && e.getClientRects().length > 0;
  const items = [...nav.querySelectorAll(
      '.navbar-brand, .nav-link, .btn, .form-select, .navbar-text, label, .navbar-toggler')]
    .filter(shown);
  const overlaps = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i], b = items[j];
      if (a.contains(b) || b.contains(a)) continue;
      const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
      const dx = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const dy = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (dx > 1 && dy > 1) overlaps.push(a.textContent.trim() + ' / ' + b.textContent.trim());
    }
  }
  const cut = [];
  const ctx = document.createElement('canvas').getContext('2d');
  for (const sel of nav.querySelectorAll('select')) {
    if (!shown(sel)) continue;
    const st = getComputedStyle(sel);
    ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
    const text = sel.options[sel.selectedIndex].text;
    const room = sel.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    if (ctx.measureText(text).width > room + 1) cut.push(text);
  }
  for (const e of items) {
    if (e.tagName !== 'SELECT' && e.scrollWidth > e.clientWidth + 1
        && getComputedStyle(e).textOverflow !== 'ellipsis') cut.push(e.textContent.trim());
  }
  return {scroll: document.documentElement.scrollWidth, inner: innerWidth, overlaps, cut};
}"""


def _pages(role: str) -> list[str]:
    """The key pages of each role, in the demo data."""
    pupil = Student.objects.order_by("pk").first()
    returned = Protocol.objects.filter(annex="G", status="returned").first()
    cohort = Cohort.objects.order_by("pk").first()
    enrolment = Enrolment.objects.filter(listener__email="listener1@demo.kz").first()
    pages = {
        "assistant1@demo.kz": [
            reverse("home"),
            reverse("protocols:dashboard"),
            reverse("students:pupil", args=[pupil.pk]),
            reverse("protocols:pupil_year", args=[pupil.pk]),
            reverse("protocols:incident", args=[pupil.pk]),
            reverse("protocols:edit", args=[returned.pk]),
            reverse("notifications:list"),
        ],
        "psychologist@demo.kz": [
            reverse("home"),
            reverse("students:list"),
            reverse("protocols:review_queue"),
            reverse("protocols:overview"),
            reverse("protocols:meetings"),
            reverse("protocols:review", args=[returned.pk]),
        ],
        "admin@demo.kz": [
            reverse("home"),
            reverse("students:list"),
            reverse("students:pupil", args=[pupil.pk]),
            reverse("students:years"),
            reverse("protocols:overview"),
        ],
        "parent@demo.kz": [reverse("home")],
        "course-admin@demo.kz": [
            reverse("home"),
            reverse("course:cohorts"),
            reverse("course:cohort", args=[cohort.pk]),
            reverse("course:scores", args=[cohort.pk]),
            reverse("grading:gradebook", args=[cohort.pk]),
            reverse("course:questions"),
        ],
        "listener1@demo.kz": [
            reverse("home"),
            reverse("course:my", args=[enrolment.cohort_id]),
            reverse("course:programme"),
        ],
    }
    return pages[role]


def _check(page, url: str, where: str, problems: list[str]) -> None:
    got = page.evaluate(MEASURE)
    if got["scroll"] > got["inner"]:
        problems.append(f"{where} {url}: scrolls sideways ({got['scroll']} > {got['inner']})")
    if got["overlaps"]:
        problems.append(f"{where} {url}: navbar items overlap: {got['overlaps']}")
    if got["cut"]:
        problems.append(f"{where} {url}: navbar text cut: {got['cut']}")


@pytest.mark.parametrize(
    "role",
    [
        "assistant1@demo.kz",
        "psychologist@demo.kz",
        "admin@demo.kz",
        "parent@demo.kz",
        "course-admin@demo.kz",
        "listener1@demo.kz",
    ],
)
def test_key_pages_fit_every_width_in_kk_and_ru(page, login, demo, role):
    login(role)
    pages = _pages(role)
    problems: list[str] = []
    for lang in LANGUAGES:
        page.select_option("#language-select", lang)
        page.wait_for_function(f"document.documentElement.lang === '{lang}'")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for url in pages:
                page.goto(demo.url + url)
                _check(page, url, f"{lang} {width}px", problems)
            if page.locator(".navbar-toggler").is_visible():
                # The collapsed menu, opened: its items must not overlap either.
                page.click(".navbar-toggler")
                page.wait_for_selector("#nav.show")
                _check(page, "(menu open)", f"{lang} {width}px", problems)
    assert not problems, "\n".join(problems)
