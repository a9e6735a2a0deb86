"""Annex Д: a week's log of negative-behaviour incidents (ABC recording) and its summary."""

from django.utils.translation import gettext_lazy as _

from ..schedule import Annex
from .base import AnnexDef
from .fields import (
    INTENSITY_CHOICES,
    MEDIUM,
    AnnexForm,
    choice,
    date_field,
    long_text,
    short_text,
    time_field,
)

BEHAVIOUR_TYPES = [
    ("aggression", _("aggression towards others")),
    ("self_harm", _("self-harm")),
    ("disruption", _("disrupting the lesson")),
    ("refusal", _("refusing tasks")),
    ("leaving", _("leaving the room")),
    ("tantrum", _("tantrum")),
    ("property", _("damaging property")),
    ("other", _("other")),
]


class IncidentForm(AnnexForm):
    incident_date = date_field(_("Date"))
    start = time_field(_("Start time"))
    end = time_field(_("End time"))
    place = short_text(_("Setting / place"))
    antecedent = long_text(_("Antecedent"), max_length=MEDIUM, rows=2)
    behaviour = long_text(_("Behaviour"), max_length=MEDIUM, rows=2)
    behaviour_type = choice(_("Behaviour type"), BEHAVIOUR_TYPES)
    intensity = choice(_("Intensity"), INTENSITY_CHOICES[1:])
    consequence = long_text(_("Consequence / adult's response"), max_length=MEDIUM, rows=2)
    outcome = short_text(_("Outcome"), required=False, max_length=MEDIUM)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        return data


# --- What readers need (the weekly chart, the И flag, the review): names, never string keys ---
INCIDENTS = "incidents"  # the row part in `Protocol.data`
INCIDENT_DATE = "incident_date"
INTENSITY = "intensity"
BEHAVIOUR_TYPE = "behaviour_type"


def incidents(data: dict | None) -> list[dict]:
    """The week's incident rows as the form saved them (malformed entries left out)."""
    rows = data.get(INCIDENTS) if isinstance(data, dict) else None
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


class BehaviourLogForm(AnnexForm):
    summary = long_text(_("Weekly summary"))


ANNEX = AnnexDef(
    code=Annex.D,
    title=_("Protocols of observing negative behaviour"),
    menu_name=_("Behaviour log"),
    form=BehaviourLogForm,
    rows={INCIDENTS: IncidentForm},  # a calm week has none: no minimum
)
