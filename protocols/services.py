"""Writes to protocols: autosave, save, submit and the И sign-off (the support team's review
of Г: `protocols/review/`; К entries and replies: `protocols/communication.py`).

Every write bumps `Protocol.revision`; a write based on an older revision raises `StaleEdit`
(the view shows both versions), never overwrites. Explicit saves and submissions freeze a
`ProtocolVersion`. Nothing is deleted.
The dossier job (a pupil's year as one PDF) is requested and built here too; the job machinery
(request, run, progress, failure) is assistant_portal/jobs.py's.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assistant_portal import jobs
from assistant_portal.accounts.models import User
from assistant_portal.accounts.roles import roles_of
from assistant_portal.jobs import job_progress
from students.models import AcademicYear, School, Student

from . import annexes, dynamics, printing
from .calendar import calendar_of
from .forms import AnnexForms, build, row_values, to_post
from .models import AnnexCode, DossierJob, IncidentPickList, Protocol, ProtocolVersion, Status
from .schedule import Annex, Window, windows_for_pupil
from .selectors import PupilYear, meeting_decisions_for, pupil_years
from .windows import current_year

EDITABLE = {Status.DRAFT, Status.SUBMITTED, Status.RETURNED}  # Г under review or approved: locked


class StaleEdit(Exception):
    """Someone saved the protocol after this user's copy was loaded."""

    def __init__(self, current: Protocol):
        super().__init__(current.pk)
        self.current = current


def today() -> date:
    return timezone.localdate()


def year_bounds(year: AcademicYear) -> tuple[date, date]:
    return (year.start, year.end)


# --- The one write path: autosave, save and submit ------------------------------------------


class WriteAction(StrEnum):
    AUTOSAVE = "autosave"  # keep the text as typed: no version
    SAVE = "save"  # an explicit save: a frozen version
    SUBMIT = "submit"  # strict validation, then submitted and frozen


class Outcome(StrEnum):
    SAVED = "saved"
    STALE = "stale"  # someone else wrote meanwhile: nothing written, `protocol` is theirs
    INVALID = "invalid"  # refused: see `WriteResult`


@dataclass(frozen=True)
class WindowSlot:
    """An empty window: its protocol is made by the first write (autosave or save)."""

    student: Student
    year: AcademicYear
    annex: str
    window_key: str
    due: date | None


@dataclass(frozen=True)
class WriteResult:
    """What `protocol_write` did.

    SAVED: the write happened; `forms` may still carry draft errors (kept as typed).
    STALE: nothing written; `protocol` is the stored one, to compare with `forms`.
    INVALID: either a refused submission (`reason` empty: the text was kept as a draft and the
    strict `forms` carry the errors) or a protocol that cannot change now (`reason` says why;
    nothing written).
    """

    outcome: Outcome
    protocol: Protocol
    forms: AnnexForms
    reason: str = ""


@transaction.atomic
def protocol_write(
    *, target: Protocol | WindowSlot, by: User, post: QueryDict, action: WriteAction
) -> WriteResult:
    """Apply a posted edit page (values, revision, client token) as autosave, save or submit.

    An empty window gets its protocol here; a second writer racing for the same window gets the
    existing protocol and the usual revision check, never an error.
    """
    annex = annexes.get(target.annex)
    forms = build(annex, post, year=year_bounds(target.year), today=today())
    filled_on, token = forms.filled_on(), forms.client_token()
    if isinstance(target, WindowSlot):
        protocol, created = _window_protocol(
            target, by=by, data=forms.data(), filled_on=filled_on, token=token
        )
        if created and action == WriteAction.AUTOSAVE:
            return WriteResult(Outcome.SAVED, protocol, forms.with_revision(protocol.revision))
        seen = protocol.revision if created else forms.revision()
    else:
        protocol, seen = target, forms.revision()
    locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
    data = forms.data(locked.data)
    try:
        _check(locked, seen_revision=seen, by=by, token=token, data=data, filled_on=filled_on)
    except StaleEdit:
        return WriteResult(Outcome.STALE, locked, forms)
    except ValidationError as e:
        return WriteResult(Outcome.INVALID, locked, forms, reason=" ".join(e.messages))
    if action == WriteAction.SUBMIT and not _submittable(locked, data, filled_on):
        # Keep everything typed: stored as a draft, the strict form's errors beside the fields.
        _apply(locked, WriteAction.AUTOSAVE, by=by, data=data, filled_on=filled_on, token=token)
        strict = build(annex, post, strict=True, year=year_bounds(locked.year), today=today())
        strict.is_valid()
        return WriteResult(Outcome.INVALID, locked, strict.with_revision(locked.revision))
    _apply(locked, action, by=by, data=data, filled_on=filled_on, token=token)
    return WriteResult(Outcome.SAVED, locked, forms.with_revision(locked.revision))


def _window_protocol(
    slot: WindowSlot, *, by: User, data: dict[str, Any], filled_on: date | None, token: str
) -> tuple[Protocol, bool]:
    """The window's protocol, made now with this write's values or found (made by a racer)."""
    existing = _in_window(slot)
    if existing is not None:
        return existing, False
    protocol = _new_protocol(slot, by=by, data=data, filled_on=filled_on)
    protocol.written_from = _mark(protocol.revision, token)
    try:
        with transaction.atomic():  # a savepoint: losing the race must not end the transaction
            protocol.save()
    except IntegrityError:
        # The other request inserted the window's row first (READ COMMITTED waited for it).
        existing = _in_window(slot)
        if existing is None:
            raise
        return existing, False
    return protocol, True


def _in_window(slot: WindowSlot) -> Protocol | None:
    return Protocol.objects.filter(
        student=slot.student,
        year=slot.year,
        annex=slot.annex,
        window_key=slot.window_key,
        archived_at__isnull=True,
    ).first()


def _new_protocol(
    slot: WindowSlot, *, by: User, data: dict[str, Any] | None, filled_on: date | None
) -> Protocol:
    protocol = Protocol(
        student=slot.student,
        year=slot.year,
        annex=slot.annex,
        window_key=slot.window_key,
        due=slot.due,
        data=data or {},
        filled_on=filled_on,
        author=by,
        updated_by=by,
    )
    protocol.full_clean(validate_constraints=False)  # the window's uniqueness: the database's
    return protocol


def _mark(revision: int, token: str) -> str:
    return f"{revision}:{token}" if token else ""


def _check(
    locked: Protocol,
    *,
    seen_revision: int | None,
    by: User,
    token: str,
    data: dict[str, Any],
    filled_on: date | None,
) -> None:
    """Refuse a write that would overwrite what its writer has not seen (`StaleEdit`).

    An older revision is no conflict when nothing would be lost: the stored values equal the
    posted ones, or the newer revision was written by this very page load (its own autosave
    still in flight when Save was pressed). Another tab has another token, so it conflicts.
    """
    fresh = seen_revision is not None and locked.revision == seen_revision
    unchanged = (locked.data, locked.filled_on) == (data, filled_on)
    own = bool(token) and locked.updated_by_id == by.pk
    own = own and locked.written_from == _mark(locked.revision, token)
    if not (fresh or unchanged or own):
        raise StaleEdit(current=locked)
    if locked.status not in EDITABLE:
        raise ValidationError(_("This protocol is being reviewed and cannot be changed now."))


def _submittable(protocol: Protocol, data: dict[str, Any], filled_on: date | None) -> bool:
    return validate_for_submit(protocol, data=data, filled_on=filled_on).is_valid()


def _apply(
    locked: Protocol,
    action: WriteAction,
    *,
    by: User,
    data: dict[str, Any],
    filled_on: date | None,
    token: str = "",
) -> None:
    _write(locked, by=by, data=data, filled_on=filled_on, token=token)
    if action == WriteAction.SUBMIT:
        locked.status = Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
    if action != WriteAction.AUTOSAVE:
        _freeze(locked, by)


def _freeze(protocol: Protocol, by: User) -> ProtocolVersion:
    last = protocol.versions.aggregate(n=Max("number"))["n"] or 0
    version = ProtocolVersion(
        protocol=protocol,
        number=last + 1,
        status=protocol.status,
        data=protocol.data,
        filled_on=protocol.filled_on,
        saved_by=by,
    )
    version.full_clean(exclude=["data"])  # an empty draft is a valid copy too
    version.save()
    return version


def _write(
    protocol: Protocol, *, by: User, data: dict[str, Any], filled_on: date | None, token: str = ""
) -> None:
    fields = ["data", "filled_on", "updated_by", "revision", "written_from", "updated_at"]
    if protocol.signed_off_at and (data, filled_on) != (protocol.data, protocol.filled_on):
        # The psychologist signed what they read: a changed И needs signing again.
        protocol.signed_off_by = protocol.signed_off_at = None
        fields += ["signed_off_by", "signed_off_at"]
    if _becomes_co_author(protocol, by):
        protocol.co_author = by
        fields.append("co_author")
    protocol.data = data
    protocol.filled_on = filled_on
    protocol.updated_by = by
    protocol.revision += 1
    protocol.written_from = _mark(protocol.revision, token)
    protocol.full_clean()
    protocol.save(update_fields=fields)


def _becomes_co_author(protocol: Protocol, by: User) -> bool:
    """The school psychologist's first edit of an И makes them its co-author (SPEC §7)."""
    return (
        protocol.annex == AnnexCode.I
        and protocol.co_author_id is None
        and by.pk != protocol.author_id
        and protocol.student.school_id in roles_of(by).psychologist_school_ids
    )


# Values already in the stored shape (the demo, programmatic callers): the same checks and
# steps as `protocol_write`, raising `StaleEdit` / `ValidationError` instead of a result.


@transaction.atomic
def protocol_create(
    *,
    student: Student,
    year: AcademicYear,
    annex: str,
    window_key: str,
    due: date | None,
    by: User,
    data: dict[str, Any] | None = None,
    filled_on: date | None = None,
) -> Protocol:
    """The protocol of one window, made on its first autosave or save (revision 1)."""
    slot = WindowSlot(student=student, year=year, annex=annex, window_key=window_key, due=due)
    protocol, created = _window_protocol(
        slot, by=by, data=data or {}, filled_on=filled_on, token=""
    )
    if not created:
        # Two tabs opened the same empty window: the second one must not overwrite the first.
        raise StaleEdit(current=protocol)
    return protocol


def _store(
    action: WriteAction,
    *,
    protocol: Protocol,
    by: User,
    data: dict[str, Any],
    filled_on: date | None,
    seen_revision: int | None,
) -> Protocol:
    locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
    _check(locked, seen_revision=seen_revision, by=by, token="", data=data, filled_on=filled_on)
    if action == WriteAction.SUBMIT and not _submittable(locked, data, filled_on):
        raise ValidationError(_("Please correct the errors below."))
    _apply(locked, action, by=by, data=data, filled_on=filled_on)
    return locked


@transaction.atomic
def protocol_autosave(
    *,
    protocol: Protocol,
    by: User,
    data: dict[str, Any],
    filled_on: date | None,
    seen_revision: int | None,
) -> Protocol:
    """Keep the text as typed: no version, no validation beyond what the draft form did."""
    return _store(
        WriteAction.AUTOSAVE,
        protocol=protocol,
        by=by,
        data=data,
        filled_on=filled_on,
        seen_revision=seen_revision,
    )


@transaction.atomic
def protocol_save(
    *,
    protocol: Protocol,
    by: User,
    data: dict[str, Any],
    filled_on: date | None,
    seen_revision: int | None,
) -> Protocol:
    """An explicit save: a new frozen version (editing a submitted protocol keeps its state)."""
    return _store(
        WriteAction.SAVE,
        protocol=protocol,
        by=by,
        data=data,
        filled_on=filled_on,
        seen_revision=seen_revision,
    )


def validate_for_submit(
    protocol: Protocol, *, data: dict[str, Any], filled_on: date | None
) -> AnnexForms:
    """The annex's forms in strict mode; returns the bound forms (with errors, if any)."""
    annex = annexes.get(protocol.annex)
    return build(
        annex,
        to_post(annex, data, filled_on=filled_on),
        strict=True,
        year=year_bounds(protocol.year),
        today=today(),
    )


@transaction.atomic
def protocol_submit(
    *,
    protocol: Protocol,
    by: User,
    data: dict[str, Any],
    filled_on: date | None,
    seen_revision: int | None,
) -> Protocol:
    """Save and submit; incomplete data is refused and nothing is written."""
    return _store(
        WriteAction.SUBMIT,
        protocol=protocol,
        by=by,
        data=data,
        filled_on=filled_on,
        seen_revision=seen_revision,
    )


# --- Д: one incident logged from the quick form -------------------------------------


def week_window(student: Student, day: date) -> tuple[AcademicYear, Window] | None:
    """(year, Д window) of the school week containing `day`, or None."""
    year = current_year(student, today=day)
    if year is None or not year.start <= day <= year.end:
        return None
    monday = day - timedelta(days=day.weekday())
    windows = windows_for_pupil(
        calendar_of(year), grade=student.grade, joined=student.joined, left=student.left
    )
    for window in windows:
        if window.annex == Annex.D and window.week_start == monday:
            return year, window
    return None


@transaction.atomic
def incident_log(*, student: Student, by: User, incident: dict[str, Any]) -> Protocol:
    """Add one incident to its week's Д protocol (made on the week's first incident) through
    the usual create and save, so it gets a version and the history like a typed row.

    `incident` holds the row's fields as the annex's row form takes them; the row form checks
    them (dates within the year, not in the future, end not before start)."""
    annex = annexes.get(AnnexCode.D)
    day = _parse_day(incident.get("incident_date"))
    found = week_window(student, day) if day else None
    if found is None:
        raise ValidationError(
            {"incident_date": _("This date is in no school week of the pupil's year.")}
        )
    year, window = found
    row = annex.rows["incidents"](data=incident, year=year_bounds(year), today=today())
    if not row.is_valid():
        raise ValidationError(row.errors)
    values = row_values(row)
    # Two quick saves at once (two tabs, a double tap) must both land in one protocol.
    Student.objects.select_for_update().get(pk=student.pk)
    protocol = (
        Protocol.objects.select_for_update()
        .filter(student=student, year=year, annex=AnnexCode.D, window_key=window.key)
        .filter(archived_at__isnull=True)
        .first()
    )
    if protocol is None:
        protocol = protocol_create(
            student=student,
            year=year,
            annex=AnnexCode.D,
            window_key=window.key,
            due=window.due,
            by=by,
            data={"incidents": []},
            filled_on=day,
        )
    incidents = [*(protocol.data.get("incidents") or []), values]
    incidents.sort(key=lambda r: (r.get("incident_date", ""), r.get("start", "")))
    return protocol_save(
        protocol=protocol,
        by=by,
        data={**protocol.data, "incidents": incidents},
        filled_on=protocol.filled_on or day,
        seen_revision=protocol.revision,
    )


def _parse_day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@transaction.atomic
def pick_list_save(
    *,
    school: School,
    by: User,
    places: str,
    antecedents: str,
    behaviours: str,
    consequences: str,
) -> IncidentPickList:
    """The school's pick-list entries for the quick incident form (one per line)."""
    pick_list = IncidentPickList.objects.select_for_update().filter(school=school).first()
    pick_list = pick_list or IncidentPickList(school=school)
    pick_list.places, pick_list.antecedents = places, antecedents
    pick_list.behaviours, pick_list.consequences = behaviours, consequences
    pick_list.updated_by = by
    pick_list.full_clean()
    pick_list.save()
    return pick_list


# --- И: opened on demand, signed off by the school psychologist ------------------------------


@transaction.atomic
def correction_open(*, student: Student, year: AcademicYear, by: User) -> Protocol:
    Student.objects.select_for_update().get(pk=student.pk)  # two clicks: I:1 and I:2, no clash
    n = Protocol.objects.filter(student=student, year=year, annex=AnnexCode.I).count() + 1
    return protocol_create(
        student=student, year=year, annex=AnnexCode.I, window_key=f"I:{n}", due=None, by=by
    )


@transaction.atomic
def correction_sign_off(*, protocol: Protocol, by: User) -> Protocol:
    locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
    if locked.annex != AnnexCode.I:
        raise ValidationError(_("Only a behaviour correction protocol is signed off."))
    if locked.student.school_id not in roles_of(by).psychologist_school_ids:
        raise ValidationError(_("Only the school psychologist signs this protocol off."))
    if locked.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted protocol can be signed off."))
    locked.signed_off_by, locked.signed_off_at = by, timezone.now()
    locked.revision += 1
    locked.save(update_fields=["signed_off_by", "signed_off_at", "revision", "updated_at"])
    return locked


# --- The dossier job: a pupil's year as one PDF (assistant_portal/jobs.py runs it) -----------


def dossier_request(*, pupil: Student, by: User, language: str) -> DossierJob:
    """Record the job; it is queued once the row is committed (eager: built right then)."""
    return jobs.job_request(job=DossierJob(pupil=pupil, requested_by=by, language=language))


def dossier_queue(job: DossierJob) -> None:
    """Publish the build (jobs.py calls it: at the request, and again from the sweeper)."""
    from .tasks import build_dossier  # inside: tasks imports this module

    jobs.publish(build_dossier, job.pk)


def dossier_build(*, job_id: int, today: date | None = None) -> DossierJob:
    """The task's work: the PDF under MEDIA_ROOT/private/, the job done (or failed)."""
    job = DossierJob.objects.select_related("pupil__school", "requested_by").get(pk=job_id)
    on = today or timezone.localdate()
    return jobs.job_run(
        job=job,
        name=f"dossier-{job.pupil_id}-{job.pk}.pdf",
        build=lambda job, out: _write_dossier(job, out, today=on),
    )


def _write_dossier(job: DossierJob, out: IO[bytes], *, today: date) -> None:
    """The cover, every protocol of the pupil's year in window order (then И), and the
    dynamics, merged into one PDF; progress is saved after each part."""
    with translation.override(job.language):
        (py,) = pupil_years([job.pupil], today, fields=None)
        ordered = [c.protocol for c in py.cells if c.protocol is not None]
        ordered += sorted(py.on_demand, key=lambda p: p.created_at)
        for p in ordered:
            p.student = job.pupil  # already loaded; saves a query per protocol
        job_progress(job, total=len(ordered) + 2, done=0)
        ctx = _dossier_context(py, today)
        docs = [printing.html_to_document(render_to_string("protocols/print/cover.html", ctx))]
        job_progress(job, done=1)
        authors = _authors(ordered)
        for n, protocol in enumerate(ordered, start=2):
            protocol.author = authors[protocol.author_id]
            html = printing.protocol_html(protocol, language=job.language)
            docs.append(printing.html_to_document(html))
            job_progress(job, done=n)
        docs.append(
            printing.html_to_document(render_to_string("protocols/print/dynamics.html", ctx))
        )
        out.write(printing.merge(docs))
    job_progress(job, done=job.total)


def _authors(protocols: list[Protocol]) -> dict[int, User]:
    ids = {p.author_id for p in protocols}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)} if ids else {}


def _dossier_context(py: PupilYear, today: date) -> dict[str, Any]:
    pupil = py.pupil
    ctx: dict[str, Any] = {
        "pupil": pupil,
        "school": pupil.school,
        "year": py.year,
        "printed_on": today,
    }
    # For the PMPC: its recommendation and the support team's decisions on the cover.
    ctx["meeting_items"] = meeting_decisions_for(pupil)
    if py.calendar is not None:
        ctx.update(dynamics.pupil_dynamics(py, today))
    return ctx
