"""Protocols made the way a person makes them: the annex's form, then the protocols service.

The suite's rule (tests/README.md): data a reader consumes — the dynamics, the flags, the
digest, the print, the dossier, the export, the anonymisation — is created through this
helper (or through the page), never as a hand-written dict of the stored shape. A reader
built against a made-up shape passes its tests and shows nothing on real protocols.

    from tests.protocols.filling import fill_annex

    fill_annex(pupil, "D", {"summary": "…", "incidents": [{"incident_date": "2026-11-17", …}]},
               assistant, window_key="D:2026-11-16")

`values` are what the person types, keyed by the form's field names (row parts as lists of
rows, like the page's formsets). The helper binds them to the annex's forms exactly as the edit
page does (`protocols.forms.to_post` is the POST a browser sends), checks them in the strict
(submit) mode — a test's data that a user could not submit fails loudly here — and stores
`forms.data()`, the shape the page stores, through `protocol_create` and `protocol_submit`
(or `protocol_save` for a draft).
"""

from datetime import date

from assistant_portal.accounts.models import User
from protocols import annexes, services
from protocols.forms import build, to_post
from protocols.models import Protocol
from protocols.windows import current_year, window_for
from students.models import Student


class NotSubmittable(AssertionError):
    """The test's values would be refused by the form: fix the test data, not the reader."""


def _bound(annex, values: dict, *, filled_on, year, strict: bool):
    return build(
        annex,
        to_post(annex, values, filled_on=filled_on),
        strict=strict,
        year=(year.start, year.end),
        today=services.today(),
    )


def _errors(forms) -> dict:
    errors = {**forms.meta.errors, **forms.main.errors}
    for name, formset in forms.rows.items():
        for i, form in enumerate(formset.forms):
            errors.update({f"{name}-{i}-{k}": v for k, v in form.errors.items()})
        if formset.non_form_errors():
            errors[name] = formset.non_form_errors()
    return errors


def fill_annex(
    pupil: Student,
    annex: str,
    values: dict,
    user: User,
    *,
    window_key: str | None = None,
    filled_on: date | None = None,
    submit: bool = True,
) -> Protocol:
    """Fill one annex for `pupil` as `user` and submit it (or only save, `submit=False`).

    `window_key` names the window (e.g. "D:2026-11-16", "B:half_year"); it defaults to the
    annex's September window. И has no window: a new one is opened, as its button does.
    The window's existing protocol, if any, is edited (a second save, not a second row).
    """
    annex_def = annexes.get(annex)
    filled_on = filled_on or services.today()
    if annex_def.on_demand:
        year = current_year(pupil, today=services.today())
        protocol = services.correction_open(student=pupil, year=year, by=user)
    else:
        window_key = window_key or f"{annex}:september"
        found = window_for(pupil, annex, window_key)
        assert found is not None, f"{pupil} has no window {window_key}"
        year, window = found
        protocol = Protocol.objects.filter(
            student=pupil, year=year, annex=annex, window_key=window_key, archived_at__isnull=True
        ).first()
    strict = _bound(annex_def, values, filled_on=filled_on, year=year, strict=True)
    if submit and not strict.is_valid():
        raise NotSubmittable(f"annex {annex}: {_errors(strict)}")
    forms = _bound(annex_def, values, filled_on=filled_on, year=year, strict=False)
    data, filled = forms.data(), forms.filled_on()
    if protocol is None:
        protocol = services.protocol_create(
            student=pupil,
            year=year,
            annex=annex,
            window_key=window_key,
            due=window.due,
            by=user,
            data=data,
            filled_on=filled,
        )
    write = services.protocol_submit if submit else services.protocol_save
    return write(
        protocol=protocol, by=user, data=data, filled_on=filled, seen_revision=protocol.revision
    )


# --- Typed values a person would enter (keys are the page's field names) --------------------

TEXT = "Бәрі жақсы."
B_AREAS = ("peers", "adults", "play", "speech", "emotions", "motor", "self_care", "rules")


def b_observation(*, default=2, **ratings) -> dict:
    """Annex Б as filled in: setting, duration, a 0–3 score per area, the summary.
    `ratings` override single areas (e.g. ``peers=1``; ``None`` leaves it blank: a draft)."""
    scores = {area: ratings.get(area, default) for area in B_AREAS}
    return {
        "setting": "break",
        "duration": 20,
        "summary": TEXT,
        **{f"{area}_rating": v for area, v in scores.items() if v is not None},
    }


def incident(day: date, *, intensity=2, kind="aggression", behaviour="айқайлады") -> dict:
    """One row of annex Д as filled in."""
    return {
        "incident_date": day.isoformat(),
        "start": "10:05",
        "end": "10:15",
        "place": "сабақ",
        "antecedent": "тапсырма берілді",
        "behaviour": behaviour,
        "behaviour_type": kind,
        "intensity": str(intensity),
        "consequence": "үзіліс берілді",
    }


def behaviour_week(pupil, user, monday: date, incidents: list[dict], **kwargs) -> Protocol:
    """Annex Д of the school week starting `monday`, submitted."""
    return fill_annex(
        pupil,
        "D",
        {"summary": TEXT, "incidents": incidents},
        user,
        window_key=f"D:{monday.isoformat()}",
        **kwargs,
    )
