"""Certificates (issue #7): issue, reissue, revoke, bulk issue, the PDF and public verification.

Writes go through the functions here (keyword-only, one transaction each); eligibility comes
from grading (`Standing.eligible` / `blocking`), never from a formula of our own. An issued
certificate is a frozen snapshot plus its PDF and the PDF's SHA-256: later changes of name or
grade do not touch it; the gradebook flags it and the administrator may reissue.
"""

import hashlib
import re
import secrets
import zipfile
from dataclasses import dataclass
from typing import IO

import segno
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assistant_portal import jobs
from assistant_portal.jobs import UNFINISHED
from assistant_portal.security.pdf import render_pdf
from grading.gradebook import Standing

from .gradebook import cohort_standings, listener_standing, two_places
from .models import Certificate, CertificateBatch, CertificateCounter, Cohort, Enrolment

VALID = Certificate.Status.VALID

# No 0/O, 1/I/L: a code typed from paper cannot be misread. 12 of 31 symbols ≈ 59 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
_CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
CHUNK = 25  # enrolments per bulk-issue task: small enough to share between workers


class NotEligible(Exception):
    def __init__(self, blocking: str | None):
        super().__init__(blocking)
        self.blocking = blocking


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str | None:
    """What a person typed (spaces, dashes, lower case) → the stored form; None if malformed."""
    code = re.sub(r"[\s\-]", "", raw or "").upper()
    return code if _CODE_RE.match(code) else None


def group_code(code: str) -> str:
    """For print: 4-4-4 groups are easier to read and type."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _next_serial(year: int) -> str:
    """The year's next serial; the counter row is locked, so concurrent workers never collide."""
    CertificateCounter.objects.get_or_create(year=year)
    counter = CertificateCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def certificate_html(cert: Certificate) -> str:
    """The printed certificate (bilingual kk/ru), from templates/course/certificates/."""
    url = cert.get_verify_url()
    with translation.override("kk"):
        return render_to_string(
            "course/certificates/certificate.html",
            {"c": cert, "verify_url": url, "qr": _qr_data_uri(url), "code": group_code(cert.code)},
        )


def _attach_pdf(cert: Certificate) -> None:
    pdf = render_pdf(certificate_html(cert))
    cert.sha256 = hashlib.sha256(pdf).hexdigest()
    cert.pdf.save(f"{cert.serial}-{cert.code}.pdf", ContentFile(pdf), save=False)


def _snapshot(*, enrolment: Enrolment, st: Standing, by, serial: str, now) -> Certificate:
    cohort = enrolment.cohort
    course = cohort.course
    return Certificate(
        enrolment=enrolment,
        serial=serial,
        code=new_code(),
        listener_name=enrolment.listener.full_name,
        course_title_kk=course.title_kk,
        course_title_ru=course.title_ru,
        organisation_name=cohort.organisation.name,
        hours=108,  # SPEC §4: the course is 108 academic hours
        cohort_start=cohort.start,
        cohort_end=cohort.end,
        tu=two_places(st.tu),
        test=two_places(st.test),
        final=two_places(st.final),
        letter=st.letter.letter,
        issued_on=timezone.localdate(now),
        issued_at=now,
        issued_by=by,
        issuer_name=getattr(by, "full_name", "") or str(by),
    )


def _fresh_code(cert: Certificate) -> None:
    # A code clash (≈ never) is retried with a new code rather than failing the issue.
    for _attempt in range(5):
        if not Certificate.objects.filter(code=cert.code).exists():
            return
        cert.code = new_code()


def _save_new(cert: Certificate) -> Certificate:
    _fresh_code(cert)
    _attach_pdf(cert)
    cert.full_clean(exclude=["pdf"])
    cert.save()
    return cert


def _locked(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("cohort__course", "cohort__organisation", "listener")
        .get(pk=enrolment.pk)
    )


def certificate_issue(
    *, enrolment: Enrolment, by, batch: CertificateBatch | None = None, now=None
) -> tuple[Certificate, bool]:
    """Issue the enrolment's certificate; (certificate, created). Issuing twice does nothing new.

    Two steps, so the year's serial counter is locked only for a moment, never during the
    render (two workers would otherwise take turns): the row with its serial is committed
    first, then the PDF is rendered and attached. A crash in between leaves a row without a
    PDF, which the next issue of the same listener (a redelivered chunk) completes.
    Raises NotEligible with the blocking rule when grading says no.
    """
    now = now or timezone.now()
    cert, created = _issue_row(enrolment=enrolment, by=by, batch=batch, now=now)
    if not cert.sha256:
        cert = _complete(cert, batch=batch)
    return cert, created


@transaction.atomic
def _issue_row(*, enrolment, by, batch, now) -> tuple[Certificate, bool]:
    enrolment = _locked(enrolment)  # two issues of the same listener wait for each other
    existing = Certificate.objects.filter(enrolment=enrolment, status=VALID).first()
    if existing is not None:
        return existing, False
    st = listener_standing(enrolment, now=now)
    if not st.eligible:
        raise NotEligible(st.blocking)
    serial = _next_serial(timezone.localdate(now).year)
    cert = _snapshot(enrolment=enrolment, st=st, by=by, serial=serial, now=now)
    cert.batch = batch
    _fresh_code(cert)
    cert.full_clean(exclude=["pdf"])
    cert.save()
    return cert, True


@transaction.atomic
def _complete(cert: Certificate, *, batch: CertificateBatch | None) -> Certificate:
    locked = Certificate.objects.select_for_update().get(pk=cert.pk)
    if locked.sha256:  # another worker finished it meanwhile
        return locked
    _attach_pdf(locked)
    locked.save(update_fields=["pdf", "sha256"])
    if batch is not None:
        # Progress for the page, derived from the certificates that exist (never a counter that
        # a crash, a re-run or another batch could make drift); batch_finish derives it again
        # under the batch's lock before deciding that the batch is complete.
        done = _complete_certificates(batch).count() if batch.enrolment_ids else F("done") + 1
        CertificateBatch.objects.filter(pk=batch.pk).update(done=done, moved_at=timezone.now())
    return locked


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, by, now=None) -> Certificate:
    """A new PDF and code from today's figures; same serial; the old row is superseded."""
    now = now or timezone.now()
    enrolment = _locked(certificate.enrolment)
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.status != Certificate.Status.VALID:
        raise ValidationError(_("Only a valid certificate can be reissued."))
    st = listener_standing(enrolment, now=now)
    if not st.eligible:
        raise NotEligible(st.blocking)
    old.status = Certificate.Status.SUPERSEDED
    old.superseded_at = now
    old.save(update_fields=["status", "superseded_at"])
    cert = _snapshot(enrolment=enrolment, st=st, by=by, serial=old.serial, now=now)
    cert.replaces = old
    return _save_new(cert)


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, by, category: str, reason: str, now=None
) -> Certificate:
    """Revoke: `category` is what the public page says; `reason` is for the staff only."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    if category not in Certificate.RevokeCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if cert.status != Certificate.Status.VALID:
        raise ValidationError(_("Only a valid certificate can be revoked."))
    cert.status = Certificate.Status.REVOKED
    cert.revoked_at = now or timezone.now()
    cert.revoked_by = by
    cert.revoke_reason = reason[:300]
    cert.revoke_category = category
    cert.full_clean(exclude=["pdf"])
    cert.save(
        update_fields=["status", "revoked_at", "revoked_by", "revoke_reason", "revoke_category"]
    )
    return cert


# --- Bulk issue ---------------------------------------------------------------------------


@transaction.atomic
def batch_start(*, cohort: Cohort, by) -> CertificateBatch:
    """Record the batch for the eligible listeners and queue its chunks after commit; a cohort
    has one running batch at most, so a second click gets the running one back.

    Listeners already holding a valid certificate count as done from the start; each chunk
    task issues the rest (idempotently), so a chunk redelivered after a worker crash, or queued
    again by the sweeper, only finishes what is missing.
    """
    Cohort.objects.select_for_update().get(pk=cohort.pk)  # two clicks: one after the other
    running = cohort.certificate_batches.filter(status__in=UNFINISHED).first()
    if running is not None:
        return running
    standings = cohort_standings(cohort)
    eligible = sorted(e_id for e_id, st in standings.items() if st.eligible)
    batch = CertificateBatch(
        cohort=cohort, requested_by=by, total=len(eligible), enrolment_ids=eligible,
        status=CertificateBatch.State.RUNNING,
    )  # fmt: skip
    batch.done = _complete_certificates(batch).count()
    return jobs.job_request(job=batch)


def _complete_certificates(batch: CertificateBatch):
    return Certificate.objects.filter(
        enrolment_id__in=batch.enrolment_ids, status=Certificate.Status.VALID
    ).exclude(sha256="")


def batch_missing(batch: CertificateBatch) -> list[int]:
    """The batch's listeners still without a complete certificate."""
    have = set(_complete_certificates(batch).values_list("enrolment_id", flat=True))
    return [e for e in batch.enrolment_ids if e not in have]


def batch_queue(batch: CertificateBatch) -> None:
    """Publish a chunk task per CHUNK missing listeners, or finish a batch with nothing to do
    (assistant_portal/jobs.py calls it at the start and when the sweeper re-drives)."""
    from .tasks import issue_chunk

    todo = batch_missing(batch)
    if not todo:
        batch_finish(batch_id=batch.pk)
    for i in range(0, len(todo), CHUNK):
        jobs.publish(issue_chunk, batch.pk, todo[i : i + CHUNK])


def batch_refresh(batch: CertificateBatch) -> CertificateBatch:
    """The sweeper's look: progress from the certificates; the ZIP once they all exist."""
    return batch_finish(batch_id=batch.pk)


def batch_issue_chunk(*, batch_id: int, enrolment_ids: list[int]) -> None:
    """Issue a chunk one by one (each its own transaction: progress shows as it goes)."""
    batch = CertificateBatch.objects.select_related("requested_by").get(pk=batch_id)
    if batch.finished:
        return
    for enrolment in Enrolment.objects.filter(pk__in=enrolment_ids, cohort_id=batch.cohort_id):
        try:
            certificate_issue(enrolment=enrolment, by=batch.requested_by, batch=batch)
        except NotEligible:
            # The grade changed since the batch was counted: skipped, and said so on the page.
            CertificateBatch.objects.filter(pk=batch_id).update(
                skipped=F("skipped") + 1, moved_at=timezone.now()
            )
    batch_finish(batch_id=batch_id)


def batch_finish(*, batch_id: int) -> CertificateBatch:
    """Derive progress under the batch's lock (every chunk calls this after its own commits, so
    the last one sees them all); when every listener is done or skipped, write the ZIP, once."""
    with transaction.atomic():
        batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
        if batch.finished:
            return batch
        if batch.enrolment_ids:  # (a batch recorded before the ids were kept: its counter)
            batch.done = _complete_certificates(batch).count()
            batch.save(update_fields=["done"])
        if batch.done + batch.skipped < batch.total:
            return batch
        name = f"certificates-{batch.cohort_id}-{batch.pk}.zip"
        return jobs.job_finish(job=batch, name=name, build=_write_zip)


def _write_zip(batch: CertificateBatch, out: IO[bytes]) -> None:
    """Every valid certificate of the cohort, one PDF each."""
    certificates = Certificate.objects.filter(
        enrolment__cohort_id=batch.cohort_id, status=Certificate.Status.VALID
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:  # PDFs are compressed already
        for cert in certificates:
            with cert.pdf.open("rb") as f:
                zf.writestr(f"{cert.serial}.pdf", f.read())


# --- Verification -------------------------------------------------------------------------


@dataclass
class Verification:
    certificate: Certificate
    current: Certificate | None  # for a superseded one: the reissue in force


def verify(raw_code: str) -> Verification | None:
    """One query: the certificate by code, with its reissue (if any). None = not found."""
    code = normalise_code(raw_code)
    if code is None:
        return None
    cert = Certificate.objects.select_related("replaced_by").filter(code=code).first()
    if cert is None:
        return None
    current = None
    if cert.status == Certificate.Status.SUPERSEDED:
        try:
            current = cert.replaced_by
        except Certificate.DoesNotExist:  # pragma: no cover - a superseded row always has one
            current = None
    return Verification(certificate=cert, current=current)
