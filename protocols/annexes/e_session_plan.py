"""Annex Е: the week's plan of individual sessions with the pupil."""

from django.utils.translation import gettext_lazy as _

from ..schedule import Annex
from .base import AnnexDef
from .fields import MEDIUM, AnnexForm, date_field, long_text, short_text


class SessionForm(AnnexForm):
    session_date = date_field(_("Date"), past_only=False)  # a plan looks ahead
    goal = short_text(_("Goal"), max_length=MEDIUM)
    content = long_text(_("Content and exercises"), max_length=MEDIUM * 2, rows=2)
    materials = short_text(_("Materials"), required=False, max_length=MEDIUM)
    result = long_text(_("Result / notes"), required=False, max_length=MEDIUM * 2, rows=2)


class SessionPlanForm(AnnexForm):
    notes = long_text(_("Notes"), required=False)


ANNEX = AnnexDef(
    code=Annex.E,
    title=_("Plan of the assistant's individual sessions with the pupil"),
    menu_name=_("Session plan"),
    form=SessionPlanForm,
    rows={"sessions": SessionForm},
    min_rows={"sessions": 1},
)
