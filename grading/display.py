"""What the gradebook shows: the rules' outcomes in words, the page's sorts and filters, each
row prepared for the template. Pure: it is given the rows (listener, standing), reads nothing.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from assistant_portal.annotations import StrOrPromise

from .gradebook import Standing

# Keyed by the rules' outcome, which is None when nothing blocks (or no band, no letter yet):
# a None key finds nothing, so `.get(outcome, "")` reads as "no label".
type Labels = dict[str | None, StrOrPromise]

BLOCKING_LABELS: Labels = {
    "not_admitted": _("not admitted: current performance below 50 (§8.9)"),
    "no_test": _("no final test yet"),
    "final_below_55": _("final grade below 55 (§8.11)"),
    # xgettext:no-python-format
    "test_below_70": _("final test below 70 % (§8.3)"),
}
# The same rules in the listener's words (the result page's "what comes next").
LISTENER_BLOCKING: Labels = {
    "not_admitted": _(
        "Your current performance is below 50: no admission to the final test (§8.9)."
    ),
    "no_test": _("You have not taken the final test yet."),
    "final_below_55": _("The certificate needs a final grade of at least 55 (§8.11)."),
    "test_below_70": _(
        # xgettext:no-python-format
        "The certificate needs at least 70 % correct answers in the final test (§8.3)."
    ),
}
BAND_LABELS: Labels = {
    "not_done": _("not done"),
    "partial": _("partly done"),
    "above_average": _("above average"),
    "full": _("fully done"),
}
TRADITIONAL_LABELS: dict[str, StrOrPromise] = {
    "excellent": _("excellent"),
    "good": _("good"),
    "satisfactory": _("satisfactory"),
    "unsatisfactory": _("unsatisfactory"),
}
SORTS = {"name", "tu", "test", "final"}
FILTERS = {"all", "eligible", "blocked", "not_admitted", "provisional"}


def arrange[R: tuple[Any, Standing]](rows: list[R], *, sort: str, show: str) -> list[R]:
    """The rows (anything, standing) the page's filter keeps, in its sort order."""
    if show == "eligible":
        rows = [r for r in rows if r[1].eligible]
    elif show == "blocked":
        rows = [r for r in rows if not r[1].eligible]
    elif show == "not_admitted":
        rows = [r for r in rows if not r[1].admitted]
    elif show == "provisional":
        rows = [r for r in rows if r[1].tu_provisional]
    if sort in ("tu", "test", "final"):
        rows = sorted(
            rows, key=lambda r: (getattr(r[1], sort) is None, -(getattr(r[1], sort) or 0))
        )
    return rows


def display_rows(book: dict[str, Any]) -> list[dict[str, Any]]:
    """What each gradebook row shows, prepared once (the template only prints)."""
    tasks = book["tasks"]
    return [
        {
            "enrolment": e,
            "st": st,
            "cells": [st.scores.get(t.id) for t in tasks],
            **labels(st),
        }
        for e, st in book["rows"]
    ]


def labels(st: Standing) -> dict[str, StrOrPromise]:
    return {
        "band": BAND_LABELS.get(st.test_band, ""),
        "traditional": TRADITIONAL_LABELS[st.letter.traditional] if st.letter else "",
        "blocking": BLOCKING_LABELS.get(st.blocking, ""),
    }
