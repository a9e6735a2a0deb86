"""What every long background job shares: the dossier PDF, the pupil's archive and the bulk
issue of certificates each show a polled progress page and end with a file to download.

A feature configures a job; this module runs it:

- The abstract model `BackgroundJob`: each app's job adds what it is about and where its file
  lives, and registers how to queue it (`register`, in its AppConfig.ready()).
- The lifecycle, one service each: `job_request` saves the job and queues it once the row is
  committed; `job_run` (the feature's task) marks it running and `job_finish` writes its file
  with the feature's `build` and marks it done, or `job_failed` (logged, never raised: the page
  says so, and an eager run inside the request must not become a 500).
- `queue_on_commit(job)` hands the job to the broker within BROKER_TIMEOUT_SECONDS
  (settings/base.py). When Redis is down or hung the request is not held: the job stays, marked
  `unqueued_since`, and its page says the background service is unavailable and the request
  will start when it is back.
- `sweep_jobs()` (beat, every minute) queues the jobs the broker refused, lets each kind derive
  its progress from what exists (a batch finishes when its certificates do), re-drives jobs that
  have not moved for JOB_STALL_SECONDS (a killed worker's task would otherwise come back only
  after the broker's one-hour visibility timeout) and fails them after JOB_MAX_REDRIVES, or after
  JOB_GIVE_UP_SECONDS waiting for the broker, so nothing stays "running" for ever.
- The pages: `progress_response` (templates/jobs/progress.html, polled) and `file_response`,
  both after the feature's own access check, with what the feature's `JobPage` says.

Every job's work is idempotent (a finished job returns at once; certificates are issued once
per enrolment), so a re-drive racing a slow original costs time, never a duplicate.
"""

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


class JobState(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("in progress")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


UNFINISHED = (JobState.PENDING, JobState.RUNNING)


class BackgroundJob(models.Model):
    State = JobState

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=JobState.choices, default=JobState.PENDING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The sweeper's evidence: the last sign of life (queued, or progress saved) ...
    moved_at = models.DateTimeField(null=True, blank=True)
    # ... since when the broker has refused it (None once it is queued) ...
    unqueued_since = models.DateTimeField(null=True, blank=True)
    # ... and how often it was queued again after it stopped moving.
    redrives = models.PositiveSmallIntegerField(default=0)
    # Each kind declares its own `file` (its storage and folder differ).
    file: Any

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in (JobState.DONE, JobState.FAILED)

    @property
    def ready(self) -> bool:
        """Its file can be downloaded."""
        return self.status == JobState.DONE and bool(self.file)

    @property
    def waiting_for_service(self) -> bool:
        """The broker refused it: kept, and queued by the sweeper when the broker is back."""
        return not self.finished and self.unqueued_since is not None


def job_progress(job: BackgroundJob, **fields: Any) -> None:
    """Save progress at once (outside any long transaction), so the polled page shows it."""
    fields.setdefault("moved_at", timezone.now())
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


# --- The lifecycle: request → run → done or failed ---------------------------------------------

# What a feature builds: writes the job's file into the open binary file it is given, saving
# progress (`job_progress`) as it goes.
type Build[J: BackgroundJob] = Callable[[J, IO[bytes]], None]


@transaction.atomic
def job_request[J: BackgroundJob](*, job: J) -> J:
    """Save a new job (the feature has filled in what it is about) and queue it once the row is
    committed, so a worker finds it (eager: it runs right then)."""
    job.full_clean()
    job.save()
    queue_on_commit(job)
    return job


def job_run[J: BackgroundJob](*, job: J, name: str, build: Build[J]) -> J:
    """The task's work: mark the job running, then `job_finish`. Not one transaction: progress
    must be visible while it runs. A finished job returns at once (a re-drive, a redelivery)."""
    if job.finished:
        return job
    job_progress(job, status=JobState.RUNNING)
    return job_finish(job=job, name=name, build=build)


def job_finish[J: BackgroundJob](*, job: J, name: str, build: Build[J]) -> J:
    """Write the job's file (stored as `name`) with `build` and mark the job done; when the build
    raises, the job is failed instead."""
    try:
        # A temporary file, not memory: a year of PDFs is tens of megabytes.
        with tempfile.TemporaryFile() as spool:
            build(job, spool)
            spool.seek(0)
            job.file.save(name, File(spool), save=False)
        job_progress(job, file=job.file.name, status=JobState.DONE, finished_at=timezone.now())
    except Exception as error:
        job_failed(job=job, why="its build raised", error=error)
    return job


def job_failed[J: BackgroundJob](
    *, job: J, why: str, error: BaseException | None = None, now: datetime | None = None
) -> J:
    """Mark the job failed, unless it finished meanwhile (a slow original beating the sweeper),
    and log why; its page offers "Try again"."""
    now = now or timezone.now()
    type(job).objects.filter(pk=job.pk, status__in=UNFINISHED).update(
        status=JobState.FAILED, finished_at=now
    )
    job.refresh_from_db(fields=["status", "finished_at"])
    log.error("%s %s failed: %s", job._meta.verbose_name_raw, job.pk, why, exc_info=error)
    return job


# --- Queueing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobKind:
    model: type[BackgroundJob]
    # Publish the job's task(s) with `publish`; raises when the broker does not take them.
    queue: Callable[[BackgroundJob], None]
    # Derive progress from what exists and finish the job if its work is complete.
    refresh: Callable[[BackgroundJob], BackgroundJob] | None = None


KINDS: dict[str, JobKind] = {}


def register(
    model: type[BackgroundJob],
    *,
    queue: Callable[[Any], None],
    refresh: Callable[[Any], BackgroundJob] | None = None,
) -> None:
    KINDS[model._meta.label] = JobKind(model=model, queue=queue, refresh=refresh)


def publish(task, *args) -> None:
    """Hand one task to the broker (eager: run it here). Nobody reads task results: a job's
    state is its row; and the result backend would be one more Redis round trip to hang on.
    Always through the project's app and its settings, whichever Celery app is "current"."""
    from assistant_portal.celery_app import app

    app.tasks[task.name].apply_async(args, ignore_result=True)


def _eager() -> bool:
    from assistant_portal.celery_app import app

    return bool(app.conf.task_always_eager)


def queue_job(job: BackgroundJob) -> bool:
    """Queue the job now; False (and the job marked waiting) when the broker did not take it."""
    kind = KINDS[job._meta.label]
    if _eager():  # in-process: the task runs right here and records its own outcome
        kind.queue(job)
        return True
    model, now = type(job), timezone.now()
    try:
        kind.queue(job)
    except Exception as error:  # kombu's OperationalError, socket timeouts, redis errors
        log.warning("%s %s: the broker did not take it (%s); kept for the sweeper",
                    job._meta.label, job.pk, error)  # fmt: skip
        model.objects.filter(pk=job.pk).update(unqueued_since=Coalesce(F("unqueued_since"), now))
        job.unqueued_since = job.unqueued_since or now
        return False
    model.objects.filter(pk=job.pk).update(unqueued_since=None, moved_at=now)
    job.unqueued_since, job.moved_at = None, now
    return True


def queue_on_commit(job: BackgroundJob) -> None:
    """Queue the job once its row is committed (a worker must find it)."""
    transaction.on_commit(lambda: queue_job(job))


# --- The sweeper ----------------------------------------------------------------------------


def sweep_jobs(*, now: datetime | None = None) -> dict[str, int]:
    """Queue, finish, re-drive or fail every unfinished job; returns what it did."""
    now = now or timezone.now()
    stall = timedelta(seconds=settings.JOB_STALL_SECONDS)
    give_up = timedelta(seconds=settings.JOB_GIVE_UP_SECONDS)
    did = {"queued": 0, "finished": 0, "redriven": 0, "failed": 0}
    for kind in KINDS.values():
        for job in kind.model.objects.filter(status__in=UNFINISHED).order_by("pk"):
            if kind.refresh is not None:
                job = kind.refresh(job)
                if job.finished:
                    did["finished"] += 1
                    continue
            if job.unqueued_since is not None:  # never reached the broker
                if now - job.created_at > give_up:
                    job_failed(job=job, why="the broker stayed unavailable", now=now)
                    did["failed"] += 1
                elif queue_job(job):
                    did["queued"] += 1
                continue
            last = job.moved_at or job.created_at
            if now - last <= stall:
                continue
            if job.redrives >= settings.JOB_MAX_REDRIVES:
                job_failed(
                    job=job,
                    why=f"no progress for {now - last} after {job.redrives} re-drives",
                    now=now,
                )
                did["failed"] += 1
                continue
            # Claimed by a compare-and-set, so two sweepers never re-drive the same job twice.
            claimed = kind.model.objects.filter(pk=job.pk, redrives=job.redrives).update(
                redrives=F("redrives") + 1, moved_at=now
            )
            if claimed:
                log.warning("%s %s: no progress since %s; queued again", job._meta.label,
                            job.pk, last)  # fmt: skip
                queue_job(job)
                did["redriven"] += 1
    return did


@shared_task
def sweep_background_jobs() -> dict[str, int]:
    return sweep_jobs()


# --- The pages: progress and download ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class JobPage[J: BackgroundJob]:
    """What a kind of job's progress page and download say; the feature's whole part in them.

    URL names: `page_url` and `file_url` take the job's pk; `start_url` (the "Try again" form's
    action) and `back_url` take the pk of the job's `owner` (the pupil, the cohort)."""

    owner: str  # the job's field naming whose job it is; the page is headed by its str()
    title: str | Promise  # the window title; the heading unless `heading` says more
    counts: str | Promise  # "%(done)s of %(total)s parts"
    download: str | Promise  # the button's text
    back: str | Promise  # the link under the page
    page_url: str
    file_url: str
    start_url: str
    back_url: str
    file_name: Callable[[J], str]  # the download's name (the stored one is the service's)
    content_type: str
    slug: str  # element ids: <slug>-progress, <slug>-bar, <slug>-download
    heading: str | Promise = ""
    # The download's record, e.g. the pupil's read log: (user, job, the file name).
    on_download: Callable[[Any, J, str], None] | None = None
    # One more line under the bar (the batch's skipped listeners).
    note: Callable[[J], str] | None = None


def progress_response[J: BackgroundJob](
    request: HttpRequest, job: J, *, page: JobPage[J]
) -> HttpResponse:
    """The job's page, polled while it is unfinished; htmx's poll gets the progress part only.
    Watching a job is not a read of what it is about: nothing is logged."""
    context = {
        "job": job,
        "page": page,
        "owner": getattr(job, page.owner),
        "counts": page.counts % {"done": job.done, "total": job.total},
        "note": page.note(job) if page.note is not None else "",
    }
    template = "jobs/progress.html"
    if getattr(request, "htmx", False):
        template += "#progress"
    return render(request, template, context)


def file_response[J: BackgroundJob](
    request: HttpRequest, job: J, *, page: JobPage[J]
) -> HttpResponseBase:
    """The job's file as an attachment, once it is ready (before that: its progress page)."""
    if not job.ready:
        return redirect(page.page_url, job.pk)
    name = page.file_name(job)
    if page.on_download is not None:
        page.on_download(request.user, job, name)
    response = FileResponse(
        job.file.open("rb"), as_attachment=True, filename=name, content_type=page.content_type
    )
    response["Cache-Control"] = "no-store"  # the middleware says so too; a file must not rely on it
    return response
