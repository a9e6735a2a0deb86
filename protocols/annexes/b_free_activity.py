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
# The rated areas, in the order of the printed form.
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

# --- What readers need (the dynamics, the review's evidence): names, never string keys ---
SUMMARY = "summary"


def rating_field(area: str) -> str:
    """The form field (and `Protocol.data` key) holding an area's 0–3 score."""
    return f"{area}_rating"


def note_field(area: str) -> str:
    return f"{area}_note"


def ratings(data: dict | None) -> dict[str, object]:
    """Each area's stored score as the form saved it (a reader still checks the range)."""
    data = data if isinstance(data, dict) else {}
    return {area: data.get(rating_field(area)) for area, _label in AREAS}


def _area_fields() -> dict:
    """Each rated area: a 0–3 score and a note, declared once from AREAS. Declared on the
    class (not in __init__), so everything reading `form.base_fields` — print, anonymisation,
    export — knows them."""
    fields = {}
    for name, label in AREAS:
        fields[rating_field(name)] = rating(label)
        fields[note_field(name)] = short_text(
            format_lazy("{}: {}", label, _("note")), required=False, max_length=MEDIUM
        )
    return fields


# Built with type() so the area fields sit between the duration and the summary, in the
# printed form's order (a form's fields follow its class's attribute order).
FreeActivityForm = type(
    "FreeActivityForm",
    (AnnexForm,),
    {
        "__module__": __name__,
        "__doc__": "Annex Б: setting, duration, a score and a note per area, the summary.",
        "setting": choice(_("Setting"), SETTINGS),
        "setting_note": short_text(_("Setting, in detail"), required=False),
        "duration": forms.IntegerField(label=_("Duration, minutes"), min_value=1, max_value=600),
        **_area_fields(),
        SUMMARY: long_text(_("Summary")),
    },
)


ANNEX = AnnexDef(
    code=Annex.B,
    title=_("Protocol of observing the pupil's free activity"),
    menu_name=_("Free activity"),
    form=FreeActivityForm,
)
