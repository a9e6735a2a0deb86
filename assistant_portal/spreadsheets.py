"""Reading spreadsheets people upload: XLSX, or CSV in UTF-8 (with or without BOM),
Windows-1251 or KZ-1048 (SPEC §7 "Spreadsheets are the usual source"), and the upload form.

Every import (pupils, listeners, scores, questions) reads its file here; what the rows mean is
each app's own `importing.py`.

Hostile files: an XLSX is a ZIP of XML, and a 5 KB file can declare a sheet of
`A1:XFD1048576` or hold a member that inflates to gigabytes. So the archive's members are checked
before openpyxl opens it, the sheet is streamed (read-only mode) with its declared dimension
ignored, and rows are counted and cut to the column limit as they arrive: any file under the
upload limit is read in a few megabytes.
"""

import csv
import io
import re
import zipfile

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_KAZAKH_ONLY = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Letters that cp1251 puts where KZ-1048 has Kazakh ones (Serbian/Macedonian Cyrillic).
_CP1251_ODD = set("ЉЊЌЋЏљњќћџЎўЈјҐґЂђЃѓ")


# Every import has at most 2,000 rows under its header; the widest (the score grid: an e-mail
# column and one per task) has a few dozen columns.
MAX_ROWS = 2000
MAX_COLUMNS = 200
# An XLSX's members together may inflate to this much, and to at most this many times the
# file's size: real sheets are XML that compresses 5–20 times, a ZIP bomb a thousand times.
MAX_XLSX_UNCOMPRESSED = 25 * 1024 * 1024
MAX_XLSX_RATIO = 100


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (type, encoding, broken XLSX, too large)."""


def _too_many_rows() -> SpreadsheetError:
    return SpreadsheetError(_("At most %(n)d rows can be imported at once.") % {"n": MAX_ROWS})


def _too_many_columns() -> SpreadsheetError:
    return SpreadsheetError(
        _("The file has more than %(n)d columns; keep only the template's columns.")
        % {"n": MAX_COLUMNS}
    )


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _limited(rows, max_rows: int = MAX_ROWS + 1, max_columns: int = MAX_COLUMNS) -> list[list]:
    """Keep the non-empty rows, each cut to `max_columns`, and stop as soon as there are more
    than `max_rows`: nothing is built for a row beyond the limits."""
    table = []
    for row in rows:
        if len(row) > max_columns:
            if not all(_blank(v) for v in row[max_columns:]):
                raise _too_many_columns()
            row = row[:max_columns]
        if all(_blank(v) for v in row):
            continue
        if len(table) == max_rows:
            raise _too_many_rows()
        table.append(list(row))
    return table


def _check_archive(raw: bytes) -> None:
    """Refuse a ZIP whose members would inflate out of proportion, before anything reads them.

    The sizes come from the central directory; a member that lies about its size is cut at the
    declared size by `zipfile` and then fails its CRC check, so the declared sizes are a bound.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            total = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as e:
        raise SpreadsheetError(_("This is not a readable XLSX file.")) from e
    if total > MAX_XLSX_UNCOMPRESSED or total > MAX_XLSX_RATIO * max(len(raw), 64 * 1024):
        raise SpreadsheetError(
            _(
                "This XLSX file unpacks to far more data than a spreadsheet of its size holds; "
                "open it in a spreadsheet program, save it again and upload it."
            )
        )


# Rows as the sheet's XML holds them (empty ones too) before the file counts as too long: a
# real sheet has a few blank rows between 2,000 filled ones, not tens of thousands.
MAX_XLSX_ROW_ELEMENTS = 50 * MAX_ROWS


def _xlsx_rows(raw: bytes):
    """The sheet's rows as they come in its XML — values only, each padded only to its own last
    cell. The declared dimension (`<dimension ref="A1:XFD1048576"/>`) is not read, and the rows
    missing between two present ones are not made up: openpyxl's own iterator would yield a
    million empty rows for one cell in the last row (seconds of CPU), so its sheet parser is
    used directly (openpyxl 3.1's `WorkSheetParser`, what `iter_rows` itself runs)."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    sheet = book.active
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for count, (_index, cells) in enumerate(parser.parse(), start=1):
            if count > MAX_XLSX_ROW_ELEMENTS:
                raise _too_many_rows()
            if not cells:
                continue
            width = max(c["column"] for c in cells)
            if width > MAX_COLUMNS and any(
                not _blank(c["value"]) for c in cells if c["column"] > MAX_COLUMNS
            ):
                raise _too_many_columns()
            row = [None] * min(width, MAX_COLUMNS)
            for c in cells:
                if c["column"] <= MAX_COLUMNS:
                    row[c["column"] - 1] = c["value"]
            yield row


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
    """The file's non-empty rows (header first), its encoding and warnings; at most
    `MAX_ROWS` + 1 rows and `MAX_COLUMNS` columns, else `SpreadsheetError`."""
    if filename.lower().endswith(".xlsx"):
        _check_archive(raw)
        try:
            return _limited(_xlsx_rows(raw)), "xlsx", []
        except SpreadsheetError:
            raise
        except Exception as e:  # openpyxl raises many kinds for a broken file
            raise SpreadsheetError(_("This is not a readable XLSX file.")) from e
    if not filename.lower().endswith(".csv"):
        raise SpreadsheetError(_("Upload an XLSX or CSV file."))
    text, used, warnings = _decode(raw, encoding)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _limited(csv.reader(io.StringIO(text), dialect)), used, warnings
    except csv.Error as e:
        raise SpreadsheetError(_("The CSV file cannot be read (a cell is far too long).")) from e


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
