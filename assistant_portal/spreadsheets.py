"""Reading spreadsheets people upload: XLSX, or CSV in UTF-8 (with or without BOM),
Windows-1251 or KZ-1048 (SPEC §7 "Spreadsheets are the usual source"), and the upload form.

Every import (pupils, listeners, scores, questions) reads its file here; what the rows mean is
each app's own `importing.py`.
"""

import csv
import io
import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_KAZAKH_ONLY = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Letters that cp1251 puts where KZ-1048 has Kazakh ones (Serbian/Macedonian Cyrillic).
_CP1251_ODD = set("ЉЊЌЋЏљњќћџЎўЈјҐґЂђЃѓ")


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (type, encoding, broken XLSX)."""


def _decode(raw: bytes, encoding: str) -> tuple[str, str, list[str]]:
    warnings = []
    if encoding == "auto":
        try:
            return raw.decode("utf-8-sig"), "utf-8", warnings
        except UnicodeDecodeError:
            cp, kz = raw.decode("cp1251", "replace"), raw.decode("kz1048", "replace")
            if _CP1251_ODD & set(cp) and _KAZAKH_ONLY & set(kz):
                text, encoding = kz, "kz1048"
            else:
                text, encoding = cp, "cp1251"
    else:
        try:
            text = raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
        except UnicodeDecodeError as e:
            raise SpreadsheetError(_("The file is not in the chosen encoding.")) from e
    if encoding == "cp1251" and re.search(r"\w\?\w", text):
        # Excel's plain CSV on Windows writes "?" for ә ғ қ ң ө ұ ү һ і.
        warnings.append(
            _(
                "The file is in Windows-1251 and has “?” inside words: Kazakh letters were lost "
                "when it was saved. Save it as XLSX or “CSV UTF-8” and upload it again."
            )
        )
    return text, encoding, warnings


def read_table(raw: bytes, filename: str, encoding: str) -> tuple[list[list], str, list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).active
            return [list(r) for r in sheet.iter_rows(values_only=True)], "xlsx", []
        except Exception as e:  # openpyxl raises many kinds for a broken file
            raise SpreadsheetError(_("This is not a readable XLSX file.")) from e
    if not filename.lower().endswith(".csv"):
        raise SpreadsheetError(_("Upload an XLSX or CSV file."))
    text, used, warnings = _decode(raw, encoding)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)], used, warnings


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("XLSX, or CSV in UTF-8, Windows-1251 or KZ-1048."),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding of a CSV file"),
        choices=[
            ("auto", gettext_lazy("detect")),
            ("utf-8", "UTF-8"),
            ("cp1251", "Windows-1251"),
            ("kz1048", "KZ-1048"),
        ],
        initial="auto",
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > settings.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB).")
                % {"mb": settings.MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload an XLSX or CSV file."))
        return f
