"""The week's cards (`week_groups`, protocols_tags) against the template they replaced."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from protocols.selectors import assistant_dashboard, filter_week
from tests.factories import AssignmentFactory, StudentFactory

from .factories import protocol_of

TODAY = date(2026, 11, 25)

# templates/protocols/_week.html as it was before the tag: every branch of the card.
OLD_WEEK = (Path(__file__).parent / "week_before_tag.html").read_text()
NEW_WEEK = "{% load protocols_tags %}{% week_groups groups expanded readonly on_pupil_page %}"


def _render(source, groups, **flags):
    request = RequestFactory().get("/protocols/", {"state": "overdue", "q": '<a href="x">&'})
    return Template(source).render(Context({"groups": groups, "request": request, **flags}))


def _same(html):
    return re.sub(r"\s+", " ", html).strip()


@pytest.fixture
def board(cast):
    odd = StudentFactory(school=cast.school, last_name="<b>\"Әбі&лов'", first_name="<i>")
    AssignmentFactory(student=odd, assistant=cast.assistant)
    protocol_of(cast, annex="G", window_key="G:september", status="returned")
    protocol_of(cast, annex="A", window_key="A:september", status="draft")
    protocol_of(cast, annex="B", window_key="B:X", status="draft", due=None)
    board = assistant_dashboard(cast.assistant, TODAY)
    # A backlog longer than the 12 shown, for the link to all of them.
    backlog = board.pupils[0].backlog[0]
    backlog.items = (backlog.items * 13)[:13]
    return board


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"expanded": True},
        {"readonly": True, "on_pupil_page": True},
        {"readonly": True, "expanded": True},
    ],
)
def test_week_groups_draw_the_templates_markup(board, language, flags):
    groups = filter_week(board)
    assert any(b.count > 12 for g in groups for b in g.backlog)
    assert any(p.due is None for g in groups for p in g.drafts)
    with translation.override(language):
        new = _render(NEW_WEEK, groups, **flags)
        assert _same(new) == _same(_render(OLD_WEEK, groups, **flags))
        assert _same(_render(NEW_WEEK, [])) == _same(_render(OLD_WEEK, []))  # "Nothing here."


def test_week_groups_escape_names_and_link_like_reverse(board, cast):
    with translation.override("en"):
        html = _render(NEW_WEEK, filter_week(board))
    assert "<b>" not in html and "<i>" not in html and "&lt;b&gt;&quot;" in html
    query = "%3Fstate%3Doverdue%26q%3D%253Ca%2Bhref%253D%2522x%2522%253E%2526"
    assert f'next=/protocols/{query}"' in html  # the page's path and query, quoted
    pk = cast.pupil.pk
    for url in (
        reverse("students:pupil", args=[pk]),
        reverse("protocols:incident", args=[pk]),
        reverse("protocols:pupil_year", args=[pk]),
        reverse("protocols:window", args=[pk, "D", "D:2026-11-23"]),
        f"{reverse('protocols:dashboard')}?pupil={pk}&amp;annex=",
        *(reverse("protocols:edit", args=[p.pk]) for p in board.pupils[0].drafts),
    ):
        assert f'href="{url}' in html
