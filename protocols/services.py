"""Writes to protocols: autosave, save, submit, the Г review and the И sign-off (К entries and
replies: `protocols/communication.py`).

Every write bumps `Protocol.revision`; a write based on an older revision raises `StaleEdit`
(the view shows both versions), never overwrites. Explicit saves and submissions freeze a
`ProtocolVersion`. Nothing is deleted.
The dossier job (a pupil's year as one PDF) is built here too, step by step with progress.
"""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assistant_portal.accounts.models import User
from assistant_portal.accounts.roles import roles_of
from assistant_portal.jobs import job_progress
from students.models import AcademicYear, Student

from . import annexes, dynamics, printing
from .forms import build, to_post
from .models import AnnexCode, DossierJob, Protocol, ProtocolVersion, ReviewComment, Status
from .selectors import pupil_years

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


def _locked(protocol: Protocol, seen_revision: int | None) -> Protocol:
    locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
    if seen_revision is None or locked.revision != seen_revision:
        raise StaleEdit(current=locked)
    if locked.status not in EDITABLE:
        raise ValidationError(_("This protocol is being reviewed and cannot be changed now."))
    return locked


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


def _write(protocol: Protocol, *, by: User, data: dict, filled_on: date | None) -> None:
    fields = ["data", "filled_on", "updated_by", "revision", "updated_at"]
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


@transaction.atomic
def protocol_create(
    *,
    student: Student,
    year: AcademicYear,
    annex: str,
    window_key: str,
    due: date | None,
    by: User,
    data: dict | None = None,
    filled_on: date | None = None,
) -> Protocol:
    """The protocol of one window, made on its first autosave or save (revision 1)."""
    existing = Protocol.objects.filter(
        student=student, year=year, annex=annex, window_key=window_key, archived_at__isnull=True
    ).first()
    if existing is not None:
        # Two tabs opened the same empty window: the second one must not overwrite the first.
        raise StaleEdit(current=existing)
    protocol = Protocol(
        student=student,
        year=year,
        annex=annex,
        window_key=window_key,
        due=due,
        data=data or {},
        filled_on=filled_on,
        author=by,
        updated_by=by,
    )
    protocol.full_clean()
    protocol.save()
    return protocol


@transaction.atomic
def protocol_autosave(
    *, protocol: Protocol, by: User, data: dict, filled_on: date | None, seen_revision: int | None
) -> Protocol:
    """Keep the text as typed: no version, no validation beyond what the draft form did."""
    locked = _locked(protocol, seen_revision)
    _write(locked, by=by, data=data, filled_on=filled_on)
    return locked


@transaction.atomic
def protocol_save(
    *, protocol: Protocol, by: User, data: dict, filled_on: date | None, seen_revision: int | None
) -> Protocol:
    """An explicit save: a new frozen version (editing a submitted protocol keeps its state)."""
    locked = _locked(protocol, seen_revision)
    _write(locked, by=by, data=data, filled_on=filled_on)
    _freeze(locked, by)
    return locked


def validate_for_submit(protocol: Protocol, *, data: dict, filled_on: date | None):
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
    *, protocol: Protocol, by: User, data: dict, filled_on: date | None, seen_revision: int | None
) -> Protocol:
    """Save and submit. Incomplete data is still saved (as a draft), then refused."""
    locked = _locked(protocol, seen_revision)
    forms = validate_for_submit(locked, data=data, filled_on=filled_on)
    if not forms.is_valid():
        raise ValidationError(_("Please correct the errors below."))
    _write(locked, by=by, data=data, filled_on=filled_on)
    locked.status = Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    _freeze(locked, by)
    return locked


# --- Г: the support team's review ----------------------------------------------------------


def _check_reviewer(protocol: Protocol, by: User) -> None:
    if protocol.annex != AnnexCode.G:
        raise ValidationError(_("Only a conclusion is reviewed."))
    # An assistant never decides on their own conclusion (SPEC §7): the school's support team.
    if by.pk == protocol.author_id or protocol.student.school_id not in (
        roles_of(by).specialist_school_ids
    ):
        raise ValidationError(_("Only the school's support team decides on a conclusion."))


def _transition(protocol: Protocol, by: User, allowed: set, to: str) -> Protocol:
    locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
    _check_reviewer(locked, by)
    if locked.status not in allowed:
        raise ValidationError(_("This step is not possible in the protocol's current state."))
    locked.status = to
    locked.revision += 1
    locked.save(update_fields=["status", "revision", "updated_at"])
    return locked


@transaction.atomic
def conclusion_start_review(*, protocol: Protocol, by: User) -> Protocol:
    return _transition(protocol, by, {Status.SUBMITTED}, Status.UNDER_REVIEW)


@transaction.atomic
def conclusion_approve(*, protocol: Protocol, by: User, decision: str = "") -> Protocol:
    locked = _transition(protocol, by, {Status.SUBMITTED, Status.UNDER_REVIEW}, Status.APPROVED)
    locked.reviewed_by, locked.reviewed_at, locked.decision = by, timezone.now(), decision
    locked.full_clean()
    locked.save(update_fields=["reviewed_by", "reviewed_at", "decision"])
    _freeze(locked, by)
    return locked


@transaction.atomic
def conclusion_return(*, protocol: Protocol, by: User, comments: dict[str, str]) -> Protocol:
    """Return with comments per section (a form field name; "" for the whole conclusion)."""
    comments = {k: v.strip() for k, v in comments.items() if v and v.strip()}
    if not comments:
        raise ValidationError(_("Write at least one comment."))
    sections = set(annexes.get(AnnexCode.G).form.base_fields) | {""}
    if unknown := set(comments) - sections:
        raise ValidationError(_("Unknown section: %s") % ", ".join(sorted(unknown)))
    locked = _transition(protocol, by, {Status.SUBMITTED, Status.UNDER_REVIEW}, Status.RETURNED)
    round_ = (locked.comments.aggregate(n=Max("round"))["n"] or 0) + 1
    for section, text in comments.items():
        comment = ReviewComment(
            protocol=locked, round=round_, section=section, text=text, author=by
        )
        comment.full_clean()
        comment.save()
    locked.reviewed_by, locked.reviewed_at = by, timezone.now()
    locked.save(update_fields=["reviewed_by", "reviewed_at"])
    _freeze(locked, by)
    return locked


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


logger = logging.getLogger(__name__)


@transaction.atomic
def dossier_request(*, pupil: Student, by, language: str) -> DossierJob:
    """Record the job and queue its build once the row is committed (eager: right then)."""
    from .tasks import build_dossier

    job = DossierJob(pupil=pupil, requested_by=by, language=language)
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: build_dossier.delay(job.pk))
    return job


def dossier_build(*, job_id: int, today: date | None = None) -> DossierJob:
    """Render the cover, every protocol of the pupil's year in window order (then И), and the
    dynamics; store one PDF under MEDIA_ROOT/private/. Progress is saved after each part so
    the job page can show it. Not one transaction: progress must be visible while it runs."""
    job = DossierJob.objects.select_related("pupil__school", "requested_by").get(pk=job_id)
    if job.finished:
        return job
    today = today or timezone.localdate()
    try:
        with translation.override(job.language):
            (py,) = pupil_years([job.pupil], today, with_data=True)
            ordered = [c.protocol for c in py.cells if c.protocol is not None]
            ordered += sorted(py.on_demand, key=lambda p: p.created_at)
            for p in ordered:
                p.student = job.pupil  # already loaded; saves a query per protocol
            job_progress(job, status=DossierJob.State.RUNNING, total=len(ordered) + 2, done=0)
            ctx = _dossier_context(py, today)
            docs = [printing.html_to_document(render_to_string("protocols/print/cover.html", ctx))]
            job_progress(job, done=1)
            authors = _authors(ordered)
            for n, protocol in enumerate(ordered, start=2):
                protocol.author = authors.get(protocol.author_id)
                html = printing.protocol_html(protocol, language=job.language)
                docs.append(printing.html_to_document(html))
                job_progress(job, done=n)
            docs.append(
                printing.html_to_document(render_to_string("protocols/print/dynamics.html", ctx))
            )
            pdf = printing.merge(docs)
        name = f"dossier-{job.pupil_id}-{job.pk}.pdf"
        job.file.save(name, ContentFile(pdf), save=False)
        job_progress(
            job,
            file=job.file.name,
            done=job.total,
            status=DossierJob.State.DONE,
            finished_at=timezone.now(),
        )
    except Exception:
        # The job page says so; re-raising would turn the embedded (eager) request into a 500.
        logger.exception("dossier job %s failed", job.pk)
        job_progress(job, status=DossierJob.State.FAILED, finished_at=timezone.now())
    return job


def _authors(protocols) -> dict:
    from django.contrib.auth import get_user_model

    ids = {p.author_id for p in protocols}
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)} if ids else {}


def _dossier_context(py, today: date) -> dict:
    pupil = py.pupil
    from .review_selectors import meeting_decisions_for

    ctx = {"pupil": pupil, "school": pupil.school, "year": py.year, "printed_on": today}
    # For the PMPC: its recommendation and the support team's decisions on the cover.
    ctx["meeting_items"] = meeting_decisions_for(pupil)
    if py.calendar is not None:
        ctx.update(dynamics.pupil_dynamics(py, today))
    return ctx
