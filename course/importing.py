"""Imports for the course from XLSX or CSV: listeners, scores, final-test questions.

Each parses and checks every row first; a file with any error saves nothing (all or nothing).
Reading and decoding the table is shared with the pupil import (SPEC §7 "Spreadsheets").
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from assistant_portal.spreadsheets import SpreadsheetError, read_table

from . import services
from .models import Cohort, Enrolment, Module, Question, Task


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, columns, size)."""


MAX_ROWS = 2000
_SCORE = re.compile(r"^\d{1,3}([.,]\d{1,2})?$")


def parse_score(value) -> Decimal | None:
    """A typed score: empty → None; "85,5" and "85.5" both mean 85.5; 0–100, two decimals."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("Enter a number from 0 to 100."))
    if isinstance(value, int | float | Decimal):
        value = str(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    if text.endswith(".0"):
        text = text[:-2]  # XLSX numbers come as floats: 85.0
    if not _SCORE.match(text):
        raise ValueError(_("Enter a number from 0 to 100 (a decimal comma is fine: 85,5)."))
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("Enter a number from 0 to 100.")) from None
    if not 0 <= number <= 100:
        raise ValueError(_("A score is a number from 0 to 100."))
    return number


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.errors


def _read(raw: bytes, filename: str, encoding: str = "auto") -> tuple[list[list], list[str]]:
    try:
        table, _used, warnings = read_table(raw, filename, encoding)
    except SpreadsheetError as e:
        raise ImportFileError(str(e)) from e
    table = [r for r in table if any(str(c if c is not None else "").strip() for c in r)]
    if len(table) < 2:
        raise ImportFileError(_("The file has no rows under its header."))
    if len(table) > MAX_ROWS + 1:
        raise ImportFileError(_("At most %(n)d rows can be imported at once.") % {"n": MAX_ROWS})
    return table, warnings


def _cell(row: list, i: int) -> str:
    return str(row[i]).strip() if i < len(row) and row[i] is not None else ""


def _columns(header: list, wanted: dict[str, tuple[str, ...]], required) -> dict[str, int]:
    found = {}
    for i, title in enumerate(header):
        key = str(title or "").strip().lower()
        for name, aliases in wanted.items():
            if key in aliases:
                found[name] = i
    missing = [c for c in required if c not in found]
    if missing:
        raise ImportFileError(
            _("The columns do not match the template (%(what)s).")
            % {"what": _("missing columns: %(cols)s") % {"cols": ", ".join(missing)}}
        )
    return found


# --- listeners ------------------------------------------------------------------------------

LISTENER_COLUMNS = {
    "email": ("email", "e-mail", "электрондық пошта", "эл. почта", "почта"),
    "full_name": ("full_name", "full name", "аты-жөні", "фио", "тегі, аты, әкесінің аты"),
}


def parse_listeners(raw: bytes, filename: str, encoding: str = "auto") -> Parsed:
    table, warnings = _read(raw, filename, encoding)
    cols = _columns(table[0], LISTENER_COLUMNS, ("email", "full_name"))
    parsed = Parsed(warnings=warnings)
    seen: dict[str, int] = {}
    for n, row in enumerate(table[1:], start=2):
        email, name = _cell(row, cols["email"]).lower(), _cell(row, cols["full_name"])
        try:
            validate_email(email)
        except ValidationError:
            parsed.errors.append(_("Row %(row)d: enter a valid e-mail address.") % {"row": n})
            continue
        if not name:
            parsed.errors.append(_("Row %(row)d: the full name is empty.") % {"row": n})
        if email in seen:
            parsed.errors.append(
                _("Row %(row)d: the same listener is on row %(other)d.")
                % {"row": n, "other": seen[email]}
            )
        seen.setdefault(email, n)
        parsed.rows.append((email, name))
    return parsed


@transaction.atomic
def import_listeners(*, cohort: Cohort, parsed: Parsed) -> list[Enrolment]:
    if not parsed.valid:
        raise ValidationError(_("The file has errors; nothing was imported."))
    return [services.enrol(cohort=cohort, email=e, full_name=n) for e, n in parsed.rows]


# --- scores ---------------------------------------------------------------------------------


def parse_scores(raw: bytes, filename: str, *, cohort: Cohort, encoding: str = "auto") -> Parsed:
    """A wide table like the score grid: an "email" column, then one column per task title."""
    table, warnings = _read(raw, filename, encoding)
    header = [str(h or "").strip() for h in table[0]]
    cols = _columns(header, {"email": LISTENER_COLUMNS["email"]}, ("email",))
    tasks = {t.title.strip().lower(): t for t in Task.objects.active().filter(cohort=cohort)}
    task_cols: dict[int, Task] = {}
    unknown = []
    for i, title in enumerate(header):
        if i == cols["email"] or not title or title.lower() in LISTENER_COLUMNS["full_name"]:
            continue
        if title.lower() in tasks:
            task_cols[i] = tasks[title.lower()]
        else:
            unknown.append(title)
    if unknown:
        raise ImportFileError(
            _("The columns do not match the template (%(what)s).")
            % {"what": _("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)}}
        )
    if not task_cols:
        raise ImportFileError(_("The file has no task columns."))
    enrolments = {
        e.listener.email.lower(): e
        for e in Enrolment.objects.active().filter(cohort=cohort).select_related("listener")
    }
    parsed = Parsed(warnings=warnings)
    seen: dict[str, int] = {}
    for n, row in enumerate(table[1:], start=2):
        email = _cell(row, cols["email"]).lower()
        enrolment = enrolments.get(email)
        if enrolment is None:
            parsed.errors.append(
                _("Row %(row)d: %(email)s is not a listener of this cohort.")
                % {"row": n, "email": email or "—"}
            )
            continue
        if email in seen:
            parsed.errors.append(
                _("Row %(row)d: the same listener is on row %(other)d.")
                % {"row": n, "other": seen[email]}
            )
            continue
        seen[email] = n
        for i, task in task_cols.items():
            cell = row[i] if i < len(row) else None
            try:
                value = parse_score(cell)
            except ValueError as e:
                parsed.errors.append(
                    _("Row %(row)d, %(task)s: %(error)s")
                    % {"row": n, "task": task.title, "error": e}
                )
                continue
            if value is not None:
                parsed.rows.append((enrolment.pk, task.pk, str(value)))
    return parsed


# --- questions ------------------------------------------------------------------------------

QUESTION_COLUMNS = {
    "module": ("module", "модуль"),
    "kind": ("kind", "түрі", "тип"),
    "text_kk": ("question_kk", "сұрақ", "сұрақ (kk)"),
    "text_ru": ("question_ru", "вопрос", "вопрос (ru)"),
    "correct": ("correct", "дұрыс", "правильные"),
}
MAX_ANSWERS = 6


def parse_questions(raw: bytes, filename: str, encoding: str = "auto") -> Parsed:
    """Columns: module (1–5), kind (single/multiple), question_kk, question_ru,
    answer1_kk, answer1_ru … answer6_kk, answer6_ru, correct ("2" or "1,3")."""
    table, warnings = _read(raw, filename, encoding)
    header = [str(h or "").strip().lower() for h in table[0]]
    cols = _columns(header, QUESTION_COLUMNS, tuple(QUESTION_COLUMNS))
    answer_cols = []
    for k in range(1, MAX_ANSWERS + 1):
        if f"answer{k}_kk" in header and f"answer{k}_ru" in header:
            answer_cols.append((header.index(f"answer{k}_kk"), header.index(f"answer{k}_ru")))
    if len(answer_cols) < 2:
        raise ImportFileError(_("The file needs at least the columns answer1_kk … answer2_ru."))
    parsed = Parsed(warnings=warnings)
    seen: dict[str, int] = {}
    for n, row in enumerate(table[1:], start=2):
        errors = []
        module = _cell(row, cols["module"]).removesuffix(".0")
        if module not in {"1", "2", "3", "4", "5"}:
            errors.append(_("the module is a number from 1 to 5"))
        kind = _cell(row, cols["kind"]).lower()
        if kind not in Question.Kind.values:
            errors.append(_("the kind is “single” or “multiple”"))
        text_kk, text_ru = _cell(row, cols["text_kk"]), _cell(row, cols["text_ru"])
        if not text_kk or not text_ru:
            errors.append(_("the question is needed in Kazakh and Russian"))
        answers = [(_cell(row, a), _cell(row, b)) for a, b in answer_cols]
        answers = [(a, b) for a, b in answers if a or b]
        if any(not a or not b for a, b in answers) or len(answers) < 2:
            errors.append(_("each answer is needed in Kazakh and Russian, at least two answers"))
        try:
            keys = {int(k) for k in re.split(r"[,;\s]+", _cell(row, cols["correct"])) if k}
        except ValueError:
            keys = set()
        if not keys or not keys <= set(range(1, len(answers) + 1)):
            errors.append(_("“correct” lists the numbers of the correct answers"))
        elif kind == Question.Kind.SINGLE and len(keys) != 1:
            errors.append(_("a single-choice question has exactly one correct answer"))
        if text_kk in seen:
            errors.append(_("the same question is on row %(other)d") % {"other": seen[text_kk]})
        seen.setdefault(text_kk, n)
        if errors:
            parsed.errors.append(
                _("Row %(row)d: %(errors)s.") % {"row": n, "errors": "; ".join(errors)}
            )
            continue
        parsed.rows.append(
            {
                "module": int(module),
                "kind": kind,
                "text_kk": text_kk,
                "text_ru": text_ru,
                "choices": [[a, b, i in keys] for i, (a, b) in enumerate(answers, start=1)],
            }
        )
    return parsed


@transaction.atomic
def import_questions(*, organisation, course, parsed: Parsed) -> list[Question]:
    if not parsed.valid:
        raise ValidationError(_("The file has errors; nothing was imported."))
    modules = {m.number: m for m in Module.objects.filter(course=course)}
    return [
        services.question_create(
            organisation=organisation,
            course=course,
            data={
                "module": modules[r["module"]],
                "kind": r["kind"],
                "text_kk": r["text_kk"],
                "text_ru": r["text_ru"],
            },
            choices=[tuple(c) for c in r["choices"]],
        )
        for r in parsed.rows
    ]
