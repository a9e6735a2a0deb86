"""Template helpers for protocol pages: links to windows and annex names from the registry."""

import html
from functools import lru_cache

from django import template
from django.template.defaultfilters import floatformat, urlencode
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from assistant_portal.forms import field_block

from .. import annexes
from ..access import is_editor
from ..links import PkLink
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
    return mark_safe(_state_link(cell, css, get_language()))  # noqa: S308  escaped


def _state_link(cell, css: str, language: str) -> str:
    # The standard library's escape (what Django's wraps): Django's checks for lazy text on
    # every call, and the year page draws ~130 of these.
    return f'<a{_css_attr(css)} href="{html.escape(cell.url)}">{_badge(cell.state, language)}</a>'


@lru_cache(maxsize=16)
def _css_attr(css: str) -> str:
    return f' class="{escape(css)}"' if css else ""


@lru_cache(maxsize=256)
def _badge(state: str, language: str) -> str:
    """A state's badge in a language (the label is translated for the language given)."""
    return format_html('<span class="state state-{}">{}</span>', state, State.LABELS[state])


@lru_cache(maxsize=4096)
def _date(day, fmt: str, language: str) -> str:
    """A date as the `date` filter draws it in a language, escaped: the year page draws ~90,
    the same days for every pupil of a school (a `date`, not a datetime: no time zone)."""
    return escape(formats.date_format(day, fmt))


@lru_cache(maxsize=16)
def _year_words(language: str) -> dict[str, str]:
    """The year page's fixed words in a language, escaped (translated for the language given)."""
    return {
        "due": escape(_("due")),
        "this_week": escape(_("this week")),
        **{f"period:{p}": escape(label) for p, label in PERIOD_LABELS.items()},
    }


@register.simple_tag
def week_row(monday, cells, this_monday) -> str:
    """One school week of the weekly table: the Monday (marked when it is this week) and a
    state link or a dash per annex."""
    return mark_safe(_week_row(monday, cells, this_monday, get_language()))  # noqa: S308


@register.simple_tag
def week_rows(rows, this_monday) -> str:
    """Every row of a weekly table in one call: the year page draws ~36 weeks of 3 cells."""
    language = get_language()
    return mark_safe(  # noqa: S308  escaped in _week_row
        "\n".join(_week_row(monday, cells, this_monday, language) for monday, cells in rows)
    )


@register.simple_tag(takes_context=True)
def week_groups(context, groups, expanded=False, readonly=False, on_pupil_page=False) -> str:
    """The assistant's week by pupil (`_week.html`): one card per group, drawn in Python — a
    page of ten pupils lists their returned, drafts, due and up to 12 overdue windows per
    annex, and the template spent more on its loops, dates and links than the rest of the
    page. Words and annex names are translated once per language, links reversed once per page;
    the markup is the template's it replaced."""
    language = get_language()
    words = _week_words(language)
    if not groups:
        return mark_safe(f'<p class="text-body-secondary">{words["nothing_here"]}</p>')  # noqa: S308
    request = context.get("request")
    links = _WeekLinks()
    next_url = escape(urlencode(request.get_full_path())) if request else ""
    fill = words["open"] if readonly else words["fill"]
    parts = []
    for g in groups:
        pk = int(g.pupil.pk)
        out = [
            f'<article class="card mb-3 pupil-week" aria-labelledby="pw-{pk}" data-pupil="{pk}">',
            '<div class="card-body">',
            '<div class="d-flex flex-wrap align-items-center gap-2 mb-2">',
            f'<h3 id="pw-{pk}" class="h6 me-auto mb-0"><a href="{links.pupil(pk)}">'
            f"{escape(g.pupil.full_name)}</a> "
            f'<small class="text-body-secondary">{escape(g.pupil.class_name)}</small></h3>',
        ]
        if not readonly:
            out.append(
                f'<a class="btn btn-sm btn-primary" href="{links.incident(pk)}?next={next_url}"'
                f" data-quick-incident>{words['log']}</a>"
            )
        if g.week_d:
            out.append(
                f'<a class="btn btn-sm btn-outline-primary" href="{escape(g.week_d.url)}">'
                f"{words['week_d']}</a>"
            )
        if g.week_k:
            out.append(
                f'<a class="btn btn-sm btn-outline-primary" href="{escape(g.week_k.url)}">'
                f"{words['week_k']}</a>"
            )
        if not on_pupil_page:
            out.append(
                f'<a class="btn btn-sm btn-outline-secondary" href="{links.year(pk)}">'
                f"{words['year']}</a>"
            )
        out.append("</div>")
        if g.returned or g.drafts or g.due:
            out.append('<ul class="list-unstyled mb-2 week-items">')
            for protocols, state, action in (
                (g.returned, State.RETURNED, words["revise"]),
                (g.drafts, State.DRAFT, words["continue"]),
            ):
                badge = _badge(state, language)
                for p in protocols:
                    due = f", {words['due']} {_short_date(p.due, language)}" if p.due else ""
                    out.append(
                        f"<li>{badge} {_annex_name(p.annex, language)}{due}\n"
                        f'<a class="btn btn-sm btn-outline-primary" href="{links.edit(p.pk)}">'
                        f"{action}</a></li>"
                    )
            for item in g.due:
                cell = item.cell
                out.append(
                    f"<li>{_badge(cell.state, language)}"
                    f" {_annex_name(cell.window.annex, language)},"
                    f" {words['due']} {_short_date(cell.window.due, language)}\n"
                    f'<a class="btn btn-sm btn-outline-primary" href="{escape(cell.url)}">'
                    f"{fill}</a></li>"
                )
            out.append("</ul>")
        for b in g.backlog:
            count = int(b.count)
            windows = ngettext(
                "%(n)s window, due %(day)s", "%(n)s windows, the oldest due %(day)s", count
            ) % {"n": count, "day": _short_date(b.oldest, language)}
            out.append(
                f'<details class="backlog mb-1"{" open" if expanded else ""}>\n'
                f"<summary>{_badge(State.OVERDUE, language)}"
                f" {_annex_name(b.annex, language)}: {windows}</summary>\n"
                '<ul class="list-unstyled ms-3 mt-1">'
            )
            for item in b.items[:12]:
                out.append(
                    f"<li>{_short_date(item.cell.window.due, language)}"
                    f' <a class="btn btn-sm btn-outline-secondary" href="{escape(item.cell.url)}">'
                    f"{fill}</a></li>"
                )
            out.append("</ul>")
            if count > 12 and not expanded:
                href = (
                    links.year(pk)
                    if readonly
                    else f"{links.dashboard}?pupil={pk}&amp;annex={escape(b.annex)}"
                    "&amp;state=overdue"
                )
                all_overdue = ngettext("All %(n)s overdue", "All %(n)s overdue", count) % {
                    "n": count
                }
                out.append(f'<a class="ms-3 d-inline-block target" href="{href}">{all_overdue}</a>')
            out.append("</details>")
        if g.empty:
            out.append(f'<p class="text-body-secondary mb-0">{words["nothing_to_do"]}</p>')
        out.append("</div>\n</article>")
        parts.append("\n".join(out))
    # Every part above is escaped, or a fixed word translated from our catalogue.
    return mark_safe("\n".join(parts))  # noqa: S308


class _WeekLinks:
    """The week's links of one page, each reversed once."""

    def __init__(self):
        self.pupil = PkLink("students:pupil")
        self.incident = PkLink("protocols:incident")
        self.year = PkLink("protocols:pupil_year")
        self.edit = PkLink("protocols:edit")
        self.dashboard = reverse("protocols:dashboard")


@lru_cache(maxsize=16)
def _week_words(language: str) -> dict[str, str]:
    """The week's fixed words in a language (translated for the language given). Not escaped,
    as `{% translate %}` does not escape a literal's translation (the template's output)."""
    return {
        "log": _("Log an incident"),
        "week_d": _("This week's Д"),
        "week_k": _("This week's К"),
        "year": _("Protocols of the year"),
        "due": _("due"),
        "revise": _("Revise"),
        "continue": _("Continue"),
        "open": _("Open"),
        "fill": _("Fill"),
        "nothing_to_do": _("Nothing to do this week."),
        "nothing_here": _("Nothing here."),
    }


@lru_cache(maxsize=64)
def _annex_name(code: str, language: str) -> str:
    """`annex_name` escaped, in a language (translated for the language given)."""
    return escape(annex_name(code))


def _short_date(day, language: str) -> str:
    """`|date:"SHORT_DATE_FORMAT"` in a language, escaped (cached by `_date`)."""
    return _date(day, "SHORT_DATE_FORMAT", language)


def _week_row(monday, cells, this_monday, language: str) -> str:
    day = _date(monday, "SHORT_DATE_FORMAT", language)
    if monday == this_monday:
        this_week = _year_words(language)["this_week"]
        head = (
            f'<tr class="this-week" aria-current="date"><th scope="row">{day}'
            f' <span class="badge text-bg-primary">{this_week}</span></th>'
        )
    else:
        head = f'<tr><th scope="row">{day}</th>'
    tds = "".join(
        f"<td>{_state_link(c, 'd-inline-block target', language) if c else '—'}</td>" for c in cells
    )
    return f"{head}{tds}</tr>"


def _pdf_link():
    """The PDF link of a protocol by id, escaped, reversed once (`PkLink`)."""
    link = PkLink("protocols:pdf")
    return lambda pk: escape(link(pk))


@register.simple_tag
def term_list(term_rows) -> str:
    """The year's term grid for phones: per annex its heading and a line per window (state
    link, period, due date, the PDF once there is a protocol). One tag instead of ~25 cells
    through the template engine; the table (`term_table`) draws the same cells."""
    language = get_language()
    words, pdf = _year_words(language), _pdf_link()
    parts = []
    for annex, cells in term_rows:
        parts.append(f'<h3 class="h6 mt-3 mb-1">{escape(annex_name(annex))}</h3>')
        parts.append('<ul class="list-unstyled mb-2">')
        for cell in cells:
            if not cell:
                continue
            w = cell.window
            link = _state_link(cell, "d-inline-block target", language)
            period = words.get(f"period:{w.period}", "")
            due = _date(w.due, "SHORT_DATE_FORMAT", language)
            pdf_a = (
                f' · <a class="d-inline-block target" href="{pdf(cell.protocol.pk)}">PDF</a>'
                if cell.protocol
                else ""
            )
            parts.append(f'<li class="mb-1">{link} {period} · {words["due"]} {due}{pdf_a}</li>')
        parts.append("</ul>")
    return mark_safe("\n".join(parts))  # noqa: S308  parts escaped


@register.simple_tag
def term_table(term_rows) -> str:
    """The body rows of the year's term table: per annex a cell per period (state link, PDF,
    due date) or a dash. The phone's list (`term_list`) draws the same cells."""
    language = get_language()
    words, pdf = _year_words(language), _pdf_link()
    rows = []
    for annex, cells in term_rows:
        tds = []
        for cell in cells:
            if not cell:
                tds.append('<td><span class="text-body-secondary">—</span></td>')
                continue
            link = _state_link(cell, "", language)
            pdf_a = ""
            if cell.protocol:
                pdf_a = f' <a class="small" href="{pdf(cell.protocol.pk)}">PDF</a>'
            due = _date(cell.window.due, "SHORT_DATE_FORMAT", language)
            tds.append(f"<td>{link}{pdf_a}<br><small>{words['due']} {due}</small></td>")
        rows.append(f'<tr><th scope="row">{escape(annex_name(annex))}</th>{"".join(tds)}</tr>')
    return mark_safe("\n".join(rows))  # noqa: S308  parts escaped


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


# --- A pupil's dynamics (the year page, the team's dossier and review, the printed dossier) ---


@lru_cache(maxsize=16)
def _dynamics_words(language: str) -> dict[str, str]:
    """The dynamics' fixed words in a language, escaped (translated for the language given)."""
    words = {
        "b_caption": _("Ratings 0–3; ↑ better, ↓ worse than the previous observation."),
        "area": _("Area"),
        "september": _("September"),
        "half_year": _("half-year"),
        "year_end": _("year end"),
        "better": _("better"),
        "worse": _("worse"),
        "no_change": _("no change"),
        "no_ratings": _("No ratings yet."),
        "chart_title": _("Incidents per school week (bars) and mean intensity 1–3 (line)"),
        "chart_caption": _("Bars: number of incidents; line: mean intensity (1–3, top = 3)."),
        "weeks_caption": _("Weeks with incidents"),
        "school_week": _("school week"),
        "incidents": _("incidents"),
        "mean_intensity": _("mean intensity"),
        "types_caption": _("By behaviour type"),
        "behaviour_type": _("behaviour type"),
        "weeks": _("weeks"),
        "no_incidents": _("No incidents recorded."),
    }
    return {key: escape(text) for key, text in words.items()}


def _number(value) -> str:
    """A number as the template engine printed it: integers as they are, other numbers
    localised (so a decimal comma in kk and ru)."""
    return str(value) if isinstance(value, int) else formats.localize(value)


def _coordinate(value) -> str:
    """A number in an SVG attribute: never localised (a decimal comma is not a number there,
    and the browser would drop the shape in kk and ru)."""
    return str(value)


@register.simple_tag
def b_dynamics_table(b_rows) -> str:
    """Б's ratings per area side by side (`dynamics.b_dynamics`), each with its change against
    the previous observation, in a mark for the eye and words for a screen reader."""
    words = _dynamics_words(get_language())
    if not b_rows:
        return mark_safe(f'<p class="text-body-secondary">{words["no_ratings"]}</p>')  # noqa: S308
    changes = {
        "up": f'<span class="up" aria-hidden="true"> ↑</span>'
        f'<span class="visually-hidden">{words["better"]}</span>',
        "down": f'<span class="down" aria-hidden="true"> ↓</span>'
        f'<span class="visually-hidden">{words["worse"]}</span>',
        "same": f'<span aria-hidden="true"> =</span>'
        f'<span class="visually-hidden">{words["no_change"]}</span>',
    }
    rows = []
    for row in b_rows:
        tds = "".join(
            f"<td>{'—' if value is None else _number(value)}{changes.get(change, '')}</td>"
            for value, change in row.cells
        )
        rows.append(f'<tr><th scope="row">{escape(row.label)}</th>{tds}</tr>')
    body = "\n".join(rows)
    return mark_safe(  # noqa: S308  the words escaped in _dynamics_words, the labels here
        f'<div class="table-responsive"><table class="table table-sm b-dynamics">'
        f"<caption>{words['b_caption']}</caption>"
        f'<thead><tr><th scope="col">{words["area"]}</th>'
        f'<th scope="col">{words["september"]}</th><th scope="col">{words["half_year"]}</th>'
        f'<th scope="col">{words["year_end"]}</th></tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


@register.simple_tag
def d_dynamics(chart, weeks, types) -> str:
    """Д over the year (`dynamics.d_chart`, `d_weeks`, `d_types`): the SVG chart, placed by
    the coordinates computed there, and the tables of weeks and behaviour types. One tag
    instead of ~40 template nodes per school week."""
    language = get_language()
    words = _dynamics_words(language)
    if not chart:
        return mark_safe(f'<p class="text-body-secondary">{words["no_incidents"]}</p>')  # noqa: S308
    width, height = _coordinate(chart.width), _coordinate(chart.height)
    parts = [
        f'<figure class="d-chart"><svg width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-labelledby="d-chart-title">'
        f'<title id="d-chart-title">{words["chart_title"]}</title>'
    ]
    for t in chart.y_ticks:
        y = _coordinate(t["y"])
        parts.append(
            f'<line x1="34" x2="{width}" y1="{y}" y2="{y}" stroke="#ccc" stroke-width="0.5">'
            f'</line><text x="30" y="{y}" text-anchor="end" dominant-baseline="middle"'
            f' fill="#333">{_number(t["value"])}</text>'
        )
    for b in chart.bars:
        day = _date(b["week"].monday, "SHORT_DATE_FORMAT", language)
        parts.append(
            f'<rect x="{_coordinate(b["x"])}" y="{_coordinate(b["y"])}"'
            f' width="{_coordinate(b["w"])}" height="{_coordinate(b["h"])}"'
            f' fill="#4a78b5"><title>{day}:'
            f" {_number(b['week'].count)}</title></rect>"
        )
    if chart.line:
        parts.append(
            f'<polyline points="{escape(chart.line)}" fill="none" stroke="#b3471d"'
            f' stroke-width="2"></polyline>'
        )
    parts += (
        f'<circle cx="{_coordinate(d["x"])}" cy="{_coordinate(d["y"])}" r="3"'
        ' fill="#b3471d"></circle>'
        for d in chart.dots
    )
    parts += (
        f'<text x="{_coordinate(label["x"])}" y="{_coordinate(label["y"])}" text-anchor="middle"'
        f' fill="#333">{_date(label["week"].monday, "d.m", language)}</text>'
        for label in chart.x_labels
    )
    parts.append(
        f'</svg><figcaption class="small">{words["chart_caption"]}</figcaption></figure>'
        f'<div class="table-responsive"><table class="table table-sm">'
        f"<caption>{words['weeks_caption']}</caption><thead><tr>"
        f'<th scope="col">{words["school_week"]}</th><th scope="col">{words["incidents"]}</th>'
        f'<th scope="col">{words["mean_intensity"]}</th></tr></thead><tbody>'
    )
    parts += (
        f'<tr><th scope="row">{_date(w.monday, "SHORT_DATE_FORMAT", language)}</th>'
        f"<td>{_number(w.count)}</td><td>"
        f"{'—' if w.mean_intensity is None else floatformat(w.mean_intensity, 1)}</td></tr>"
        for w in weeks
    )
    parts.append(
        f'</tbody></table><table class="table table-sm">'
        f"<caption>{words['types_caption']}</caption><thead><tr>"
        f'<th scope="col">{words["behaviour_type"]}</th><th scope="col">{words["incidents"]}</th>'
        f'<th scope="col">{words["weeks"]}</th></tr></thead><tbody>'
    )
    parts += (
        f'<tr><th scope="row">{escape(t.label)}</th><td>{_number(t.total)}</td>'
        f"<td>{_number(t.weeks_with)}</td></tr>"
        for t in types
    )
    parts.append("</tbody></table></div>")
    return mark_safe("\n".join(parts))  # noqa: S308  the words and labels escaped, numbers
