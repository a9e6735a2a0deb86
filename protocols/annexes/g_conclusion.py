"""Annex Г: the assistant's conclusion for the support-team meeting, reviewed by the team."""

from django.utils.translation import gettext_lazy as _

from ..schedule import Annex
from .base import AnnexDef
from .fields import AnnexForm, long_text


class ConclusionForm(AnnexForm):
    # Each field is a section the support team may comment on when returning the conclusion.
    observations = long_text(_("Summary of observations"), rows=5)
    strengths = long_text(_("Strengths"))
    difficulties = long_text(_("Difficulties"))
    dynamics = long_text(_("Dynamics since the last conclusion"), required=False)
    adaptations = long_text(_("Proposals: adaptations"))
    specialist_work = long_text(_("Proposals: work of specialists"), required=False)
    goals = long_text(_("Proposals: goals"))


ANNEX = AnnexDef(
    code=Annex.G,
    title=_("Assistant's conclusion on the pupil for the support-team meeting"),
    menu_name=_("Conclusion"),
    form=ConclusionForm,
    needs_review=True,
)
