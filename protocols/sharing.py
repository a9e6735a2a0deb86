"""Sharing with parents (SPEC §7): what the school shows a guardian beyond
their child's К sheets, recorded as `ParentShare` rows (who, what, with whom, when) and
withdrawn, never deleted.

What can be shared: one protocol version; every final version of an annex type (the school's
policy, so school administrators only); or a part of the pupil card a parent does not see by
default (the PMPC recommendation, the SEN category, the other guardians' contacts). Who reads
what is in `access.py` (`versions_shared_with`, `card_parts_shared_with`).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assistant_portal.accounts.models import User
from assistant_portal.accounts.roles import roles_of
from students.models import Guardian, Student
from students.selectors import current_assignments

from .access import card_parts_shared_with, pupils_shared_by, versions_shared_with
from .models import AnnexCode, ParentShare, ProtocolVersion, ShareKind, Status

CARD_PARTS = (ShareKind.PMPC, ShareKind.SEN_CATEGORY, ShareKind.GUARDIANS)


def shareable_versions(pupil: Student):
    """Versions a sharer may pick: handed-in ones (no drafts), not of К, newest first."""
    return (
        ProtocolVersion.objects.filter(
            protocol__student=pupil,
            protocol__archived_at__isnull=True,
            status__in=[Status.SUBMITTED, Status.APPROVED],
        )
        .exclude(protocol__annex=AnnexCode.K)
        .select_related("protocol")
        .order_by("-saved_at", "-pk")
    )


def shares_of(pupil: Student):
    """Every share of the pupil, the withdrawn ones too (the record), newest first."""
    return (
        ParentShare.objects.filter(guardian__student=pupil)
        .select_related("guardian", "version__protocol", "shared_by", "withdrawn_by")
        .order_by("withdrawn_at", "-shared_at", "-pk")
    )


def _check_sharer(pupil: Student, by: User) -> None:
    if not pupils_shared_by(by).filter(pk=pupil.pk).exists():
        raise ValidationError(_("Only the school's administrator or the pupil's assistant shares."))


@transaction.atomic
def share_create(
    *,
    guardian: Guardian,
    kind: str,
    by: User,
    version: ProtocolVersion | None = None,
    annex: str = "",
) -> ParentShare:
    pupil = guardian.student
    _check_sharer(pupil, by)
    if guardian.archived_at is not None:
        raise ValidationError({"guardian": _("Choose a parent or guardian of this pupil.")})
    if kind == ShareKind.VERSION:
        if version is None or not shareable_versions(pupil).filter(pk=version.pk).exists():
            raise ValidationError({"version": _("Choose a handed-in version of this pupil.")})
        annex = ""
    elif kind == ShareKind.ANNEX:
        if pupil.school_id not in roles_of(by).admin_school_ids:
            raise ValidationError(
                {"annex": _("Sharing every version of an annex is the school's decision.")}
            )
        if annex not in AnnexCode.values or annex == AnnexCode.K:
            raise ValidationError({"annex": _("Choose an annex.")})
        version = None
    elif kind in CARD_PARTS:
        version, annex = None, ""
    else:
        raise ValidationError({"kind": _("Choose what to share.")})
    # Two clicks: the guardian's row serialises them, so the second finds the first.
    Guardian.objects.select_for_update().get(pk=guardian.pk)
    existing = ParentShare.objects.filter(
        guardian=guardian, kind=kind, version=version, annex=annex, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    share = ParentShare(
        guardian=guardian,
        kind=kind,
        version=version,
        annex=annex,
        shared_by=by,
        shared_at=timezone.now(),
    )
    share.full_clean()
    share.save()
    return share


@transaction.atomic
def share_withdraw(*, share: ParentShare, by: User) -> ParentShare:
    locked = ParentShare.objects.select_for_update().select_related("guardian").get(pk=share.pk)
    _check_sharer(locked.guardian.student, by)
    if locked.withdrawn_at is None:
        locked.withdrawn_at, locked.withdrawn_by = timezone.now(), by
        locked.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return locked


# --- The parent's card of their child ----------------------------------------------------------


@dataclass
class ParentCard:
    pupil: Student
    assistants: list[str]
    school_contact: str
    parts: set[str]  # the card parts shared with this parent
    other_guardians: list[Guardian]  # only when their contacts are shared
    versions: list[ProtocolVersion]


def parent_card(user: User, pupil: Student) -> ParentCard:
    """What a parent sees of their child: name, class, the assistant and the school's contact,
    plus exactly what is shared with them. Four queries."""
    parts = card_parts_shared_with(user, pupil)
    versions = list(
        versions_shared_with(user)
        .filter(protocol__student=pupil)
        .select_related("protocol")
        .order_by("protocol__annex", "-saved_at")
    )
    others = []
    if ShareKind.GUARDIANS in parts:
        others = list(pupil.guardians.active().exclude(user=user))
    return ParentCard(
        pupil=pupil,
        assistants=list(
            current_assignments()
            .filter(student=pupil)
            .values_list("assistant__full_name", flat=True)
        ),
        school_contact=pupil.school.contact,
        parts=parts,
        other_guardians=others,
        versions=versions,
    )
