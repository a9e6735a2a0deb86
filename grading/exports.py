"""Gradebook exports (CSV, XLSX): the admin's cohort only; formula-like cells neutralised."""

import csv
import io
import re

from django.utils.translation import gettext as _

from students.safe_cells import safe_cell

from .display import labels

_NUMBER = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


def _fmt(d):
    return "" if d is None else f"{d:.2f}"


def table(book: dict) -> list[list[str]]:
    tasks = book["tasks"]
    header = [
        _("Listener"),
        _("e-mail"),
        *[t.title for t in tasks],
        _("TU"),
        _("provisional"),
        _("admitted"),
        _("final test"),
        _("band"),
        _("final grade"),
        _("letter grade"),
        _("points"),
        _("traditional grade"),
        _("certificate"),
        _("blocked by"),
    ]
    out = [header]
    for e, st in book["rows"]:
        words = labels(st)
        out.append(
            [
                e.full_name,
                e.email,
                *[_fmt(st.scores.get(t.id)) for t in tasks],
                _fmt(st.tu),
                _("yes") if st.tu_provisional else "",
                _("yes") if st.admitted else _("no"),
                _fmt(st.test),
                str(words["band"]),
                _fmt(st.final),
                st.letter.letter if st.letter else "",
                str(st.letter.points) if st.letter else "",
                str(words["traditional"]),
                _("yes") if st.eligible else _("no"),
                str(words["blocking"]),
            ]
        )
    # Every cell as text, then through the one formula-injection rule of every export.
    return [[safe_cell("" if c is None else str(c)) for c in row] for row in out]


def to_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel reads it as UTF-8


def to_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "gradebook"
    for row in rows:
        # Scores go in as numbers so the spreadsheet can sum and sort them (display only).
        ws.append([float(c) if _NUMBER.match(c) else c for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
