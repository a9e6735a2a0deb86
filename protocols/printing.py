"""Protocols as PDF in the set form (issue #3 item 7): WeasyPrint 70, A4, fonts shipped.

The HTML is a Django template (the annex's `print_template`, `protocols/print/generic.html` by
default) rendered in the reader's language; field labels and row tables come from the annex's
form in the registry, values from `Protocol.data` (escaped by the template engine). WeasyPrint
fetches only files under `static/` (RECIPES.md §4), one fetcher per thread.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assistant_portal.security import pdf

from . import annexes
from .forms import PART_TITLES, ROW_LABELS
from .models import Outcome, Protocol, ReviewDecision, Status
from .schedule import Annex

# One renderer for the project: static files only, fonts and layout cache per thread.
html_to_document = pdf.html_to_document


WIDEST_GRID = 5  # row parts with more columns print row by row

# --- Content ------------------------------------------------------------------


def _display(field: forms.Field | None, value) -> str:
    """A stored value as a reader sees it: choice labels, localised dates, yes/no."""
    if value is None or value == "" or value == []:
        return "—"
    # Keys compared as text: a choice posted by a form is stored as "2" or as 2 depending on
    # the field (ChoiceField or TypedChoiceField); either way the reader sees its label.
    choices = {str(k): v for k, v in getattr(field, "choices", ()) or ()} if field else {}
    if isinstance(value, list):
        return ", ".join(str(choices.get(str(v), v)) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if choices and str(value) in choices:
        return str(choices[str(value)])
    if isinstance(field, forms.DateField):
        try:
            return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
        except ValueError:
            pass
    return str(value)


@dataclass
class Section:
    fields: list[tuple[str, str]]  # (label, value)
    tables: list[dict]  # {"title", "headers", "rows"}


def protocol_content(protocol: Protocol) -> Section:
    """Fields in the annex form's order, then each row part as a table. Keys of `data` the
    form does not know (an older form) follow, labelled by their key, so nothing is hidden."""
    data = protocol.data or {}
    try:
        annex = annexes.get(protocol.annex)
    except (KeyError, ValueError):
        annex = None
    known: set[str] = set()
    fields: list[tuple[str, str]] = []
    tables: list[dict] = []
    if annex is not None:
        for name, field in annex.form.base_fields.items():
            known.add(name)
            fields.append((str(field.label or name), _display(field, data.get(name))))
        for name, row_form in annex.rows.items():
            known.add(name)
            columns = list(row_form.base_fields.items())
            rows = [
                [_display(f, row.get(n) if isinstance(row, dict) else None) for n, f in columns]
                for row in data.get(name) or []
            ]
            title = getattr(row_form, "title", None) or PART_TITLES.get(name, name)
            headers = [str(f.label or n) for n, f in columns]
            tables.append(
                {
                    "title": str(title),
                    "headers": headers,
                    "rows": rows,
                    # Too many columns for A4 portrait: each row prints as its own label/value
                    # table ("Incident 1", …) instead of a grid whose last columns fall off.
                    "records": [
                        (f"{ROW_LABELS.get(name, name)} {i}", list(zip(headers, row, strict=True)))
                        for i, row in enumerate(rows, start=1)
                    ]
                    if len(headers) > WIDEST_GRID
                    else None,
                }
            )
    for name, value in data.items():
        if name not in known:
            if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
                headers = sorted({k for r in value for k in r})
                rows = [[_display(None, r.get(h)) for h in headers] for r in value]
                tables.append({"title": name, "headers": headers, "rows": rows})
            elif isinstance(value, dict):
                fields += [(f"{name}: {k}", _display(None, v)) for k, v in value.items()]
            else:
                fields.append((name, _display(None, value)))
    return Section(fields, tables)


def annex_titles(code: str) -> dict:
    """The annex letter, its Kazakh title (the set form's) and its title in the active
    language — through the registry only."""
    letter = Annex(code).letter
    try:
        annex = annexes.get(code)
    except KeyError:
        return {"letter": letter, "title_kk": "", "title": "", "template": None}
    with translation.override("kk"):
        title_kk = str(annex.title)
    return {
        "letter": letter,
        "title_kk": title_kk,
        "title": str(annex.title),
        "template": annex.print_template,
        "needs_psychologist": annex.needs_psychologist,
    }


@dataclass
class TeamDecision:
    """The support team's decision an approved conclusion (Г) prints (issue #15 item 6)."""

    decided_by: str
    decided_on: date | None
    meeting_on: date | None  # the meeting it was taken at, if named
    text: str


def team_decision(protocol: Protocol) -> TeamDecision | None:
    """Who approved the conclusion, when, at which meeting, with what comment; one query.

    From the approving `ReviewDecision`; a conclusion approved without one (the demo's filled
    year, `demo_year.py`, and older demo data) has its own fields say it.
    """
    if protocol.status != Status.APPROVED or not annexes.REGISTRY.get(protocol.annex):
        return None
    if not annexes.get(protocol.annex).needs_review:
        return None
    decision = (
        ReviewDecision.objects.filter(protocol=protocol, outcome=Outcome.APPROVED)
        .select_related("decided_by", "meeting")
        .order_by("-round")
        .first()
    )
    if decision is not None:
        return TeamDecision(
            decided_by=decision.decided_by.full_name,
            decided_on=timezone.localdate(decision.decided_at),
            meeting_on=decision.meeting.held_on if decision.meeting else None,
            text=decision.text,
        )
    reviewer = protocol.reviewed_by
    return TeamDecision(
        decided_by=reviewer.full_name if reviewer else "",
        decided_on=timezone.localdate(protocol.reviewed_at) if protocol.reviewed_at else None,
        meeting_on=None,
        text=protocol.decision,
    )


def protocol_context(protocol: Protocol) -> dict:
    titles = annex_titles(protocol.annex)
    return {
        "protocol": protocol,
        "pupil": protocol.student,
        "school": protocol.student.school,
        "annex": titles,
        "content": protocol_content(protocol),
        "team_decision": team_decision(protocol),
        "printed_on": timezone.localdate(),
    }


def protocol_html(protocol: Protocol, *, language: str) -> str:
    """The print HTML of one protocol in `language`."""
    with translation.override(language):
        ctx = protocol_context(protocol)
        template = ctx["annex"]["template"] or "protocols/print/generic.html"
        return render_to_string(template, ctx)


def protocol_pdf(protocol: Protocol, *, language: str) -> bytes:
    return html_to_document(protocol_html(protocol, language=language)).write_pdf()


def merge(documents) -> bytes:
    """One PDF from several laid-out documents (the dossier)."""
    pages = [page for doc in documents for page in doc.pages]
    return documents[0].copy(pages).write_pdf()


ProgressCallback = Callable[[int, int], None]
