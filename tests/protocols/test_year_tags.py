"""The year page's tags (DECISIONS: the pupil year drawn in tags) against the templates they
replaced: the same HTML up to whitespace, in every language, with the parts a person typed
escaped."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from protocols import dynamics
from protocols.selectors import PERIOD_LABELS, TERM_PERIODS, pupil_years, year_grid
from protocols.templatetags import protocols_tags as tags

from .factories import ProtocolFactory
from .filling import b_observation, behaviour_week, fill_annex, incident

TODAY = date(2026, 11, 25)
# The templates the tags replaced: _d_chart.html (its coordinates unlocalised) and
# _b_dynamics.html verbatim, the term grid's loops of pupil_year.html, and the weekly row as
# the week_row tag drew it before (PC3).
REFERENCE = Path(__file__).parent / "year_tags_reference"


def _squeezed(html) -> str:
    return re.sub(r"\s*(<[^>]*>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def _rendered(name: str, ctx: dict) -> str:
    source = (REFERENCE / f"{name}.html").read_text()
    return _squeezed(engines["django"].from_string(source).render(ctx))


@pytest.fixture
def year(cast, monkeypatch):
    """A pupil's year with a handed-in А, Б at two observations and Д in three weeks, Б and Д
    filled through their forms; one Д week a draft whose incident has a type the form does not
    know (a label taken as typed, to be escaped)."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    ProtocolFactory(
        student=cast.pupil,
        author=cast.assistant,
        annex="A",
        window_key="A:september",
        status="approved",
    )
    fill_annex(cast.pupil, "B", b_observation(peers=1), cast.assistant, window_key="B:september")
    fill_annex(
        cast.pupil,
        "B",
        b_observation(peers=2, adults=1, play=None),
        cast.assistant,
        window_key="B:half_year",
        submit=False,
    )
    behaviour_week(cast.pupil, cast.assistant, date(2026, 9, 7), [incident(date(2026, 9, 8))])
    monday = date(2026, 11, 16)
    behaviour_week(
        cast.pupil,
        cast.assistant,
        monday,
        [incident(monday, intensity=1), incident(monday + timedelta(days=1), intensity=2)],
    )
    # A draft keeps a value the form refuses as typed (DECISIONS 19): the type's label is
    # shown as stored, so it must come out escaped. No intensity: the week has no mean.
    odd = {"incident_date": "2026-10-06", "behaviour_type": "<b>&x"}
    fill_annex(
        cast.pupil,
        "D",
        {"incidents": [odd]},
        cast.assistant,
        window_key="D:2026-10-05",
        submit=False,
    )
    (py,) = pupil_years([cast.pupil], TODAY, fields=None)
    return py


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_dynamics_tags_draw_what_the_templates_drew(year, language):
    with translation.override(language):
        ctx = dynamics.pupil_dynamics(year, TODAY)
        assert ctx["b_rows"] and ctx["d_chart"] and len(ctx["d_weeks"]) == 3
        d = tags.d_dynamics(ctx["d_chart"], ctx["d_weeks"], ctx["d_types"])
        assert _squeezed(d) == _rendered("d_chart", ctx)
        assert "&lt;b&gt;&amp;x" in d and "<b>&x" not in d  # a type as typed, escaped
        b = tags.b_dynamics_table(ctx["b_rows"])
        assert _squeezed(b) == _rendered("b_dynamics", ctx)
        assert 'class="up"' in b and 'class="down"' in b
        # Nothing to draw: the same words as the templates.
        empty = {"b_rows": None, "d_chart": None, "d_weeks": [], "d_types": []}
        assert _squeezed(tags.d_dynamics(None, [], [])) == _rendered("d_chart", empty)
        assert _squeezed(tags.b_dynamics_table(None)) == _rendered("b_dynamics", empty)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_chart_coordinates_are_numbers_in_every_language(year, language):
    # The template localised them: cy="56,7" in kk and ru, which a browser does not draw.
    with translation.override(language):
        ctx = dynamics.pupil_dynamics(year, TODAY)
        svg = tags.d_dynamics(ctx["d_chart"], ctx["d_weeks"], ctx["d_types"]).split("</svg>")[0]
    values = re.findall(r'\b(?:x|y|x2|y1|y2|cx|cy|width|height)="([^"]*)"', svg)
    assert values and any("." in v for v in values)  # fractional coordinates are drawn
    for value in values:
        float(value)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_grid_tags_draw_what_the_templates_drew(year, language):
    grid = year_grid(year.cells)
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    past, coming = grid.weeks_split(TODAY)
    with translation.override(language):
        ctx = {"grid": grid, "this_monday": this_monday}
        term_list = tags.term_list(grid.term_rows)
        assert _squeezed(term_list) == _rendered("term_list", ctx)
        assert _squeezed(tags.term_table(grid.term_rows)) == _rendered("term_table", ctx)
        for rows in (past, coming):
            drawn = tags.week_rows(rows, this_monday)
            assert _squeezed(drawn) == _rendered("week_rows", {**ctx, "rows": rows})
        assert "this-week" in tags.week_rows(coming, this_monday)
    pdf = reverse("protocols:pdf", args=[year.protocols[0].pk])
    assert f'href="{pdf}"' in term_list  # the PDF link reversed once, the id put in its place


def test_year_page_draws_the_tags(cast, client, year):
    """The page puts the tags where the loops were: the term periods' headings, the chart."""
    client.force_login(cast.assistant)
    html = client.get(reverse("protocols:pupil_year", args=[cast.pupil.pk])).content.decode()
    assert html.count('<h3 class="h6 mt-3 mb-1">') == len(year_grid(year.cells).term_rows)
    assert len(TERM_PERIODS) == 6 and str(PERIOD_LABELS[TERM_PERIODS[0]]) in html
    assert "<svg" in html and "&lt;b&gt;&amp;x" in html
