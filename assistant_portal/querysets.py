"""Querysets shared by the apps' models."""

from typing import Self

from django.db import models


class ArchivableQuerySet[M: models.Model](models.QuerySet[M]):
    """Records are archived (`archived_at`), never deleted: `active()` is what is still in use."""

    def active(self) -> Self:
        return self.filter(archived_at__isnull=True)
