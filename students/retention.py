"""Retention: after a pupil leaves, records are kept RETENTION_YEARS, then anonymised.

Names, IIN, exact birth date, guardians' names and contacts, free text, consent documents and
the pupil's export archives are removed; counts (grade, SEN category, dates of joining and
leaving, the rows themselves) stay for statistics. The pupil's change history (pghistory
events) and read-log rows are anonymised too (SPEC §7).

Other apps register their part in `ANONYMISERS`: callables `fn(pupil) -> int` (rows changed)
run inside the same transaction; `protocols` appends one that clears free text and deletes
stored PDFs:

    from students.retention import ANONYMISERS
    ANONYMISERS.append(anonymise_protocols)   # in protocols/apps.py ready()

`PREVIEWS` (`fn(pupil) -> str`, ids and counts only) tell the dry run what else would change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import (  # the *Event models are pghistory's, made beside the tracked ones
    Consent,
    ConsentEvent,
    Guardian,
    GuardianEvent,
    PupilExport,
    ReadLogEntry,
    Student,
    StudentEvent,
)

ANONYMISERS: list[Callable[[Student], int]] = []
PREVIEWS: list[Callable[[Student], str]] = []


def anonymised_name(pupil_id: int) -> str:
    return f"Anonymised pupil #{pupil_id}"


def cutoff(today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - settings.RETENTION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - settings.RETENTION_YEARS, day=28)


def due_for_anonymisation(today: date | None = None) -> QuerySet[Student]:
    """Pupils who left (or were archived) more than RETENTION_YEARS ago, not yet anonymised."""
    before = cutoff(today)
    return Student.objects.filter(anonymised_at__isnull=True).filter(
        Q(left__lt=before) | Q(left__isnull=True, archived_at__date__lt=before)
    )


@dataclass
class Anonymised:
    pupil_id: int
    changed: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def anonymise_pupil(*, pupil: Student, record: bool = True) -> Anonymised:
    """`record`: append to the erasure log beside the backups first, so a restore of an older
    backup erases the pupil again (assistant_portal/security/backup.py); False only when
    re-applying that log."""
    from assistant_portal.security.backup import record_erasure

    if record:
        record_erasure(pupil_id=pupil.pk)
    result = Anonymised(pupil.pk)
    name = anonymised_name(pupil.pk)
    pupil_fields = {
        "last_name": name,
        "first_name": "",
        "patronymic": "",
        "iin": None,
        "pmpc_number": "",
        "pmpc_text": "",
        # keep the year of birth for statistics, not the day
        "birth_date": pupil.birth_date.replace(month=1, day=1),
    }
    Student.objects.filter(pk=pupil.pk).update(
        **pupil_fields, sort_key=name, anonymised_at=timezone.now(), updated_at=timezone.now()
    )
    result.changed["pupil"] = 1
    guardian_fields = {"full_name": "", "phone": "", "email": "", "relation": ""}
    result.changed["guardians"] = Guardian.objects.filter(student=pupil).update(
        **guardian_fields, user=None
    )
    consents = list(Consent.objects.filter(student=pupil))
    for consent in consents:
        if consent.document:
            consent.document.delete(save=False)
    result.changed["consents"] = Consent.objects.filter(student=pupil).update(
        given_by="", scope="", document=""
    )
    exports = list(PupilExport.objects.filter(pupil=pupil).exclude(file=""))
    for job in exports:
        # at once, as the consent documents are: after a rollback a missing file harms less
        # than a kept one
        job.file.delete(save=False)
    result.changed["exports"] = PupilExport.objects.filter(pk__in=[j.pk for j in exports]).update(
        file=""
    )
    # The history holds the old values: rewrite every event of the pupil and their rows.
    result.changed["history"] = (
        StudentEvent.objects.filter(pgh_obj_id=pupil.pk).update(**pupil_fields)
        + GuardianEvent.objects.filter(student_id=pupil.pk).update(**guardian_fields)
        + ConsentEvent.objects.filter(student_id=pupil.pk).update(
            given_by="", scope="", document=""
        )
    )
    result.changed["read_log"] = ReadLogEntry.objects.filter(pupil=pupil).update(target="")
    for anonymiser in ANONYMISERS:
        result.changed[getattr(anonymiser, "__name__", "extra")] = anonymiser(pupil)
    return result


def anonymise_departed(*, dry_run: bool = False, today: date | None = None) -> list[Anonymised]:
    """Anonymise every pupil due; with dry_run, only say who would be changed."""
    pupils = list(due_for_anonymisation(today).order_by("pk"))
    if dry_run:
        return [Anonymised(p.pk, {"pupil": 1}) for p in pupils]
    return [anonymise_pupil(pupil=p) for p in pupils]
