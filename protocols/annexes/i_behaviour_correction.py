"""Annex И: correcting negative behaviour, drawn up with the school psychologist."""

from django.utils.translation import gettext_lazy as _

from ..schedule import Annex
from .base import AnnexDef
from .fields import AnnexForm, choice, date_field, long_text, short_text

FUNCTIONS = [
    ("attention", _("attention")),
    ("escape", _("escape")),
    ("sensory", _("sensory")),
    ("tangible", _("tangible")),
]


class BehaviourCorrectionForm(AnnexForm):
    target = long_text(_("Target behaviour"))
    function = choice(_("Function of behaviour"), FUNCTIONS)
    replacement = long_text(_("Replacement behaviour"))
    prevention = long_text(_("Prevention strategies"))
    response = long_text(_("Response strategies"))
    reinforcement = long_text(_("Reinforcement"))
    responsible = short_text(_("Responsible"), max_length=500)
    review_date = date_field(_("Review date"), past_only=False)
    follow_up = long_text(_("Follow-up reviews"), required=False)


ANNEX = AnnexDef(
    code=Annex.I,
    title=_("Protocol of correcting negative behaviour"),
    menu_name=_("Behaviour correction"),
    form=BehaviourCorrectionForm,
    needs_psychologist=True,
    on_demand=True,
)
