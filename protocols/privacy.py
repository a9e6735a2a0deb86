"""The protocols' part of a pupil's retention and archive (SPEC §7).

Registered in `ProtocolsConfig.ready()`:
- `anonymise_protocols` (in `students.retention.ANONYMISERS`): every free-text string leaves
  the pupil's protocols, their versions and their change history; the numbers statistics use
  (ratings, intensities, counts, durations), choice codes, dates and times stay. Review
  comments and the Г decision are emptied; stored dossier PDFs are deleted.
- `protocols_preview` (in `students.retention.PREVIEWS`): what the dry run would change.
- `protocol_files` (in `students.archive.EXTRA_FILES`): `protocols.json` (every protocol with
  its versions and comments) and one PDF per protocol for the parent's archive; its `count`
  tells the export job how many files to expect.
"""

import json
from collections.abc import Iterable
from datetime import date, time
from typing import cast

from django import forms
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import get_language

from students.models import Student

from . import annexes, printing
from .models import DossierJob, Protocol, ProtocolVersion, ReviewComment

ANONYMISED_TEXT = ""


# --- Retention ------------------------------------------------------------------------------


def _kept(field: forms.Field | None, value):
    """The value if statistics may keep it, else None (free text or anything unknown)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):  # a multiple choice
        kept = [_kept(field, v) for v in value]
        return [v for v in kept if v is not None]
    if not isinstance(value, str) or field is None:
        return None
    if isinstance(field, forms.ChoiceField):  # a code from the list, never typed text
        # a form field's choices are normalised to (code, label) pairs when it is made
        choices = cast("Iterable[tuple[object, object]]", field.choices)
        codes = {str(code) for code, _label in choices if code != ""}
        return value if value in codes else None
    parse = {forms.DateField: date.fromisoformat, forms.TimeField: time.fromisoformat}
    for kind, parser in parse.items():
        if isinstance(field, kind):
            try:
                parser(value)
            except ValueError:
                return None
            return value
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        try:
            float(value.replace(",", "."))
        except ValueError:
            return None
        return value
    return None  # a CharField: free text


def _scrub_fields(form: type[forms.Form], data: dict) -> dict:
    fields = form.base_fields
    out = {}
    for key, value in data.items():
        kept = _kept(fields.get(key), value)
        if kept is not None:
            out[key] = kept
    return out


def scrub(annex_code: str, data: dict | None) -> dict:
    """`data` of one protocol without its free text (row parts scrubbed row by row)."""
    data = data or {}
    try:
        annex = annexes.get(annex_code)
    except (KeyError, ValueError):
        return {}
    out = _scrub_fields(annex.form, {k: v for k, v in data.items() if k not in annex.rows})
    for part, row_form in annex.rows.items():
        rows = data.get(part)
        if isinstance(rows, list):
            out[part] = [_scrub_fields(row_form, r) for r in rows if isinstance(r, dict)]
    return out


def _scrub_rows(rows, annex_of) -> list:
    for row in rows:
        row.data = scrub(annex_of(row), row.data)
    return rows


@transaction.atomic
def anonymise_protocols(pupil: Student) -> int:
    """Runs inside `anonymise_pupil`'s transaction; returns the rows changed."""
    # made by pghistory at app loading: not in `models`' source for mypy to see
    ProtocolEvent = apps.get_model("protocols", "ProtocolEvent")
    ReviewCommentEvent = apps.get_model("protocols", "ReviewCommentEvent")

    protocols = list(Protocol.objects.filter(student=pupil))
    annex_by_id = {p.pk: p.annex for p in protocols}
    for p in _scrub_rows(protocols, lambda p: p.annex):
        p.decision = ANONYMISED_TEXT
    changed = Protocol.objects.bulk_update(protocols, ["data", "decision"])
    versions = _scrub_rows(
        list(ProtocolVersion.objects.filter(protocol__student=pupil)),
        lambda v: annex_by_id[v.protocol_id],
    )
    changed += ProtocolVersion.objects.bulk_update(versions, ["data"])
    # The change history holds every old value: rewrite it the same way.
    events = _scrub_rows(list(ProtocolEvent.objects.filter(student=pupil)), lambda e: e.annex)
    for event in events:
        event.decision = ANONYMISED_TEXT
    changed += ProtocolEvent.objects.bulk_update(events, ["data", "decision"])
    comments = {"text": ANONYMISED_TEXT}
    changed += ReviewComment.objects.filter(protocol__student=pupil).update(**comments)
    changed += ReviewCommentEvent.objects.filter(protocol__student=pupil).update(**comments)
    jobs = list(DossierJob.objects.filter(pupil=pupil).exclude(file=""))
    for job in jobs:
        # at once, as the consent documents are: after a rollback a missing file harms less
        # than a kept one
        job.file.delete(save=False)
    changed += DossierJob.objects.filter(pk__in=[j.pk for j in jobs]).update(file="")
    return changed


def protocols_preview(pupil: Student) -> str:
    """For the dry run: ids and counts only (the output may end up in a log file)."""
    ids = list(Protocol.objects.filter(student=pupil).order_by("pk").values_list("pk", flat=True))
    files = DossierJob.objects.filter(pupil=pupil).exclude(file="").count()
    listed = ", ".join(f"#{pk}" for pk in ids) or "none"
    return f"protocols {listed} (free text, versions, comments); {files} dossier file(s)"


# --- The pupil's archive ----------------------------------------------------------------------


PROTOCOL_FIELDS = (
    "id window_key due status filled_on data submitted_at reviewed_at decision signed_off_at "
    "archived_at"
).split()
VERSION_FIELDS = "number status filled_on saved_at data".split()
COMMENT_FIELDS = "round section text created_at".split()


def _values(obj, names: list[str], **extra) -> dict:
    return {**{name: getattr(obj, name) for name in names}, **extra}


def protocols_data(pupil: Student) -> list[dict]:
    """Every protocol of the pupil (archived ones too) with its versions and comments."""
    protocols = (
        Protocol.objects.filter(student=pupil)
        .select_related("year", "author")
        .prefetch_related("versions__saved_by", "comments__author")
        .order_by("year__start", "annex", "window_key", "pk")
    )
    return [
        _values(
            p,
            PROTOCOL_FIELDS,
            annex=p.letter,
            year=str(p.year),
            author=p.author.full_name,
            versions=[
                _values(v, VERSION_FIELDS, saved_by=v.saved_by.full_name) for v in p.versions.all()
            ],
            comments=[
                _values(c, COMMENT_FIELDS, author=c.author.full_name) for c in p.comments.all()
            ],
        )
        for p in protocols
    ]


def protocol_files(pupil: Student) -> Iterable[tuple[str, bytes]]:
    """`protocols.json` and one PDF per protocol, in the exporting user's language (the export
    job activates it)."""
    data = protocols_data(pupil)
    yield (
        "protocols.json",
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode(),
    )
    language = get_language()
    protocols = Protocol.objects.filter(student=pupil).select_related(
        "student__school", "year", "author"
    )
    for p in protocols.order_by("pk"):
        name = f"protocols/{p.pk}-{p.annex}-{p.window_key.replace(':', '-')}.pdf"
        yield name, printing.protocol_pdf(p, language=language)


def _protocol_files_count(pupil: Student) -> int:
    return 1 + Protocol.objects.filter(student=pupil).count()


# The export job's progress bar knows its length up front (see students.archive, which reads
# `count` with getattr: an attribute of the hook, not of its type).
protocol_files.count = _protocol_files_count  # type: ignore[attr-defined]
