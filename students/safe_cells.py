"""Spreadsheet exports that cannot run formulas (OWASP "CSV injection").

Every CSV/XLSX export of the project passes each cell through `safe_cell`: a text cell that
starts with = + - @ (or a tab / carriage return, which some spreadsheet programs strip before
reading the formula) gets a leading apostrophe, so the program shows it as text.
"""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet must show it: numbers and dates unchanged, dangerous text
    prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def csv_response(filename: str, header: Iterable[str], rows: Iterable[Iterable]) -> HttpResponse:
    """A UTF-8 CSV with BOM (Excel reads the Kazakh letters), every cell neutralised."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return response
