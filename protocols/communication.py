"""Annex К as people use it (SPEC §7): a weekly thread between the pupil's
parent and the specialists — writes, reads and who is told.

- Writes (`sheet_entry_add`, `sheet_reply`) append to `Protocol.data["entries"]` under the
  sheet's row lock, one entry at a time, so two people writing at once both land; each freezes a
  version (the sheet's history) and notifies the other side (in-app and e-mail per preferences;
  the weekly digest counts them too, `protocols/digest.py`). Who may write is
  `access.sheet_side`: the parent, or the staff (the assigned assistant and the school's
  support-team specialists).
- The first staff entry of a week marks that week's К done (submitted): the weekly duty is the
  staff's; a parent's entry alone does not.
- Reads (`sheet_view`, `parent_sheets`) give each entry once, with its author's role and real
  dates, and what is unread for the viewer (`SheetRead`, the last time they opened the sheet).
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistant_portal.accounts.models import User
from assistant_portal.notifications.models import Notification
from assistant_portal.notifications.services import notify
from students.models import Student
from students.selectors import current_assignments

from . import schedule
from .access import sheet_author_role, sheet_side
from .annexes.k_communication_sheet import (
    AUTHOR_ID,
    CREATED_AT,
    ENTRY_ID,
    PARENT,
    REPLIED_AT,
    REPLY_AUTHOR_ID,
    REPLY_ROLE,
    ROLE_LABELS,
    STAFF,
)
from .calendar import calendar_of
from .models import AnnexCode, Protocol, SheetRead, Status
from .services import _freeze
from .windows import current_year, window_for

ENTRIES = "entries"


def sheet_url(pupil_id: int, window_key: str) -> str:
    return reverse("protocols:sheet", args=[pupil_id, window_key])


def entry_key(entry: dict) -> str:
    """An entry's stable id; entries written before ids existed are named by their message."""
    if entry.get(ENTRY_ID):
        return str(entry[ENTRY_ID])
    return "m" + hashlib.sha256(str(entry.get("message", "")).encode()).hexdigest()[:16]


def _side_of_entry(entry: dict) -> str:
    # Entries from before roles were recorded were the assistant's (only they could write).
    return PARENT if entry.get("author_role") == PARENT else STAFF


def _stamp() -> str:
    return timezone.now().isoformat()


def _week_label(window_key: str):
    day = date.fromisoformat(window_key.split(":", 1)[1]) if ":" in window_key else None
    return lazy(lambda: date_format(day, "SHORT_DATE_FORMAT") if day else window_key, str)()


def week_window(pupil: Student, window_key: str, *, today: date):
    """(year, window) of an existing К week of the pupil that has begun; else a form error."""
    found = window_for(pupil, AnnexCode.K, window_key)
    if found is None or found[1].opens > today:
        raise ValidationError(_("This week has no communication sheet."))
    return found


def current_sheet_key(pupil: Student, *, today: date) -> str | None:
    """The К window of this week (or the last one that has begun), for "write to the school"."""
    year = current_year(pupil, today=today)
    if year is None:
        return None
    windows = [
        w
        for w in schedule.windows_for_pupil(
            calendar_of(year), grade=pupil.grade, joined=pupil.joined, left=pupil.left
        )
        if w.annex == AnnexCode.K and w.opens <= today
    ]
    return windows[-1].key if windows else None


# --- Writes ---------------------------------------------------------------------------------


def _sheet_locked(pupil: Student, window_key: str, by: User, today: date) -> Protocol:
    """The week's sheet under a row lock, made on its first entry."""
    year, window = week_window(pupil, window_key, today=today)
    # Two first entries at once: the pupil's row serialises them, so one sheet is made.
    Student.objects.select_for_update().get(pk=pupil.pk)
    sheet = Protocol.objects.filter(
        student=pupil, year=year, annex=AnnexCode.K, window_key=window_key, archived_at=None
    ).first()
    if sheet is None:
        sheet = Protocol(
            student=pupil,
            year=year,
            annex=AnnexCode.K,
            window_key=window_key,
            due=window.due,
            data={ENTRIES: []},
            filled_on=today,
            author=by,
            updated_by=by,
        )
        sheet.full_clean()
        sheet.save()
    return Protocol.objects.select_for_update().get(pk=sheet.pk)


def _store(sheet: Protocol, entries: list[dict], by: User, extra_fields=()) -> None:
    sheet.data = {**sheet.data, ENTRIES: entries}
    sheet.updated_by = by
    sheet.revision += 1
    sheet.save(update_fields=["data", "updated_by", "revision", "updated_at", *extra_fields])
    _freeze(sheet, by)


@transaction.atomic
def sheet_entry_add(
    *,
    pupil: Student,
    window_key: str,
    by: User,
    message: str,
    recommendations: str = "",
    today: date | None = None,
) -> Protocol:
    """A new entry on the pupil's sheet of that week, by either side; the other side is told."""
    today = today or timezone.localdate()
    side = sheet_side(by, pupil)
    if side is None:
        raise ValidationError(_("Only the pupil's parent and specialists write on this sheet."))
    message, recommendations = message.strip(), recommendations.strip()
    if not message:
        raise ValidationError({"message": _("Write a message.")})
    sheet = _sheet_locked(pupil, window_key, by, today)
    entry = {
        ENTRY_ID: secrets.token_hex(6),
        "entry_date": today.isoformat(),
        "author": by.full_name,
        "author_role": sheet_author_role(by, pupil),
        AUTHOR_ID: by.pk,
        "message": message,
        "recommendations": recommendations if side == STAFF else "",
        CREATED_AT: _stamp(),
    }
    extra = []
    if side == STAFF and sheet.status == Status.DRAFT:
        # The week's К is the staff's duty: their first entry makes it done (SPEC §3).
        sheet.status, sheet.submitted_at = Status.SUBMITTED, timezone.now()
        extra = ["status", "submitted_at"]
    _store(sheet, [*(sheet.data.get(ENTRIES) or []), entry], by, extra)
    _tell_other_side(sheet, pupil, entry, side, by)
    return sheet


@transaction.atomic
def sheet_reply(*, sheet: Protocol, by: User, entry: str, text: str) -> Protocol:
    """The other side answers one entry; the entry's author is told. The one who replied may
    correct their reply; nobody else overwrites it."""
    locked = Protocol.objects.select_for_update().select_related("student").get(pk=sheet.pk)
    if locked.annex != AnnexCode.K:
        raise ValidationError(_("Only a communication sheet takes replies."))
    side = sheet_side(by, locked.student)
    if side is None:
        raise ValidationError(_("Only the pupil's parent and specialists write on this sheet."))
    text = text.strip()
    if not text:
        raise ValidationError({"reply": _("Write a reply.")})
    entries = list(locked.data.get(ENTRIES) or [])
    index = next((i for i, e in enumerate(entries) if entry_key(e) == entry), None)
    if index is None:
        raise ValidationError({"reply": _("This entry does not exist.")})
    old = entries[index]
    if _side_of_entry(old) == side:
        raise ValidationError({"reply": _("Replies come from the other side of the sheet.")})
    if old.get("reply") and old.get(REPLY_AUTHOR_ID) not in (None, by.pk):
        raise ValidationError({"reply": _("This entry has already been answered.")})
    entries[index] = {
        **old,
        "reply": text,
        "reply_author": by.full_name,
        REPLY_ROLE: sheet_author_role(by, locked.student),
        REPLY_AUTHOR_ID: by.pk,
        REPLIED_AT: _stamp(),
    }
    _store(locked, entries, by)
    author = User.objects.filter(pk=old.get(AUTHOR_ID)).first() if old.get(AUTHOR_ID) else None
    recipients = [author] if author else _staff_of(locked.student, [locked])
    _notify(locked, recipients, by, entries[index][REPLY_ROLE], reply=True)
    return locked


@transaction.atomic
def sheet_mark_read(*, sheet: Protocol, user: User) -> None:
    """The user has seen the sheet now: its entries and its notices are read."""
    # One INSERT … ON CONFLICT DO UPDATE: two tabs opening the sheet at once cannot clash.
    SheetRead.objects.bulk_create(
        [SheetRead(protocol=sheet, user=user, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["protocol", "user"],
        update_fields=["seen_at"],
    )
    Notification.objects.filter(
        user=user, url=sheet_url(sheet.student_id, sheet.window_key), read_at__isnull=True
    ).update(read_at=timezone.now())


# --- Who is told ------------------------------------------------------------------------------


def _parents_of(pupil: Student) -> list[User]:
    return list(
        User.objects.filter(
            guardianships__student=pupil, guardianships__archived_at__isnull=True, is_active=True
        ).distinct()
    )


def _staff_of(pupil: Student, sheets) -> list[User]:
    """The pupil's assistant now, and every specialist who has written on these sheets."""
    ids = set(current_assignments().filter(student=pupil).values_list("assistant_id", flat=True))
    for sheet in sheets:
        for e in sheet.data.get(ENTRIES) or []:
            if _side_of_entry(e) == STAFF and e.get(AUTHOR_ID):
                ids.add(e[AUTHOR_ID])
            if e.get(REPLY_ROLE) not in (None, PARENT) and e.get(REPLY_AUTHOR_ID):
                ids.add(e[REPLY_AUTHOR_ID])
    return list(User.objects.filter(pk__in=ids))


def _tell_other_side(sheet: Protocol, pupil: Student, entry: dict, side: str, by: User) -> None:
    if side == STAFF:
        recipients = _parents_of(pupil)
    else:
        sheets = Protocol.objects.filter(
            student=pupil, year=sheet.year, annex=AnnexCode.K, archived_at=None
        ).only("data")
        recipients = _staff_of(pupil, sheets)
    _notify(sheet, recipients, by, entry["author_role"])


def _notify(sheet, recipients, by: User, role: str, *, reply=False) -> None:
    recipients = [u for u in recipients if u.pk != by.pk]
    title = (
        gettext_lazy("A reply on the communication sheet of %(pupil)s")
        if reply
        else gettext_lazy("A new entry on the communication sheet of %(pupil)s")
    )
    notify(
        users=recipients,
        title=title,
        body=gettext_lazy(
            "%(author)s (%(role)s) wrote on the sheet of the week of %(week)s. "
            "Open the sheet to read it and answer."
        ),
        url=sheet_url(sheet.student_id, sheet.window_key),
        params={
            "pupil": sheet.student.full_name,
            "author": by.full_name,
            "role": ROLE_LABELS.get(role, ""),
            "week": _week_label(sheet.window_key),
        },
    )


# --- Reads ---------------------------------------------------------------------------------


def _when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass
class Entry:
    key: str
    day: date | None
    author: str
    role: str  # the role's label
    from_parent: bool
    message: str
    recommendations: str
    reply: str
    reply_author: str
    reply_role: str
    unread: bool
    can_reply: bool  # the viewer is on the other side and the reply is theirs to write


def unread_count(sheet: Protocol, user_id: int, seen_at: datetime | None) -> int:
    """Entries and replies by others the user has not seen since they last opened the sheet.
    Entries without a time (written before times were kept) count until the sheet is opened."""
    count = 0
    for e in sheet.data.get(ENTRIES) or []:
        for who, when in ((AUTHOR_ID, CREATED_AT), (REPLY_AUTHOR_ID, REPLIED_AT)):
            if who == REPLY_AUTHOR_ID and not e.get("reply"):
                continue
            if e.get(who) == user_id:
                continue
            at = _when(e.get(when))
            if seen_at is None or (at is not None and at > seen_at):
                count += 1
    return count


def sheet_entries(sheet: Protocol | None, user: User, side: str | None, seen_at) -> list[Entry]:
    entries = []
    for e in (sheet.data.get(ENTRIES) or []) if sheet else []:
        mine_side = _side_of_entry(e)
        at = _when(e.get(CREATED_AT))
        replied_by_other = e.get("reply") and e.get(REPLY_AUTHOR_ID) not in (None, user.pk)
        entries.append(
            Entry(
                key=entry_key(e),
                day=_day(e.get("entry_date")),
                author=str(e.get("author") or ""),
                role=str(ROLE_LABELS.get(e.get("author_role") or "", "")),
                from_parent=mine_side == PARENT,
                message=str(e.get("message") or ""),
                recommendations=str(e.get("recommendations") or ""),
                reply=str(e.get("reply") or ""),
                reply_author=str(e.get("reply_author") or ""),
                reply_role=str(ROLE_LABELS.get(e.get(REPLY_ROLE) or "", "")),
                unread=e.get(AUTHOR_ID) != user.pk
                and (seen_at is None or (at is not None and at > seen_at)),
                can_reply=side is not None and side != mine_side and not replied_by_other,
            )
        )
    return entries


def seen_at(sheet: Protocol | None, user: User) -> datetime | None:
    if sheet is None:
        return None
    row = SheetRead.objects.filter(protocol=sheet, user=user).only("seen_at").first()
    return row.seen_at if row else None


@dataclass
class SheetLine:
    sheet: Protocol
    week: date | None
    entries: int
    unread: int


@dataclass
class ChildSheets:
    pupil: Student
    current_key: str | None
    sheets: list[SheetLine] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(s.unread for s in self.sheets)


def parent_sheets(user: User, pupils, *, today: date) -> list[ChildSheets]:
    """The parent's home: each child's sheets of the year, newest first, with unread counts.
    Two queries for all children (sheets, the user's read marks) plus each child's calendar."""
    pupils = list(pupils)
    sheets = list(
        Protocol.objects.filter(
            student__in=pupils, annex=AnnexCode.K, archived_at__isnull=True
        ).order_by("-due", "-pk")
    )
    seen = dict(
        SheetRead.objects.filter(user=user, protocol__in=sheets).values_list(
            "protocol_id", "seen_at"
        )
    )
    result = []
    for pupil in pupils:
        child = ChildSheets(pupil=pupil, current_key=current_sheet_key(pupil, today=today))
        for sheet in sheets:
            if sheet.student_id == pupil.pk:
                sheet.student = pupil
                child.sheets.append(
                    SheetLine(
                        sheet=sheet,
                        week=_day(sheet.window_key.split(":", 1)[-1]),
                        entries=len(sheet.data.get(ENTRIES) or []),
                        unread=unread_count(sheet, user.pk, seen.get(sheet.pk)),
                    )
                )
        result.append(child)
    return result


# --- The weekly digest: a line per entry from the other side (SPEC §3 "Reminders") ----------


def digest_sections(users, week) -> dict[int, list]:
    """Per parent or staff member: the entries the other side wrote on their sheets during the
    week before the digest, one line each with a link, grouped by pupil.

    Four queries: the users' children, their assigned pupils, their specialist schools, and the
    К sheets changed in that week of all those pupils.
    """
    from collections import defaultdict
    from datetime import timedelta

    from django.db.models import Q
    from django.utils.text import format_lazy

    from assistant_portal.accounts.models import Role, RoleKind
    from assistant_portal.notifications.digest import DigestItem, DigestSection
    from students.models import Guardian

    ids = [u.pk for u in users]
    since = week.start - timedelta(days=7)
    since_at = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    children = defaultdict(set)  # pupil -> parents
    for user_id, pupil_id in Guardian.objects.filter(
        user_id__in=ids, archived_at__isnull=True
    ).values_list("user_id", "student_id"):
        children[pupil_id].add(user_id)
    assigned = defaultdict(set)  # pupil -> assistants
    for user_id, pupil_id in (
        current_assignments(on=week.start)
        .filter(assistant_id__in=ids)
        .values_list("assistant_id", "student_id")
    ):
        assigned[pupil_id].add(user_id)
    specialist_schools = set(
        Role.objects.filter(
            user_id__in=ids, kind=RoleKind.SPECIALIST, archived_at__isnull=True
        ).values_list("school_id", flat=True)
    )
    sheets = (
        Protocol.objects.filter(
            Q(student_id__in=[*children, *assigned]) | Q(student__school_id__in=specialist_schools),
            annex=AnnexCode.K,
            archived_at__isnull=True,
            updated_at__gte=since_at,
        )
        .select_related("student")
        .order_by("student__sort_key", "due")
    )
    lines = defaultdict(lambda: defaultdict(list))  # user -> pupil -> items
    pupils = {}
    for sheet in sheets:
        pupils[sheet.student_id] = sheet.student
        entries = sheet.data.get(ENTRIES) or []
        writers = {e.get(AUTHOR_ID) for e in entries if _side_of_entry(e) == STAFF}
        staff = (assigned[sheet.student_id] | writers) & set(ids)
        for e in entries:
            at = _when(e.get(CREATED_AT))
            if at is None or not since <= timezone.localdate(at) < week.start:
                continue
            readers = staff if _side_of_entry(e) == PARENT else children[sheet.student_id]
            text = format_lazy(
                gettext_lazy("{author} ({role}) wrote on the sheet of the week of {week}"),
                author=e.get("author", ""),
                role=ROLE_LABELS.get(e.get("author_role") or "", ""),
                week=_week_label(sheet.window_key),
            )
            item = DigestItem(text=text, url=sheet_url(sheet.student_id, sheet.window_key))
            for user_id in readers - {e.get(AUTHOR_ID)}:
                lines[user_id][sheet.student_id].append(item)
    title = gettext_lazy("Communication sheets")
    return {
        user_id: [
            DigestSection(
                title=format_lazy("{} — {}", title, pupils[pupil_id].full_name),
                groups=[("", items)],
                kind="communication",
            )
            for pupil_id, items in per_pupil.items()
        ]
        for user_id, per_pupil in lines.items()
    }
