"""The gradebook's rows drawn in Python (DECISIONS PC4): the page drew an include, three
`reverse()` and up to a dozen filters per listener. The markup is the templates' it replaced."""

import html
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assistant_portal.links import PkLink

register = template.Library()

DASH = "—"


_CENT = Decimal("0.01")


@lru_cache(maxsize=16)
def _decimal_separator(language: str) -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR", language))


def _two_places(value) -> str:
    """`floatformat(value, 2)` (half up, the language's decimal separator) at a tenth of its
    cost for the usual case, a finite Decimal under 1000: no thousands to group there."""
    if type(value) is Decimal and value.is_finite() and 0 <= value < 1000:
        # copy_abs: floatformat draws a rounded -0 as 0.00
        cents = value.quantize(_CENT, rounding=ROUND_HALF_UP).copy_abs()
        return f"{cents:f}".replace(".", _decimal_separator(get_language()))
    return floatformat(value, 2)


def _number(value) -> str:
    return DASH if value is None else _two_places(value)


def _esc(text) -> str:
    """Django's `escape` (the same `html.escape` of the text) without its lazy-text wrapper and
    a SafeString per call: the rows escape a dozen parts each, then one `mark_safe`."""
    return html.escape(str(text))


@lru_cache(maxsize=16)
def _labels(language: str) -> dict[str, str]:
    """The row's fixed words in a language, escaped (translated for the language given)."""
    return {
        "provisional": escape(_("provisional")),
        "admitted": escape(_("admitted")),
        "not_admitted": escape(_("not admitted")),
        "eligible": escape(_("eligible")),
        "retake": escape(_("one retake allowed")),
        "paper": escape(_("Paper test")),
        "changed": escape(_("grade changed since issue")),
    }


@register.simple_tag
def standing_cells(st, band, traditional, blocking, wide) -> SafeString:
    """A listener's standing as table cells: TU, admission, test, [band], final grade,
    letter, [points, traditional grade], certificate (the bracketed ones when `wide`).
    Numbers are drawn by `floatformat` and `localize` (digits and separators); every text is
    escaped."""
    words = _labels(get_language())
    provisional = (
        f' <span class="badge text-bg-warning">{words["provisional"]}</span>'
        if st.tu_provisional
        else ""
    )
    if st.eligible:
        certificate = f'<span class="badge text-bg-success">{words["eligible"]}</span>'
    elif st.retake_allowed:
        certificate = f"{_esc(blocking)} · {words['retake']}"
    else:
        certificate = _esc(blocking)
    letter = st.letter
    admitted = words["admitted"] if st.admitted else words["not_admitted"]
    cells = [
        f'<td class="text-end">{_number(st.tu)}{provisional}</td>',
        f"<td>{admitted}</td>",
        f'<td class="text-end">{_number(st.test)}</td>',
    ]
    if wide:
        cells.append(f"<td>{_esc(band)}</td>")
    cells += [
        f'<td class="text-end">{_number(st.final)}</td>',
        f"<td>{_esc((letter.letter if letter else '') or DASH)}</td>",
    ]
    if wide:
        points = formats.localize(letter.points) if letter else DASH
        cells.append(f'<td class="text-end">{_esc(points)}</td>')
        cells.append(f"<td>{_esc(traditional or DASH)}</td>")
    cells.append(
        f'<td class="certificate-state" data-blocking="{_esc(st.blocking or "")}">'
        f"{certificate}</td>"
    )
    return mark_safe("\n".join(cells))  # noqa: S308  escaped above


@register.simple_tag
def gradebook_rows(rows, cohort, cert_changed, wide) -> SafeString:
    """Every listener's row of the gradebook (`display.display_rows`), in one call."""
    record, paper = PkLink("grading:listener"), PkLink("course:paper_score")
    certificates = _esc(reverse("course:certificates", args=[cohort.pk]))
    words = _labels(get_language())
    drawn = []
    for row in rows:
        e, st = row["enrolment"], row["st"]
        pk = int(e.pk)
        scores = (
            "".join(
                f'<td class="text-end">{"" if v is None else _two_places(v)}</td>'
                for v in row["cells"]
            )
            if wide
            else ""
        )
        actions = []
        if st.can_start_test or st.retake_allowed:
            actions.append(
                f'<a class="btn btn-sm btn-outline-secondary" href="{_esc(paper(pk))}">'
                f"{words['paper']}</a>"
            )
        if pk in cert_changed:
            actions.append(
                f'<a class="badge text-bg-warning cert-changed" href="{certificates}'
                f'#cert-row-{pk}">{words["changed"]}</a>'
            )
        cells = standing_cells(st, row["band"], row["traditional"], row["blocking"], wide)
        drawn.append(
            f'<tr data-listener="{_esc(e.email)}">\n'
            f'<th scope="row"><a href="{_esc(record(pk))}">{_esc(e.full_name)}</a>'
            f"</th>\n{scores}\n{cells}\n<td>{chr(10).join(actions)}</td>\n</tr>\n"
        )
    return mark_safe("".join(drawn))  # noqa: S308  escaped above
