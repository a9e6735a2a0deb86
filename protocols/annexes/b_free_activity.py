"""Annex Б: observing the pupil's free activity, rated 0–3 per area (SPEC §2)."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..schedule import Annex
from .base import AnnexDef
from .fields import MEDIUM, AnnexForm, choice, long_text, rating, short_text

SETTINGS = [
    ("break", _("break")),
    ("canteen", _("canteen")),
    ("play_area", _("play area")),
    ("other", _("other")),
]
# The rated areas, in the order of the printed form; the dynamics view reads these names.
AREAS = [
    ("peers", _("Contact with peers")),
    ("adults", _("Contact with adults")),
    ("play", _("Play activity")),
    ("speech", _("Communication and speech")),
    ("emotions", _("Emotional state")),
    ("motor", _("Motor activity")),
    ("self_care", _("Independence and self-care")),
    ("rules", _("Following rules")),
]


class FreeActivityForm(AnnexForm):
    setting = choice(_("Setting"), SETTINGS)
    setting_note = short_text(_("Setting, in detail"), required=False)
    duration = forms.IntegerField(label=_("Duration, minutes"), min_value=1, max_value=600)
    summary = long_text(_("Summary"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each rated area: a 0–3 score and a note, declared once from AREAS.
        for name, label in AREAS:
            self.fields[f"{name}_rating"] = rating(label, required=self.strict)
            self.fields[f"{name}_note"] = short_text(
                format_lazy("{}: {}", label, _("note")), required=False, max_length=MEDIUM
            )
        self.order_fields(
            ["setting", "setting_note", "duration"]
            + [f"{n}_{s}" for n, _label in AREAS for s in ("rating", "note")]
        )


ANNEX = AnnexDef(
    code=Annex.B,
    title=_("Protocol of observing the pupil's free activity"),
    menu_name=_("Free activity"),
    form=FreeActivityForm,
)
