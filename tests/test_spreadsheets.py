"""Hostile spreadsheets: the crafted XLSX that declared `A1:XFD1048576` with
one cell in the last row drove the server to 3 GB on every import; a ZIP bomb is refused before
openpyxl opens it; a too-wide or too-long file stops as its rows arrive."""

import io
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from assistant_portal.spreadsheets import MAX_COLUMNS, MAX_ROWS, SpreadsheetError, read_table

ROOT = Path(__file__).resolve().parent.parent

_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_TYPES = (
    f'<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def crafted_xlsx(rows_xml: str, dimension: str = "A1:XFD1048576", extra: dict | None = None):
    """An XLSX written by hand, as an attacker would: any dimension, any rows."""
    sheet = (
        f'<worksheet xmlns="{_MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def the_bomb() -> bytes:
    """The file from the report: a header, then one cell in the sheet's very last row."""
    header = "".join(
        _cell(f"{col}1", title)
        for col, title in zip(
            "ABCDEF",
            ("last_name", "first_name", "birth_date", "class", "sen_category", "joined"),
            strict=True,
        )
    )
    last = f'<row r="1048576">{_cell("XFD1048576", "x")}</row>'
    return crafted_xlsx(f'<row r="1">{header}</row>{last}')


def test_the_bomb_is_small():
    assert len(the_bomb()) < 5 * 1024


def test_the_bomb_is_read_in_little_memory_in_a_fresh_process(tmp_path):
    """Peak Python memory while reading the crafted file, measured by tracemalloc in a child
    process whose address space is capped, so the old reader fails there and not the machine
    (it reached 2.9 GB); and the CPU time it takes."""
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(the_bomb())
    script = textwrap.dedent(
        f"""
        import resource, tracemalloc, django
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
        django.setup()
        import openpyxl  # its import is not the parse
        from assistant_portal.spreadsheets import read_table, SpreadsheetError
        raw = open({str(path)!r}, "rb").read()
        tracemalloc.start()
        cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime
        try:
            read_table(raw, "bomb.xlsx", "auto")
        except SpreadsheetError:
            pass
        cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu
        print(tracemalloc.get_traced_memory()[1], cpu)

        
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "assistant_portal.settings.test"}
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    peak, cpu = done.stdout.strip().splitlines()[-1].split()
    peak, cpu = int(peak), float(cpu)
    assert peak < 100 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"
    assert peak < 10 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB"  # nothing is padded
    # CPU time, not wall time (the machine is shared): no million empty rows are made up.
    assert cpu < 2, f"{cpu:.1f} s of CPU"


def test_the_bomb_reads_as_its_real_cells():
    with pytest.raises(SpreadsheetError, match=str(MAX_COLUMNS)):
        read_table(the_bomb(), "bomb.xlsx", "auto")  # the one cell sits in column 16,384
    last = f'<row r="1048576">{_cell("B1048576", "b")}</row>'
    bomb = crafted_xlsx(f'<row r="1">{_cell("A1", "a")}</row>{last}')
    table, _, _ = read_table(bomb, "bomb.xlsx", "auto")
    assert table == [["a"], [None, "b"]]


def test_a_zip_bomb_is_refused_before_openpyxl_reads_it():
    # 30 MB of zeros in one member compresses to about 30 KB.
    zeros = {"xl/padding.xml": b"0" * (30 * 2**20)}
    bomb = crafted_xlsx(f'<row r="1">{_cell("A1", "a")}</row>', extra=zeros)
    assert len(bomb) < 100 * 1024
    with translation.override("en"), pytest.raises(SpreadsheetError, match="unpacks"):
        read_table(bomb, "bomb.xlsx", "auto")


def test_rows_stop_at_the_limit_as_they_arrive():
    rows = "".join(f'<row r="{n}">{_cell(f"A{n}", "x")}</row>' for n in range(1, MAX_ROWS + 3))
    with pytest.raises(SpreadsheetError, match=str(MAX_ROWS)):
        read_table(crafted_xlsx(rows, dimension="A1"), "long.xlsx", "auto")
    csv_text = "a\n" + "x\n" * (MAX_ROWS + 1)
    with pytest.raises(SpreadsheetError, match=str(MAX_ROWS)):
        read_table(csv_text.encode(), "long.csv", "auto")


def test_blank_rows_and_trailing_empty_columns_are_dropped():
    wb = Workbook()
    ws = wb.active
    ws.append(["a", "b"])
    ws.append([])
    ws.cell(row=5, column=1, value="c")
    ws.cell(row=5, column=MAX_COLUMNS + 50, value="  ")
    buf = io.BytesIO()
    wb.save(buf)
    table, used, _ = read_table(buf.getvalue(), "t.xlsx", "auto")
    assert used == "xlsx"
    assert table == [["a", "b"], ["c"] + [None] * (MAX_COLUMNS - 1)]


def test_a_csv_with_a_huge_row_is_refused():
    with pytest.raises(SpreadsheetError, match=str(MAX_COLUMNS)):
        read_table(("a" + ",x" * 5000 + "\n").encode(), "wide.csv", "auto")


@pytest.mark.parametrize(
    "who, url_name",
    [
        ("school_admin", "students:import"),
        ("course_admin", "course:listeners_import"),
        ("course_admin", "course:scores_import"),
    ],
)
def test_every_import_page_answers_the_bomb_with_a_clear_error(client, cast, who, url_name):
    client.force_login(getattr(cast, who))
    args = [cast.cohort.pk] if url_name.startswith("course") else []
    url = reverse(url_name, args=args)
    f = SimpleUploadedFile("bomb.xlsx", the_bomb())
    r = client.post(url, {"file": f, "encoding": "auto"})
    assert r.status_code in (200, 400)
    assert str(MAX_COLUMNS) in r.content.decode()
