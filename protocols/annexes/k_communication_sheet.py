"""Annex К: the weekly parent–specialist communication sheet, one row per message."""

from django.utils.translation import gettext_lazy as _

from ..schedule import Annex
from .base import AnnexDef
from .fields import AnnexForm, date_field, long_text, short_text


class EntryForm(AnnexForm):
    entry_date = date_field(_("Date"))
    author = short_text(_("Author"))
    message = long_text(_("Message"))
    recommendations = long_text(_("Recommendations"), required=False)
    reply = long_text(_("Reply"), required=False)


class CommunicationSheetForm(AnnexForm):
    pass


ANNEX = AnnexDef(
    code=Annex.K,
    title=_("Parent–specialist communication sheet"),
    menu_name=_("Communication sheet"),
    form=CommunicationSheetForm,
    rows={"entries": EntryForm},
    min_rows={"entries": 1},
)
