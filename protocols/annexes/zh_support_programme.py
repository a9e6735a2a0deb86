"""Annex Ж: the support programme for a half-year (goals by area) and its year-end report.

Goals are carried through the year: the II half-year programme opens with the I half-year's
goals (each carried, revised or closed), and the report opens with the programme's open
goals, each needing a result and a comment before the report can be submitted.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..schedule import Annex
from .base import AnnexDef
from .fields import MEDIUM, AnnexForm, choice, long_text, short_text

AREAS = [
    ("learning", _("learning")),
    ("communication", _("communication")),
    ("social", _("social-behavioural")),
    ("self_care", _("self-care")),
    ("motor", _("motor")),
]
ACHIEVEMENT = [
    ("achieved", _("achieved")),
    ("partly", _("partly achieved")),
    ("not_achieved", _("not yet")),
]
CONTINUATION = [
    ("carried", _("carried over")),
    ("revised", _("revised")),
    ("closed", _("closed")),
    ("new", _("new")),
]
PROGRAMME_1, PROGRAMME_2, REPORT = "ZH:programme_1", "ZH:programme_2", "ZH:report"
REPORT_STAGE = "report"  # a goal row that must be reported on
# What a goal is, whichever window it sits in (the result fields are the report's).
GOAL_FIELDS = ("area", "goal", "tasks", "methods", "responsible", "timeline", "expected")


class GoalForm(AnnexForm):
    area = choice(_("Area"), AREAS)
    goal = short_text(_("Goal"), max_length=MEDIUM)
    tasks = long_text(_("Tasks"), max_length=MEDIUM * 2, rows=2)
    methods = long_text(_("Methods"), max_length=MEDIUM * 2, rows=2)
    responsible = short_text(_("Responsible"))
    timeline = short_text(_("Timeline"))
    expected = long_text(_("Expected result"), max_length=MEDIUM, rows=2)
    # II half-year: what became of an I half-year goal.
    continuation = choice(_("From the I half-year"), CONTINUATION, required=False)
    # The report: filled at the end of the period.
    achievement = choice(_("Result"), ACHIEVEMENT, required=False)
    evidence = long_text(_("Comment on the result"), required=False, max_length=MEDIUM * 2, rows=2)
    stage = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if self.strict and data.get("stage") == REPORT_STAGE:
            if not data.get("achievement"):
                self.add_error("achievement", _("Give the result of this goal."))
            if not data.get("evidence"):
                self.add_error("evidence", _("Add a comment on the result."))
        return data


class SupportProgrammeForm(AnnexForm):
    notes = long_text(_("Notes"), required=False)


def carried_goals(window_key: str, earlier: dict[str, dict]) -> dict:
    """What a new Ж window opens with, from the year's earlier Ж protocols (by window key):
    the II half-year programme starts from the I half-year's goals, the report from the
    latest programme's goals that were not closed."""

    def goals_of(key: str) -> list[dict]:
        return [g for g in (earlier.get(key) or {}).get("goals") or [] if isinstance(g, dict)]

    def goal(row: dict) -> dict:
        return {k: row[k] for k in GOAL_FIELDS if k in row}

    if window_key == PROGRAMME_2:
        return {"goals": [{**goal(g), "continuation": "carried"} for g in goals_of(PROGRAMME_1)]}
    if window_key == REPORT:
        source = goals_of(PROGRAMME_2) or goals_of(PROGRAMME_1)
        kept = [g for g in source if g.get("continuation") != "closed"]
        return {"goals": [{**goal(g), "stage": REPORT_STAGE} for g in kept]}
    return {}


ANNEX = AnnexDef(
    code=Annex.ZH,
    title=_("Assistant's support programme for the pupil"),
    menu_name=_("Support programme"),
    form=SupportProgrammeForm,
    rows={"goals": GoalForm},
    min_rows={"goals": 1},
    initial=carried_goals,
)

# --- What readers need (the review's evidence): names, never string keys ---
GOALS = "goals"  # the row part in `Protocol.data` (ANNEX.rows)
GOAL, EXPECTED, RESULT = "goal", "expected", "achievement"  # RESULT: one of ACHIEVEMENT


def goals(data: dict | None) -> list[dict]:
    """The programme's goal rows as the form saved them (malformed entries left out)."""
    rows = data.get(GOALS) if isinstance(data, dict) else None
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
