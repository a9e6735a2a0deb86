"""What every long background job shares: the dossier PDF, the pupil's archive and the bulk
issue of certificates each show a polled progress page and end with a file to download.

An abstract model: each app's job adds what it is about and where its file lives.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("in progress")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


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

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in (JobState.DONE, JobState.FAILED)

    @property
    def ready(self) -> bool:
        """Its file can be downloaded."""
        return self.status == JobState.DONE and bool(self.file)


def job_progress(job: BackgroundJob, **fields) -> None:
    """Save progress at once (outside any long transaction), so the polled page shows it."""
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))
