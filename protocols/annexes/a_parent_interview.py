"""Annex А: the assistant's interview with the parent (SPEC §2)."""

from django.utils.translation import gettext_lazy as _

from ..schedule import Annex
from .base import AnnexDef
from .fields import AnnexForm, long_text, short_text


class ParentInterviewForm(AnnexForm):
    attendees = short_text(_("Who attended"), max_length=500)
    family = long_text(_("Family and living situation"))
    early_development = long_text(_("Pregnancy, birth and early development"), required=False)
    health = long_text(_("Health, diagnoses, medication, allergies"), required=False)
    sleep_eating = long_text(_("Sleep and eating"), required=False)
    self_care = long_text(_("Self-care skills"), required=False)
    communication = long_text(_("Communication and speech"), required=False)
    play_interests = long_text(_("Play and interests"), required=False)
    strengths = long_text(_("Strengths"))
    worries = long_text(_("What worries the parent"))
    calms = long_text(_("What calms the child"), required=False)
    upsets = long_text(_("What upsets the child"), required=False)
    expectations = long_text(_("Parent's expectations for the year"))
    contact = short_text(_("Agreed way and frequency of contact"), max_length=500)


ANNEX = AnnexDef(
    code=Annex.A,
    title=_("Questionnaire for the assistant's interview with the parent"),
    menu_name=_("Parent interview"),
    form=ParentInterviewForm,
)
