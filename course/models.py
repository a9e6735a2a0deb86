"""The 108-hour professional-development course (SPEC §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingOrganisation(models.Model):
    """Runs the course; its course administrators see only its cohorts."""

    name = models.CharField(_("name"), max_length=255)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("training organisation")
        verbose_name_plural = _("training organisations")

    def __str__(self):
        return self.name
