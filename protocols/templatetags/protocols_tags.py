"""Template helpers for protocol pages: links to windows and annex names from the registry."""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assistant_portal.forms import field_block

from .. import annexes
from ..access import is_editor
from ..links import window_url as _window_url
from ..schedule import Annex
from ..selectors import PERIOD_LABELS, State
from ..selectors import pupil_work as _pupil_work

register = template.Library()


@register.filter
def as_field(field) -> str:
    """A form field as crispy's bootstrap5 field, drawn in Python (`field_block`)."""
    return field_block(field)


# The row templates drawn so far: (row form, part, strict, language) → HTML. Bounded by the
# annexes' parts × 2 × the languages.
_EMPTY_ROWS: dict[tuple, str] = {}


@register.simple_tag
def empty_row(formset) -> str:
    """A part's row template for the script's "Add row": an empty, unbound row of
    `protocols/_row.html`, the same on every page of the annex in a language (the page's dates
    and values do not reach it), so drawn once per process rather than per page: on a Д page it
    was a form built and half the fields drawn."""
    strict = bool(formset.form_kwargs.get("strict"))
    key = (formset.form, formset.prefix, strict, get_language())
    html = _EMPTY_ROWS.get(key)
    if html is None:
        context = {"form": formset.empty_form, "label": formset.row_label, "number": ""}
        html = _EMPTY_ROWS[key] = render_to_string(
            "protocols/_row.html", context | {"editable": True}
        )
    return mark_safe(html)  # noqa: S308  the template's own output


@register.filter
def state_link(cell, css: str = "") -> str:
    """A grid cell: its state badge linking to its window's form. One filter instead of a
    link, a badge and three look-ups per cell: a year's grid draws ~150 of them."""
    css_attr = f' class="{escape(css)}"' if css else ""
    badge = _badge(cell.state, get_language())
    return mark_safe(f'<a{css_attr} href="{escape(cell.url)}">{badge}</a>')  # noqa: S308  escaped


@lru_cache(maxsize=256)
def _badge(state: str, language: str) -> str:
    """A state's badge in a language (the label is translated for the language given)."""
    return format_html('<span class="state state-{}">{}</span>', state, State.LABELS[state])


@register.simple_tag
def week_row(monday, cells, this_monday) -> str:
    """One school week of the weekly table: the Monday (marked when it is this week) and a
    state link or a dash per annex. Drawn in one call: the table has ~36 rows of 3 cells."""
    current = monday == this_monday
    day = formats.date_format(monday, "SHORT_DATE_FORMAT")
    badge = format_html(' <span class="badge text-bg-primary">{}</span>', _("this week"))
    return format_html(
        '<tr{}><th scope="row">{}{}</th>{}</tr>',
        mark_safe(' class="this-week" aria-current="date"') if current else "",
        day,
        badge if current else "",
        format_html_join(
            "",
            "<td>{}</td>",
            ((state_link(c, "d-inline-block target") if c else "—",) for c in cells),
        ),
    )


@register.simple_tag
def window_url(pupil_id, window) -> str:
    return _window_url(pupil_id, window.annex, window.key)


@register.simple_tag
def on_demand_url(pupil_id, annex, key) -> str:
    return _window_url(pupil_id, annex, key)


@register.filter
def annex_name(code) -> str:
    """«Б · Free activity» from the registry; the letter alone for an unregistered annex."""
    annex = Annex(str(code))
    try:
        return f"{annex.letter} · {annexes.get(annex).menu_name}"
    except KeyError:
        return annex.letter


@register.filter
def annex_letter(code) -> str:
    return Annex(str(code)).letter


@register.simple_tag
def pupil_work(pupil, user) -> dict:
    """What is due and overdue for this pupil (the pupil page), and whether
    this user fills it in (the assigned assistant) or only reads it."""
    group = _pupil_work(pupil, timezone.localdate())
    return {"groups": [group], "readonly": not is_editor(user, pupil)}


@register.simple_tag
def share(counts, key) -> int | None:
    """Whole percent of a class's or an assistant's due windows that were on time / late /
    missing (the school overview); None with nothing due."""
    due = counts.on_time + counts.late + counts.missing
    if not due:
        return None
    return round(100 * getattr(counts, key) / due)


# The overview's counts: (key, CSS class, whether its share is shown); the label says what it
# counts for a screen reader, the colour for the eye (on time green, late amber, missing red).
_COUNTS = (
    ("on_time", " count-on_time", True),
    ("late", " count-late", True),
    ("missing", " count-missing", True),
    ("pending", "", False),
    ("flagged", "", False),
)


@register.simple_tag
def counts_row(counts, query) -> str:
    """A class's or an assistant's counts on the school overview, each linking to the list
    behind it (`?show=…&` + query), with its share of the windows due. One tag per row instead
    of an include with three `share` tags; the labels are escaped once per language and the
    counts are integers, so only the query is escaped here."""
    labels = _count_labels(get_language())
    q = escape(query)
    return mark_safe(  # noqa: S308  the query escaped, the labels escaped in _count_labels
        "\n".join(
            f'<td><a class="count{css}" href="?show={key}&amp;{q}">{int(getattr(counts, key))}'
            f"{_share_text(share(counts, key)) if with_share else ''}"
            f'<span class="visually-hidden"> {labels[key]}</span></a></td>'
            for key, css, with_share in _COUNTS
        )
    )


@register.simple_tag
def counts_rows(rows, by_assistant: bool = False) -> str:
    """The overview's table rows, one per class — (name, counts, query) — or, `by_assistant`,
    per assistant — (id, name, counts, query), "no assistant assigned" for no id: the row's
    heading, then `counts_row`. One tag for the table: at 1,000 pupils the assistants' table
    has 200 rows, and a template loop per row cost more than the row's cells."""
    if by_assistant:
        nobody = escape(_("no assistant assigned"))
        rows = ((escape(name) if pk else nobody, c, q) for pk, name, c, q in rows)
    else:
        rows = ((escape(name), c, q) for name, c, q in rows)
    return mark_safe(  # noqa: S308  the headings escaped here, the cells in counts_row
        "\n".join(f'<tr><th scope="row">{name}</th>{counts_row(c, q)}</tr>' for name, c, q in rows)
    )


def _share_text(p: int | None) -> str:
    return "" if p is None else f" · {p}%"


@lru_cache(maxsize=16)
def _count_labels(language: str) -> dict[str, str]:
    """The overview's count labels in a language, escaped (translated for the language given)."""
    return {
        "on_time": escape(_("on time")),
        "late": escape(_("late")),
        "missing": escape(_("missing")),
        "pending": escape(_("waiting for review")),
        "flagged": escape(_("flagged")),
    }


@register.filter
def period_name(period) -> str:
    """A window's period in words (the phone's list per annex on the pupil's year)."""
    return PERIOD_LABELS.get(period, "")
