"""Pupil import from XLSX or CSV (UTF-8, Windows-1251, KZ-1048): parse, check every row,
save all or nothing (SPEC §7 "Spreadsheets are the usual source")."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from assistant_portal.spreadsheets import SpreadsheetError, read_table

from .models import SenCategory, Student
from .services import STUDENT_FIELDS, student_create
from .text import parse_class

# Header → field; the English names and the usual Kazakh and Russian headings.
COLUMNS = {
    "last_name": ("last_name", "surname", "тегі", "фамилия"),
    "first_name": ("first_name", "name", "аты", "имя"),
    "patronymic": ("patronymic", "әкесінің аты", "отчество"),
    "birth_date": ("birth_date", "date of birth", "туған күні", "дата рождения"),
    "iin": ("iin", "жсн", "иин"),
    "class": ("class", "сынып", "класс"),
    "sen_category": ("sen_category", "sen category", "еббқ санаты", "категория ооп"),
    "joined": ("joined", "қабылданған күні", "дата зачисления"),
    "pmpc_number": ("pmpc_number", "пмпк нөмірі", "номер пмпк"),
    "pmpc_date": ("pmpc_date", "пмпк күні", "дата пмпк"),
    "pmpc_valid_until": ("pmpc_valid_until", "пмпк мерзімі", "пмпк действительна до"),
}
REQUIRED = ("last_name", "first_name", "birth_date", "class", "sen_category", "joined")
DATE_COLUMNS = ("birth_date", "joined", "pmpc_date", "pmpc_valid_until")
MAX_ROWS = 2000


class PupilFileError(SpreadsheetError):
    """The file as a whole cannot be read (type, encoding, columns, size)."""


@dataclass
class ParsedRow:
    number: int
    data: dict
    errors: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    rows: list[ParsedRow]
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)


def _header_map(header: list[str]) -> dict[int, str]:
    lookup = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    mapping, unknown = {}, []
    for i, title in enumerate(header):
        key = str(title or "").strip().lower()
        if not key:
            continue
        if key in lookup:
            mapping[i] = lookup[key]
        else:
            unknown.append(str(title))
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
        raise PupilFileError(
            _("The columns do not match the template (%(what)s).") % {"what": "; ".join(parts)}
        )
    return mapping


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _sen(value: str) -> str:
    v = str(value or "").strip().lower()
    for code, label in SenCategory.choices:
        names = {code}
        for lang in ("kk", "ru", "en"):
            with translation.override(lang):
                names.add(str(label).lower())
        if v in names:
            return code
    raise ValueError(value)


def _row(number: int, cells: list, mapping: dict[int, str]) -> ParsedRow:
    raw = {name: cells[i] if i < len(cells) else None for i, name in mapping.items()}
    row = ParsedRow(number=number, data={})
    data = row.data
    for key in ("last_name", "first_name", "patronymic", "iin", "pmpc_number"):
        data[key] = str(raw.get(key) or "").strip()
    for key in DATE_COLUMNS:
        try:
            data[key] = _date(raw.get(key))
        except ValueError:
            row.errors.append(_("%(column)s: enter a date as dd.mm.yyyy.") % {"column": key})
    parsed = parse_class(str(raw.get("class") or ""))
    if parsed:
        data["grade"], data["class_letter"] = parsed
    else:
        row.errors.append(_("class: write the grade and letter, e.g. “3 Ә”."))
    try:
        data["sen_category"] = _sen(raw.get("sen_category"))
    except ValueError:
        row.errors.append(_("sen_category: unknown SEN category."))
    return row


def _read(raw: bytes, filename: str, encoding: str):
    try:
        return read_table(raw, filename, encoding)
    except SpreadsheetError as e:
        raise PupilFileError(str(e)) from e


def parse_pupils(raw: bytes, filename: str, *, encoding: str = "auto") -> ParsedFile:
    """Read and check every row; nothing is saved here."""
    table, used, warnings = _read(raw, filename, encoding)
    table = [r for r in table if any(str(c or "").strip() for c in r)]
    if not table:
        raise PupilFileError(_("The file is empty."))
    if len(table) > MAX_ROWS + 1:
        raise PupilFileError(_("At most %(n)d rows can be imported at once.") % {"n": MAX_ROWS})
    mapping = _header_map(table[0])
    parsed = ParsedFile(
        rows=[_row(i, cells, mapping) for i, cells in enumerate(table[1:], start=2)],
        encoding=used,
        warnings=warnings,
    )
    _check_models(parsed)
    return parsed


def _check_models(parsed: ParsedFile) -> None:
    """Run the model's own validation on each row, and catch IINs repeated in the file."""
    seen: dict[str, int] = {}
    for row in parsed.rows:
        if row.errors:
            continue
        iin = row.data.get("iin")
        if iin and iin in seen:
            row.errors.append(_("iin: the same IIN is on row %(row)d.") % {"row": seen[iin]})
        elif iin:
            seen[iin] = row.number
        student = Student(
            school_id=0, **{k: v or None if k == "iin" else v for k, v in row.data.items()}
        )
        try:
            student.full_clean(exclude=["school", "sort_key", "class_sort_key"])
        except ValidationError as e:
            for name, messages in e.message_dict.items():
                label = "" if name == "__all__" else f"{name}: "
                row.errors.extend(f"{label}{m}" for m in messages)


@transaction.atomic
def import_pupils(*, school, parsed: ParsedFile) -> list[Student]:
    """Save every row or none: any error raises and rolls the whole import back."""
    if not parsed.valid:
        raise ValidationError(_("The file has errors; nothing was imported."))
    pupils = [
        student_create(school=school, data={k: v for k, v in r.data.items() if k in STUDENT_FIELDS})
        for r in parsed.rows
    ]
    if len(pupils) >= ANALYZE_AFTER:
        transaction.on_commit(_analyze_pupils)
    return pupils


# An import this large changes what PostgreSQL knows of the pupils table; plans read from
# stale statistics until autovacuum's next ANALYZE (issue #19: a district importing its
# pupils), so the import refreshes them once it has committed.
ANALYZE_AFTER = 500


def _analyze_pupils() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE students_student")


def rows_to_session(parsed: ParsedFile) -> list[dict]:
    def plain(v):
        return v.isoformat() if isinstance(v, date) else v

    return [{k: plain(v) for k, v in r.data.items()} for r in parsed.rows]


def rows_from_session(rows: list[dict]) -> ParsedFile:
    out = []
    for i, data in enumerate(rows, start=2):
        data = {
            k: (date.fromisoformat(v) if k in DATE_COLUMNS and v else v) for k, v in data.items()
        }
        out.append(ParsedRow(number=i, data=data))
    return ParsedFile(rows=out)
