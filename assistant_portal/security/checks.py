"""System checks for the privacy settings (run by `manage.py check`, so CI and deploys see them)."""

from django.conf import settings
from django.core.checks import Warning


def retention_settings(app_configs=None, **kwargs):
    problems = []
    if settings.BACKUP_KEEP_DAYS >= settings.RETENTION_YEARS * 365:
        problems.append(
            Warning(
                "BACKUP_KEEP_DAYS is not shorter than RETENTION_YEARS: anonymised pupils would "
                "live on in old backups.",
                hint="Keep backups for days or weeks, not years (docs/DEPLOYMENT.md §5).",
                id="portal.W001",
            )
        )
    if settings.RETENTION_YEARS < 1:
        problems.append(Warning("RETENTION_YEARS must be at least 1.", id="portal.W002"))
    return problems
