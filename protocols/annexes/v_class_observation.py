"""Annex В: observing the pupil in class over the first five school days, one row per observed
lesson (SPEC §2): the school's core subjects and PE should each be observed at least once."""

from django.utils.translation import gettext_lazy as _

from ..schedule import Annex
from .base import AnnexDef
from .fields import MEDIUM, AnnexForm, choice, date_field, long_text, rating, short_text

SUBJECTS = [
    ("kazakh", _("Kazakh language")),
    ("russian", _("Russian language")),
    ("literacy", _("Literacy and reading")),
    ("maths", _("Mathematics")),
    ("science", _("Natural science")),
    ("pe", _("Physical education")),
    ("other", _("other")),
]
PE = "pe"
HELP_LEVELS = [
    ("independent", _("independent")),
    ("verbal", _("verbal prompt")),
    ("visual", _("visual prompt")),
    ("physical", _("physical help")),
]


class LessonForm(AnnexForm):
    subject = choice(_("Subject"), SUBJECTS)
    lesson_date = date_field(_("Date"))
    teacher = short_text(_("Teacher"))
    attention = rating(_("Attention span"))
    instructions = rating(_("Following instructions"))
    completion = rating(_("Task completion"))
    pace = rating(_("Working pace"))
    help_level = choice(_("Level of help needed"), HELP_LEVELS)
    behaviour = rating(_("Behaviour"))
    interaction = rating(_("Interaction with teacher and classmates"))
    fatigue = short_text(_("Signs of fatigue"), required=False, max_length=MEDIUM)


class ClassObservationForm(AnnexForm):
    adaptations = long_text(_("Recommended adaptations"))


def subjects_to_observe(data: dict, school) -> list[tuple[str, bool]]:
    """The school's core subjects and PE, each with whether a lesson of it is observed."""
    labels = dict(SUBJECTS)
    observed = {row.get("subject") for row in data.get("lessons") or [] if isinstance(row, dict)}
    wanted = [code for code in [*school.core_subjects, PE] if code in labels]
    return [(labels[code], code in observed) for code in dict.fromkeys(wanted)]


ANNEX = AnnexDef(
    code=Annex.V,
    title=_("Protocol of observing the pupil in class"),
    menu_name=_("In-class observation"),
    form=ClassObservationForm,
    rows={"lessons": LessonForm},
    min_rows={"lessons": 1},
    checklist=subjects_to_observe,
)

# --- What readers need (the review's evidence): names, never string keys ---
LESSONS = "lessons"  # the row part in `Protocol.data` (ANNEX.rows)
ADAPTATIONS = "adaptations"
