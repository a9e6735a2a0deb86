"""Everything about one pupil as one ZIP, for the parent (issue #9 item 4; GDPR Art. 15/20).

`pupil.json` holds the record, guardians, assignments, consents and read log. Other apps add
files through `EXTRA_FILES`: callables `fn(pupil) -> iterable of (name_in_zip, bytes)`;
`protocols` appends one that yields the protocol PDFs:

    from students.export import EXTRA_FILES
    EXTRA_FILES.append(protocol_pdfs_for_pupil)   # in protocols/apps.py ready()

A hook may carry `count(pupil) -> int`, how many files it will yield, so the progress bar
knows its length up front; without it files are counted as they come.

A full year of protocol PDFs takes long (~17 s), so the ZIP is built by a background job
(`PupilExport`, `export_request` → task → `export_build`; assistant_portal/jobs.py runs it),
progress saved after each file. Without Redis the task runs at commit inside the request (SPEC §7
"Embedded default").
"""

import json
import zipfile
from collections.abc import Callable, Iterable
from typing import IO

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation

from assistant_portal import jobs
from assistant_portal.accounts.models import User
from assistant_portal.jobs import job_progress

from .models import PupilExport, Student

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


def export_request(*, pupil: Student, by: User, language: str | None = None) -> PupilExport:
    """Record the job; it is queued once the row is committed (eager: built right then)."""
    language = language or translation.get_language()
    return jobs.job_request(job=PupilExport(pupil=pupil, requested_by=by, language=language))


def export_queue(job: PupilExport) -> None:
    """Publish the build (jobs.py calls it: at the request, and again from the sweeper)."""
    from .tasks import build_pupil_export

    jobs.publish(build_pupil_export, job.pk)


def export_build(*, job_id: int) -> PupilExport:
    """The task's work: the ZIP in the private storage, the job done (or failed)."""
    job = PupilExport.objects.select_related("pupil__school", "requested_by").get(pk=job_id)
    return jobs.job_run(job=job, name=f"pupil-{job.pupil_id}-{job.pk}.zip", build=_write_archive)


def _write_archive(job: PupilExport, out: IO[bytes]) -> None:
    """The archive's files into one ZIP, in the language of whoever asked; progress is saved
    after each file."""
    with translation.override(job.language):
        job_progress(job, total=expected_parts(job.pupil))
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, (name, content) in enumerate(archive_parts(job.pupil), start=1):
                archive.writestr(name, content)
                job_progress(job, done=done, total=max(job.total, done))
    job_progress(job, total=job.done)  # the hooks' counts were a forecast; this is the count
