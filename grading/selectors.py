"""The gradebook's rows: listeners, their scores and standing; constant queries."""

from django.utils.translation import gettext_lazy as _

from course.models import Enrolment, ScoreChange, Task

from .gradebook import cohort_standings

BLOCKING_LABELS = {
    "not_admitted": _("not admitted: current performance below 50 (§8.9)"),
    "no_test": _("no final test yet"),
    "final_below_55": _("final grade below 55 (§8.11)"),
    # xgettext:no-python-format
    "test_below_70": _("final test below 70 % (§8.3)"),
}
# The same rules in the listener's words (the result page's "what comes next").
LISTENER_BLOCKING = {
    "not_admitted": _("Your current performance is below 50: no admission to the final test "
                      "(§8.9)."),
    "no_test": _("You have not taken the final test yet."),
    "final_below_55": _("The certificate needs a final grade of at least 55 (§8.11)."),
    # xgettext:no-python-format
    "test_below_70": _("The certificate needs at least 70 % correct answers in the final test "
                       "(§8.3)."),
}  # fmt: skip
BAND_LABELS = {
    "not_done": _("not done"),
    "partial": _("partly done"),
    "above_average": _("above average"),
    "full": _("fully done"),
}
TRADITIONAL_LABELS = {
    "excellent": _("excellent"),
    "good": _("good"),
    "satisfactory": _("satisfactory"),
    "unsatisfactory": _("unsatisfactory"),
}
SORTS = {"name", "tu", "test", "final"}
FILTERS = {"all", "eligible", "blocked", "not_admitted", "provisional"}


def gradebook(cohort, *, sort: str = "name", show: str = "all") -> dict:
    """Queries: enrolments, tasks (×2: grid and standings), scores, attempts."""
    enrolments = list(
        Enrolment.objects.active()
        .filter(cohort=cohort)
        .select_related("listener")
        .order_by("sort_key", "pk")
    )
    tasks = list(Task.objects.active().filter(cohort=cohort))
    standings = cohort_standings(cohort, enrolments)
    rows = [(e, standings[e.pk]) for e in enrolments]
    if show == "eligible":
        rows = [r for r in rows if r[1].eligible]
    elif show == "blocked":
        rows = [r for r in rows if not r[1].eligible]
    elif show == "not_admitted":
        rows = [r for r in rows if not r[1].admitted]
    elif show == "provisional":
        rows = [r for r in rows if r[1].tu_provisional]
    if sort in ("tu", "test", "final"):
        rows.sort(key=lambda r: (getattr(r[1], sort) is None, -(getattr(r[1], sort) or 0)))
    return {"tasks": tasks, "rows": rows}


def display_rows(book: dict) -> list[dict]:
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


def labels(st) -> dict:
    return {
        "band": BAND_LABELS.get(st.test_band, ""),
        "traditional": TRADITIONAL_LABELS[st.letter.traditional] if st.letter else "",
        "blocking": BLOCKING_LABELS.get(st.blocking, ""),
    }


def score_changes(enrolment):
    return ScoreChange.objects.filter(enrolment=enrolment).select_related("task", "by")
