"""Oversight pages: access → figures → response. Each view logs what it showed."""

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assistant_portal.accounts.roles import roles_of
from students.safe_cells import safe_row

from . import selectors, services
from .access import (
    districts_visible_to,
    get_district_for_user,
    get_region_for_user,
    get_school_for_user,
    regions_visible_to,
)
from .forms import PeriodForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request) -> tuple[PeriodForm, int, str]:
    form = PeriodForm(request.GET or None)
    return form, *form.chosen()


def _render_table(request, title, table, form, **extra):
    services.record_read(user=request.user, path=request.get_full_path(), shown=table.shown())
    return render(request, "oversight/dashboard.html", _context(title, table, form, **extra))


def _context(title, table, form, **extra) -> dict:
    return {
        "title": title,
        "table": table,
        "form": form,
        "headers": list(selectors.HEADERS.items()),
        "trend": selectors.trend_chart(table.trend),
        **extra,
    }


@login_required
def home(request):
    """Straight to the user's region or district; a clear word when they have none."""
    roles = roles_of(request.user)
    if not (roles.oversight_district_ids or roles.oversight_region_ids):
        raise Http404
    region = regions_visible_to(request.user).order_by("name_kk").first()
    if region:
        return redirect("oversight:region", region.pk)
    district = districts_visible_to(request.user).order_by("name_kk").first()
    if district:
        return redirect("oversight:district", district.pk)
    return render(request, "oversight/unbound.html")


@login_required
def region(request, region_id: int):
    area = get_region_for_user(request.user, region_id)
    form, year, period = _period(request)
    table = selectors.region_table(area, year, period)
    return _render_table(request, str(area), table, form, area=area, kind="region")


@login_required
def district(request, district_id: int):
    area = get_district_for_user(request.user, district_id)
    form, year, period = _period(request)
    table = selectors.district_table(area, year, period)
    return _render_table(request, str(area), table, form, area=area, kind="district")


@login_required
def school(request, school_id: int):
    place = get_school_for_user(request.user, school_id)
    form, year, period = _period(request)
    table, annexes = selectors.school_breakdown(place, year, period)
    shown = {**table.shown(), "annexes": [[a.annex, *a.cells.values()] for a in annexes]}
    services.record_read(user=request.user, path=request.get_full_path(), shown=shown)
    ctx = _context(str(place), table, form, annexes=annexes, school=place)
    return render(request, "oversight/school.html", ctx)


def _xlsx(request, name: str, table) -> HttpResponse:
    from openpyxl import Workbook

    services.record_read(user=request.user, path=request.get_full_path(), shown=table.shown())
    wb = Workbook()
    ws = wb.active
    ws.append(safe_row([_("Name"), *(str(label) for label in selectors.column_labels())]))
    for row in [*table.rows, table.total]:
        ws.append(safe_row([row.label, *row.cells.values()]))
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def region_export(request, region_id: int):
    area = get_region_for_user(request.user, region_id)
    _form, year, period = _period(request)
    return _xlsx(
        request, f"region-{area.pk}-{year}-{period}", selectors.region_table(area, year, period)
    )


@login_required
def district_export(request, district_id: int):
    area = get_district_for_user(request.user, district_id)
    _form, year, period = _period(request)
    table = selectors.district_table(area, year, period)
    return _xlsx(request, f"district-{area.pk}-{year}-{period}", table)
