"""Pupil import from XLSX or CSV (UTF-8, Windows-1251, KZ-1048): parse, check every row,
save all or nothing (SPEC §7 "Spreadsheets are the usual source")."""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assistant_portal.spreadsheets import SpreadsheetError, read_table

from .models import PupilImportPreview, SenCategory, Student
from .services import (
    STUDENT_FIELDS,
    PossibleDuplicate,
    lock_birthday,
    name_key,
    student_create,
)
from .text import parse_class


# Header → field: the heading in each language (what the help shows) and other accepted names.
@dataclass(frozen=True)
class Column:
    kk: str
    ru: str
    en: str
    more: tuple[str, ...] = ()

    @property
    def aliases(self) -> set[str]:
        return {self.kk, self.ru, self.en, *self.more}

    def label(self) -> str:
        """The heading in the active language, as a person writes it in the file."""
        heading = {"kk": self.kk, "ru": self.ru}.get(translation.get_language() or "", self.en)
        return heading[:1].upper() + heading[1:]


COLUMNS = {
    "last_name": Column("тегі", "фамилия", "surname", ("last_name",)),
    "first_name": Column("аты", "имя", "first name", ("first_name", "name")),
    "patronymic": Column("әкесінің аты", "отчество", "patronymic"),
    "birth_date": Column("туған күні", "дата рождения", "date of birth", ("birth_date",)),
    "iin": Column("жсн", "иин", "iin"),
    "class": Column("сынып", "класс", "class"),
    "sen_category": Column("еббқ санаты", "категория ооп", "sen category", ("sen_category",)),
    "joined": Column("қабылданған күні", "дата зачисления", "joined"),
    "pmpc_number": Column("пмпк нөмірі", "номер пмпк", "pmpc number", ("pmpc_number",)),
    "pmpc_date": Column("пмпк күні", "дата пмпк", "pmpc date", ("pmpc_date",)),
    "pmpc_valid_until": Column(
        "пмпк мерзімі", "пмпк действительна до", "pmpc valid until", ("pmpc_valid_until",)
    ),
}
# Model fields that come from another column (the class gives grade and letter).
FIELD_COLUMN = {"grade": "class", "class_letter": "class"}
REQUIRED = ("last_name", "first_name", "birth_date", "class", "sen_category", "joined")
DATE_COLUMNS = ("birth_date", "joined", "pmpc_date", "pmpc_valid_until")
MAX_ROWS = 2000
PREVIEW_KEPT = timedelta(days=1)  # an unconfirmed preview (names, dates of birth) goes after this


def column_labels() -> list[str]:
    """The columns as the help lists them, in the reader's language."""
    return [c.label() for c in COLUMNS.values()]


class PupilFileError(SpreadsheetError):
    """The file as a whole cannot be read (type, encoding, columns, size)."""


@dataclass
class ParsedRow:
    number: int
    data: dict
    errors: list[str] = field(default_factory=list)
    # Likely the same child as a pupil of the school or an earlier row (not an error: asked).
    duplicates: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    rows: list[ParsedRow]
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)
    # Field or column key → the heading as written in the file (for messages).
    headings: dict[str, str] = field(default_factory=dict)

    @property
    def duplicate_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.duplicates]

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)


def _header_map(header: list[str]) -> tuple[dict[int, str], dict[str, str]]:
    """Column index → key, and key → the heading as the file writes it."""
    lookup = {alias: name for name, column in COLUMNS.items() for alias in column.aliases}
    mapping, headings, unknown = {}, {}, []
    for i, title in enumerate(header):
        key = str(title or "").strip().lower()
        if not key:
            continue
        if key in lookup:
            mapping[i] = lookup[key]
            headings[lookup[key]] = str(title).strip()
        else:
            unknown.append(str(title))
    missing = [COLUMNS[c].label() for c in REQUIRED if c not in mapping.values()]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
        raise PupilFileError(
            _("The columns do not match the template (%(what)s).") % {"what": "; ".join(parts)}
        )
    return mapping, headings


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


def _heading(headings: dict[str, str], key: str) -> str:
    """How a message names a column: as the file's header does, else in the reader's
    language (a model field is named by its column, or by its own label)."""
    column = FIELD_COLUMN.get(key, key)
    if column in headings:
        return headings[column]
    if column in COLUMNS:
        return COLUMNS[column].label()
    try:
        return str(Student._meta.get_field(key).verbose_name).capitalize()
    except Exception:  # noqa: BLE001 — any unknown key is shown as it is
        return key


def _row(number: int, cells: list, mapping: dict[int, str], headings: dict[str, str]) -> ParsedRow:
    raw = {name: cells[i] if i < len(cells) else None for i, name in mapping.items()}
    row = ParsedRow(number=number, data={})
    data = row.data
    for key in ("last_name", "first_name", "patronymic", "iin", "pmpc_number"):
        data[key] = str(raw.get(key) or "").strip()
    for key in DATE_COLUMNS:
        try:
            data[key] = _date(raw.get(key))
        except ValueError:
            row.errors.append(
                _("%(column)s: enter a date as dd.mm.yyyy.") % {"column": _heading(headings, key)}
            )
    parsed = parse_class(str(raw.get("class") or ""))
    if parsed:
        data["grade"], data["class_letter"] = parsed
    else:
        row.errors.append(
            _("%(column)s: write the grade and letter, e.g. “3 Ә”.")
            % {"column": _heading(headings, "class")}
        )
    try:
        data["sen_category"] = _sen(raw.get("sen_category"))
    except ValueError:
        row.errors.append(
            _("%(column)s: unknown SEN category.") % {"column": _heading(headings, "sen_category")}
        )
    return row


def _read(raw: bytes, filename: str, encoding: str):
    try:
        return read_table(raw, filename, encoding)
    except SpreadsheetError as e:
        raise PupilFileError(str(e)) from e


def parse_pupils(raw: bytes, filename: str, *, encoding: str = "auto", school=None) -> ParsedFile:
    """Read and check every row, and mark the likely duplicates of `school`'s pupils; nothing
    is saved here."""
    table, used, warnings = _read(raw, filename, encoding)
    table = [r for r in table if any(str(c or "").strip() for c in r)]
    if not table:
        raise PupilFileError(_("The file is empty."))
    if len(table) > MAX_ROWS + 1:
        raise PupilFileError(_("At most %(n)d rows can be imported at once.") % {"n": MAX_ROWS})
    mapping, headings = _header_map(table[0])
    parsed = ParsedFile(
        rows=[_row(i, cells, mapping, headings) for i, cells in enumerate(table[1:], start=2)],
        encoding=used,
        warnings=warnings,
        headings=headings,
    )
    _check_models(parsed)
    if school is not None:
        mark_duplicates(parsed, school=school)
    return parsed


def mark_duplicates(parsed: ParsedFile, *, school) -> None:
    """Rows that look like a pupil of the school (same name and date of birth) or like an
    earlier row of the file: one query for the pupils born on the file's dates."""
    dates = {r.data.get("birth_date") for r in parsed.rows if r.data.get("birth_date")}
    existing: dict[tuple, list[Student]] = {}
    for pupil in Student.objects.active().filter(school=school, birth_date__in=dates):
        key = (*name_key(pupil.last_name, pupil.first_name), pupil.birth_date)
        existing.setdefault(key, []).append(pupil)
    seen: dict[tuple, int] = {}
    for row in parsed.rows:
        d = row.data
        key = (*name_key(d.get("last_name"), d.get("first_name")), d.get("birth_date"))
        row.duplicates = [
            _("already in the school: %(name)s, class %(cls)s")
            % {"name": p.full_name, "cls": p.class_name}
            for p in existing.get(key, [])
        ]
        if key in seen:
            row.duplicates.append(_("the same pupil as row %(row)d") % {"row": seen[key]})
        else:
            seen[key] = row.number


def _check_models(parsed: ParsedFile) -> None:
    """Run the model's own validation on each row, and catch IINs repeated in the file."""
    seen: dict[str, int] = {}
    for row in parsed.rows:
        if row.errors:
            continue
        iin = row.data.get("iin")
        if iin and iin in seen:
            row.errors.append(
                _("%(column)s: the same IIN is on row %(row)d.")
                % {"column": _heading(parsed.headings, "iin"), "row": seen[iin]}
            )
        elif iin:
            seen[iin] = row.number
        student = Student(
            school_id=0, **{k: v or None if k == "iin" else v for k, v in row.data.items()}
        )
        try:
            student.full_clean(exclude=["school", "sort_key", "class_sort_key"])
        except ValidationError as e:
            for name, messages in e.message_dict.items():
                label = "" if name == "__all__" else f"{_heading(parsed.headings, name)}: "
                row.errors.extend(f"{label}{m}" for m in messages)


def preview_save(*, school, by, parsed: ParsedFile) -> PupilImportPreview:
    """Keep a checked file for its one confirmation; the person's earlier unconfirmed previews
    go, and anyone's older than a day (never confirmed, and they hold names)."""
    stale = Q(created_by=by) | Q(created_at__lt=timezone.now() - PREVIEW_KEPT)
    PupilImportPreview.objects.filter(stale, confirmed_at__isnull=True).delete()
    return PupilImportPreview.objects.create(
        token=secrets.token_urlsafe(32), school=school, created_by=by, rows=_rows_to_json(parsed)
    )


class AlreadyImported(Exception):
    """The preview was confirmed before (a double click, a second tab)."""

    def __init__(self, preview: PupilImportPreview):
        self.preview = preview


@transaction.atomic
def import_confirm(
    *, token: str, by, school_ids: set[int], create_duplicates: bool
) -> PupilImportPreview:
    """Import a preview once, all rows or none. The preview row is locked: a second
    confirmation waits, then finds it confirmed (`AlreadyImported`). Likely duplicates — as
    checked now, under the per-birthday locks, not only at the preview — are skipped unless
    the person chose to create them anyway."""
    preview = (
        PupilImportPreview.objects.select_for_update()
        .filter(token=token, created_by=by, school_id__in=school_ids)
        .select_related("school")
        .first()
    )
    if preview is None:
        raise ValidationError(_("Nothing to import: upload the file again."))
    if preview.confirmed_at:
        raise AlreadyImported(preview)
    parsed = _rows_from_json(preview.rows)
    if not parsed.valid:
        raise ValidationError(_("The file has errors; nothing was imported."))
    # All the file's birthdays locked up front, in one order: two imports never deadlock.
    for birth_date in sorted({r.data["birth_date"] for r in parsed.rows}):
        lock_birthday(preview.school_id, birth_date)
    created = skipped = 0
    for row in parsed.rows:
        data = {k: v for k, v in row.data.items() if k in STUDENT_FIELDS}
        try:
            student_create(school=preview.school, data=data, allow_duplicate=create_duplicates)
        except PossibleDuplicate:
            skipped += 1
        except ValidationError as e:
            raise ValidationError(
                _("Row %(row)d: %(error)s Nothing was imported.")
                % {"row": row.number, "error": " ".join(e.messages)}
            ) from e
        else:
            created += 1
    preview.confirmed_at = timezone.now()
    preview.rows = []  # the names are in the pupils' records now; no second copy
    preview.created, preview.skipped = created, skipped
    preview.save(update_fields=["confirmed_at", "rows", "created", "skipped"])
    if created >= ANALYZE_AFTER:
        transaction.on_commit(_analyze_pupils)
    return preview


# An import this large changes what PostgreSQL knows of the pupils table; plans read from
# stale statistics until autovacuum's next ANALYZE (a district importing its
# pupils), so the import refreshes them once it has committed.
ANALYZE_AFTER = 500


def _analyze_pupils() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE students_student")


def _rows_to_json(parsed: ParsedFile) -> list[dict]:
    def plain(v):
        return v.isoformat() if isinstance(v, date) else v

    return [{"number": r.number, **{k: plain(v) for k, v in r.data.items()}} for r in parsed.rows]


def _rows_from_json(rows: list[dict]) -> ParsedFile:
    out = []
    for data in rows:
        data = dict(data)
        number = data.pop("number")
        data = {
            k: (date.fromisoformat(v) if k in DATE_COLUMNS and v else v) for k, v in data.items()
        }
        out.append(ParsedRow(number=number, data=data))
    return ParsedFile(rows=out)
