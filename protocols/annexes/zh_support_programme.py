"""Annex Ж: the support programme for a half-year (goals by area) and its year-end report."""

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
    ("not_achieved", _("not achieved")),
]


class GoalForm(AnnexForm):
    area = choice(_("Area"), AREAS)
    goal = short_text(_("Goal"), max_length=MEDIUM)
    tasks = long_text(_("Tasks"), max_length=MEDIUM * 2, rows=2)
    methods = long_text(_("Methods"), max_length=MEDIUM * 2, rows=2)
    responsible = short_text(_("Responsible"))
    timeline = short_text(_("Timeline"))
    expected = long_text(_("Expected result"), max_length=MEDIUM, rows=2)
    # The report: filled at the end of the period.
    achievement = choice(_("Result"), ACHIEVEMENT, required=False)
    evidence = long_text(_("Evidence"), required=False, max_length=MEDIUM * 2, rows=2)


class SupportProgrammeForm(AnnexForm):
    notes = long_text(_("Notes"), required=False)


ANNEX = AnnexDef(
    code=Annex.ZH,
    title=_("Assistant's support programme for the pupil"),
    menu_name=_("Support programme"),
    form=SupportProgrammeForm,
    rows={"goals": GoalForm},
    min_rows={"goals": 1},
)

# --- What readers need (the review's evidence): names, never string keys ---
GOALS = "goals"  # the row part in `Protocol.data` (ANNEX.rows)
GOAL, EXPECTED, RESULT = "goal", "expected", "achievement"  # RESULT: one of ACHIEVEMENT


def goals(data: dict | None) -> list[dict]:
    """The programme's goal rows as the form saved them (malformed entries left out)."""
    rows = data.get(GOALS) if isinstance(data, dict) else None
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
