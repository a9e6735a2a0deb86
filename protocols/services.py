"""Writes of this part of protocols: the dossier job (issue #3 item 7).

The form writes (save, autosave, submit, review) are the protocols-core branch's; the lead
merges both into this module.
"""

import logging
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from students.models import Student

from . import dynamics, printing
from .models import DossierJob
from .selectors import pupil_years

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


def _progress(job: DossierJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


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
            _progress(job, status=DossierJob.State.RUNNING, total=len(ordered) + 2, done=0)
            ctx = _dossier_context(py, today)
            docs = [printing.html_to_document(render_to_string("protocols/print/cover.html", ctx))]
            _progress(job, done=1)
            authors = _authors(ordered)
            for n, protocol in enumerate(ordered, start=2):
                protocol.author = authors.get(protocol.author_id)
                html = printing.protocol_html(protocol, language=job.language)
                docs.append(printing.html_to_document(html))
                _progress(job, done=n)
            docs.append(
                printing.html_to_document(render_to_string("protocols/print/dynamics.html", ctx))
            )
            pdf = printing.merge(docs)
        name = f"dossier-{job.pupil_id}-{job.pk}.pdf"
        job.file.save(name, ContentFile(pdf), save=False)
        _progress(
            job,
            file=job.file.name,
            done=job.total,
            status=DossierJob.State.DONE,
            finished_at=timezone.now(),
        )
    except Exception:
        # The job page says so; re-raising would turn the embedded (eager) request into a 500.
        logger.exception("dossier job %s failed", job.pk)
        _progress(job, status=DossierJob.State.FAILED, finished_at=timezone.now())
    return job


def _authors(protocols) -> dict:
    from django.contrib.auth import get_user_model

    ids = {p.author_id for p in protocols}
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)} if ids else {}


def _dossier_context(py, today: date) -> dict:
    pupil = py.pupil
    ctx = {"pupil": pupil, "school": pupil.school, "year": py.year, "printed_on": today}
    if py.calendar is not None:
        ctx.update(dynamics.pupil_dynamics(py, today))
    return ctx
