"""The gradebook pages (URL namespace `grading:`): access helper → selector → response.

They live in the course because they read its cohorts and enrolments; grading only computes
and words the standings it is given."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from grading import display, exports

from .access import get_cohort_for_admin, get_enrolment_for_admin
from .gradebook import changed_since_issue, listener_standing, score_changes
from .gradebook import gradebook as gradebook_rows


def _book(request, cohort):
    sort = request.GET.get("sort", "name")
    show = request.GET.get("show", "all")
    sort = sort if sort in display.SORTS else "name"
    show = show if show in display.FILTERS else "all"
    return gradebook_rows(cohort, sort=sort, show=show), sort, show


@login_required
def gradebook(request, cohort_id):
    cohort = get_cohort_for_admin(request.user, cohort_id, related=False)
    book, sort, show = _book(request, cohort)
    return render(
        request,
        "grading/gradebook.html",
        {
            "cohort": cohort,
            "tasks": book["tasks"],
            "rows": display.display_rows(book),
            "sort": sort,
            "show": show,
            "wide": request.GET.get("cols") == "all",
            # certificates whose grade has changed since they were issued (read with the rows)
            "cert_changed": changed_since_issue(book["rows"]),
        },
    )


@login_required
def export_csv(request, cohort_id):
    cohort = get_cohort_for_admin(request.user, cohort_id, related=False)
    book, _s, _f = _book(request, cohort)
    response = HttpResponse(exports.to_csv(exports.table(book)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="gradebook-{cohort.pk}.csv"'
    return response


@login_required
def export_xlsx(request, cohort_id):
    cohort = get_cohort_for_admin(request.user, cohort_id, related=False)
    book, _s, _f = _book(request, cohort)
    response = HttpResponse(
        exports.to_xlsx(exports.table(book)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="gradebook-{cohort.pk}.xlsx"'
    return response


@login_required
def listener_record(request, enrolment_id):
    """One listener's standing and the audit of every score change."""
    enrolment = get_enrolment_for_admin(request.user, enrolment_id)
    st = listener_standing(enrolment)
    return render(
        request,
        "grading/listener.html",
        {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "st": st,
            "changes": score_changes(enrolment),
            **display.labels(st),
        },
    )
