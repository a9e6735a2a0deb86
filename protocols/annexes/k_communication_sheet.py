"""Annex К: the weekly parent–specialist communication sheet (SPEC §2, §7).

A sheet is a thread, not a form one person fills: the pupil's assistant, every support-team
specialist of the pupil's school and the pupil's parent each write entries, and the other side
replies. Entries are written only through `protocols.communication` (one at a time, under a
row lock); `EntryForm` names the stored fields for the readers (print, dossier, export,
anonymisation), `NewEntryForm` and `ReplyForm` are what people type.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from assistant_portal.accounts.models import RoleKind, Speciality

from ..schedule import Annex
from .base import AnnexDef
from .fields import LONG, AnnexForm, choice, date_field, long_text, short_text

# The sides of a sheet (SPEC §7): a new entry notifies the other one.
PARENT = "parent"
STAFF = "staff"

# The author's role as stored on an entry: the assistant, a specialist's speciality, the parent.
AUTHOR_ROLES = [
    (RoleKind.ASSISTANT.value, RoleKind.ASSISTANT.label),
    *Speciality.choices,
    (RoleKind.PARENT.value, RoleKind.PARENT.label),
]
ROLE_LABELS = dict(AUTHOR_ROLES)

# The stored keys of one entry that readers use (besides the form's fields below):
ENTRY_ID = "id"  # stable: replies name the entry by it, never by its position
AUTHOR_ID = "author_id"
CREATED_AT = "created_at"  # ISO date-time: what "unread" compares with
REPLY_AUTHOR_ID = "reply_author_id"
REPLY_ROLE = "reply_role"
REPLIED_AT = "replied_at"


class EntryForm(AnnexForm):
    entry_date = date_field(_("Date"))
    author = short_text(_("Author"))
    author_role = choice(_("Role"), AUTHOR_ROLES, required=False)
    message = long_text(_("Message"))
    recommendations = long_text(_("Recommendations"), required=False)
    reply = long_text(_("Reply"), required=False)
    reply_author = short_text(_("Reply by"), required=False)


class CommunicationSheetForm(AnnexForm):
    pass


class NewEntryForm(forms.Form):
    """A new entry, by either side."""

    message = forms.CharField(
        label=_("Message"), max_length=LONG, widget=forms.Textarea(attrs={"rows": 4})
    )
    recommendations = forms.CharField(
        label=_("Recommendations"),
        max_length=LONG,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReplyForm(forms.Form):
    entry = forms.CharField(max_length=64, widget=forms.HiddenInput)
    reply = forms.CharField(
        label=_("Reply"), max_length=LONG, widget=forms.Textarea(attrs={"rows": 3})
    )


ANNEX = AnnexDef(
    code=Annex.K,
    title=_("Parent–specialist communication sheet"),
    menu_name=_("Communication sheet"),
    form=CommunicationSheetForm,
    rows={"entries": EntryForm},
    min_rows={"entries": 1},
)
