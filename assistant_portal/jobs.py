"""What every long background job shares: the dossier PDF, the pupil's archive and the bulk
issue of certificates each show a polled progress page and end with a file to download.

An abstract model: each app's job adds what it is about and where its file lives, and
registers how to queue it (`register`, in its AppConfig.ready()). Then, once for all three
(issue #14 items 1-2):

- `queue_on_commit(job)` hands the job to the broker after the row is committed, within
  BROKER_TIMEOUT_SECONDS (settings/base.py). When Redis is down or hung the request is not
  held: the job stays, marked `unqueued_since`, and its page says the background service is
  unavailable and the request will start when it is back.
- `sweep_jobs()` (beat, every minute) queues the jobs the broker refused, lets each kind derive
  its progress from what exists (a batch finishes when its certificates do), re-drives jobs that
  have not moved for JOB_STALL_SECONDS (a killed worker's task would otherwise come back only
  after the broker's one-hour visibility timeout) and fails them after JOB_MAX_REDRIVES, or after
  JOB_GIVE_UP_SECONDS waiting for the broker, so nothing stays "running" for ever.

Every job's work is idempotent (a finished job returns at once; certificates are issued once
per enrolment), so a re-drive racing a slow original costs time, never a duplicate.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
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


def job_progress(job: BackgroundJob, **fields) -> None:
    """Save progress at once (outside any long transaction), so the polled page shows it."""
    fields.setdefault("moved_at", timezone.now())
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


# --- Queueing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobKind:
    model: type[BackgroundJob]
    # Publish the job's task(s) with `publish`; raises when the broker does not take them.
    queue: Callable[[BackgroundJob], None]
    # Derive progress from what exists and finish the job if its work is complete.
    refresh: Callable[[BackgroundJob], BackgroundJob] | None = None


KINDS: dict[str, JobKind] = {}


def register(model: type[BackgroundJob], *, queue, refresh=None) -> None:
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


def _fail(job: BackgroundJob, now, why: str) -> None:
    type(job).objects.filter(pk=job.pk, status__in=UNFINISHED).update(
        status=JobState.FAILED, finished_at=now
    )
    log.error("%s %s failed: %s", job._meta.label, job.pk, why)


def sweep_jobs(*, now=None) -> dict[str, int]:
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
                    _fail(job, now, "the broker stayed unavailable")
                    did["failed"] += 1
                elif queue_job(job):
                    did["queued"] += 1
                continue
            last = job.moved_at or job.created_at
            if now - last <= stall:
                continue
            if job.redrives >= settings.JOB_MAX_REDRIVES:
                _fail(job, now, f"no progress for {now - last} after {job.redrives} re-drives")
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
