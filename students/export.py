"""Everything about one pupil as one ZIP, for the parent (issue #9 item 4; GDPR Art. 15/20).

`pupil.json` holds the record, guardians, assignments, consents and read log. Other apps add
files through `EXTRA_FILES`: callables `fn(pupil) -> iterable of (name_in_zip, bytes)`;
`protocols` appends one that yields the protocol PDFs:

    from students.export import EXTRA_FILES
    EXTRA_FILES.append(protocol_pdfs_for_pupil)   # in protocols/apps.py ready()

A hook may carry `count(pupil) -> int`, how many files it will yield, so the progress bar
knows its length up front; without it files are counted as they come.

A full year of protocol PDFs takes long (~17 s), so the ZIP is built by a background job
(`PupilExport`, `export_request` → task → `export_build`), progress saved after each file.
Without Redis the task runs at commit inside the request (SPEC §7 "Embedded default").
"""

import json
import logging
import tempfile
import zipfile
from collections.abc import Callable, Iterable

from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation

from assistant_portal import jobs
from assistant_portal.jobs import job_progress

from .models import PupilExport, Student

logger = logging.getLogger(__name__)

EXTRA_FILES: list[Callable[[Student], Iterable[tuple[str, bytes]]]] = []


def pupil_data(pupil: Student) -> dict:
    record_fields = (
        "id last_name first_name patronymic birth_date iin grade class_letter sen_category "
        "pmpc_number pmpc_date pmpc_valid_until pmpc_text joined left"
    ).split()
    return {
        "exported_at": timezone.now(),
        "school": str(pupil.school),
        "pupil": {f: getattr(pupil, f) for f in record_fields},
        "guardians": list(
            pupil.guardians.values("full_name", "relation", "phone", "email", "archived_at")
        ),
        "assignments": [
            {"assistant": a.assistant.full_name, "start": a.start, "end": a.end}
            for a in pupil.assignments.select_related("assistant").order_by("start")
        ],
        "consents": list(
            pupil.consents.values(
                "given_by", "given_on", "scope", "recorded_at", "withdrawn_at", "document"
            )
        ),
        "read_log": [
            {
                "at": e.at,
                "who": e.user.full_name if e.user else "",
                "what": e.what,
                "target": e.target,
            }  # fmt: skip
            for e in pupil.read_log.select_related("user").order_by("at")
        ],
    }


def archive_parts(pupil: Student) -> Iterable[tuple[str, bytes]]:
    """Every file of the archive, in order: pupil.json, consent documents, the hooks' files."""
    yield (
        "pupil.json",
        json.dumps(pupil_data(pupil), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode(),
    )
    for consent in pupil.consents.exclude(document=""):
        with consent.document.open("rb") as f:
            yield f"consents/{consent.document.name.rsplit('/', 1)[-1]}", f.read()
    for extra in EXTRA_FILES:
        yield from extra(pupil)


def expected_parts(pupil: Student) -> int:
    """How many files `archive_parts` will yield, as far as the hooks say."""
    hooks = sum(getattr(extra, "count", lambda p: 0)(pupil) for extra in EXTRA_FILES)
    return 1 + pupil.consents.exclude(document="").count() + hooks


@transaction.atomic
def export_request(*, pupil: Student, by, language: str | None = None) -> PupilExport:
    """Record the job and queue its build once the row is committed (eager: right then)."""
    job = PupilExport(pupil=pupil, requested_by=by, language=language or translation.get_language())
    job.full_clean()
    job.save()
    jobs.queue_on_commit(job)
    return job


def export_queue(job: PupilExport) -> None:
    """Publish the build (jobs.py calls it: at the request, and again from the sweeper)."""
    from .tasks import build_pupil_export

    jobs.publish(build_pupil_export, job.pk)


def export_build(*, job_id: int) -> PupilExport:
    """Write the pupil's ZIP to the private storage, saving progress after each file so the job
    page can show it. Not one transaction: progress must be visible while it runs. A failure
    marks the job failed (and is logged) instead of raising."""
    job = PupilExport.objects.select_related("pupil__school", "requested_by").get(pk=job_id)
    if job.finished:
        return job
    try:
        with translation.override(job.language), tempfile.TemporaryFile() as spool:
            # A temporary file, not memory: a year of PDFs is tens of megabytes.
            job_progress(job, status=PupilExport.State.RUNNING, total=expected_parts(job.pupil))
            with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
                for done, (name, content) in enumerate(archive_parts(job.pupil), start=1):
                    archive.writestr(name, content)
                    job_progress(job, done=done, total=max(job.total, done))
            spool.seek(0)
            job.file.save(f"pupil-{job.pupil_id}-{job.pk}.zip", File(spool), save=False)
        job_progress(
            job, file=job.file.name, total=job.done, status=PupilExport.State.DONE,
            finished_at=timezone.now(),
        )  # fmt: skip
    except Exception:
        # The job page says so; re-raising would turn the embedded (eager) request into a 500.
        logger.exception("pupil export %s failed", job.pk)
        job_progress(job, status=PupilExport.State.FAILED, finished_at=timezone.now())
    return job
