"""Pages of this part of protocols: the assistant's dashboard, a pupil's year (grid and
dynamics), a protocol's PDF and the dossier job. Access helper → selector/service → response."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from assistant_portal.accounts.roles import roles_of

from . import dynamics, printing, selectors, services
from .access import get_dossier_job_for_user, get_protocol_for_user, get_pupil_file_for_user
from .links import on_demand_key
from .schedule import Annex


@login_required
def dashboard(request):
    if not roles_of(request.user).is_assistant:
        raise Http404
    today = timezone.localdate()
    board = selectors.assistant_dashboard(request.user, today)
    return render(request, "protocols/dashboard.html", {"board": board, "today": today})


@login_required
def pupil_year(request, pupil_id):
    pupil = get_pupil_file_for_user(request.user, pupil_id)
    today = timezone.localdate()
    (py,) = selectors.pupil_years([pupil], today, with_data=True)
    ctx = {
        "pupil": pupil,
        "py": py,
        "today": today,
        "grid": selectors.year_grid(py.cells),
        "periods": [selectors.PERIOD_LABELS[p] for p in selectors.TERM_PERIODS],
        "weekly": [a.letter for a in selectors.WEEKLY],
        "i_key": on_demand_key(Annex.I, today),
    }
    if py.calendar is not None:
        ctx.update(dynamics.pupil_dynamics(py, today))
    return render(request, "protocols/pupil_year.html", ctx)


@login_required
def protocol_pdf(request, protocol_id):
    protocol = get_protocol_for_user(request.user, protocol_id)
    pdf = printing.protocol_pdf(protocol, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{protocol.annex}-{protocol.window_key.replace(':', '-')}-{protocol.student_id}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_POST
def dossier_start(request, pupil_id):
    pupil = get_pupil_file_for_user(request.user, pupil_id)
    job = services.dossier_request(pupil=pupil, by=request.user, language=get_language())
    return redirect("protocols:dossier_job", job_id=job.pk)


@login_required
def dossier_job(request, job_id):
    job = get_dossier_job_for_user(request.user, job_id)
    template = "protocols/dossier_job.html"
    if request.htmx:
        template += "#progress"  # the polled fragment only
    return render(request, template, {"job": job, "pupil": job.pupil})


@login_required
def dossier_file(request, job_id):
    job = get_dossier_job_for_user(request.user, job_id)
    if job.status != job.State.DONE or not job.file:
        return redirect("protocols:dossier_job", job_id=job.pk)  # not ready: its progress
    return FileResponse(
        job.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"dossier-{job.pupil_id}.pdf",
    )
