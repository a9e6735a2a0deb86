"""Protocol pages: the window's empty form, edit with autosave, submit, history, compare,
the И sign-off; the assistant's dashboard, a pupil's year (grid and dynamics), a protocol's
PDF and the dossier job. Access helper → service/selector → response."""

import secrets
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistant_portal import jobs
from assistant_portal.accounts.roles import roles_of
from assistant_portal.forms import add_service_errors
from students.access import get_pupil_for_user
from students.models import ReadWhat, School
from students.services import record_download, record_page_view

from . import annexes, dynamics, printing, selectors, services
from .access import (
    annex_visible,
    get_dossier_job_for_user,
    get_protocol_for_editor,
    get_protocol_for_user,
    get_pupil_file_for_user,
    get_pupil_for_editor,
    may_edit,
    may_sign_off,
)
from .forms import PickListForm, QuickIncidentForm, build, side_by_side, to_post
from .links import on_demand_key
from .models import AnnexCode, DossierJob, IncidentPickList, Protocol, Status
from .schedule import Annex
from .services import Outcome, WriteAction
from .windows import current_year, is_late, window_for


def _annex_or_404(code: str):
    try:
        return annexes.get(code)
    except (KeyError, ValueError):
        raise Http404 from None


def _bounds(year):
    return (year.start, year.end) if year else None


def _context(request, *, pupil, annex, forms, protocol=None, window=None, year=None, **extra):
    editable = may_edit(request.user, pupil, protocol, annex.code) and (
        protocol is None or protocol.status in services.EDITABLE
    )
    if not editable:
        for form in [forms.meta, forms.main, *(f for fs in forms.rows.values() for f in fs)]:
            for field in form.fields.values():
                # The widget attribute, not field.disabled: a disabled field would show its
                # initial value instead of the stored one.
                field.widget.attrs["disabled"] = True
    comments = selectors.latest_comments(protocol) if protocol else {}
    main_fields = [(forms.main[name], comments.get(name, [])) for name in forms.main.fields]
    if protocol:
        autosave_url = reverse("protocols:autosave", args=[protocol.pk])
        submit_url = reverse("protocols:submit", args=[protocol.pk])
        save_url = protocol.get_absolute_url()
    else:
        save_url = autosave_url = submit_url = request.path
    return {
        "pupil": pupil,
        "annex": annex,
        "forms": forms,
        "main_fields": main_fields,
        "general_comments": comments.get("", []),
        "protocol": protocol,
        "window": window,
        "year": year,
        "editable": editable,
        "late": is_late(protocol.filled_on if protocol else None, window),
        "autosave_url": autosave_url,
        "submit_url": submit_url,
        "save_url": save_url,
        "can_sign_off": bool(protocol and may_sign_off(request.user, protocol)),
        "client_token": _client_token(forms),
        **_checklist(annex, forms, pupil),
        **extra,
    }


def _checklist(annex, forms, pupil) -> dict:
    """What the annex asks to cover, ticked from the values on the page (typed or stored)."""
    if annex.checklist is None:
        return {}
    items = annex.checklist(forms.data(), pupil.school)
    return {"checklist": items, "checklist_missing": [label for label, ok in items if not ok]}


def _client_token(forms) -> str:
    """This page load's token (kept when the page is shown again after a refused save)."""
    posted = forms.meta.data.get("client_token", "") if forms.meta.is_bound else ""
    return posted or secrets.token_urlsafe(16)


def _urls(protocol: Protocol) -> dict:
    """Where the script posts next (the first autosave of a window creates the protocol)."""
    return {
        "edit_url": protocol.get_absolute_url(),
        "autosave_url": reverse("protocols:autosave", args=[protocol.pk]),
        "submit_url": reverse("protocols:submit", args=[protocol.pk]),
    }


def _autosaved(protocol: Protocol, forms) -> JsonResponse:
    errors = {}
    for form in [forms.meta, forms.main, *(f for fs in forms.rows.values() for f in fs)]:
        for name, errs in form.errors.items():
            errors[form.add_prefix(name)] = [str(e) for e in errs]
    return JsonResponse(
        {
            "revision": protocol.revision,
            "saved_at": formats.time_format(timezone.localtime(protocol.updated_at), "H:i"),
            "message": _("Autosaved"),
            "errors": errors,
            **_urls(protocol),
        }
    )


def _conflict(request, current: Protocol, forms) -> str:
    """The panel of a stale write: their version and the user's, the fields that differ."""
    rows = side_by_side(
        forms.annex, current.data, forms.data(), dates=(current.filled_on, forms.filled_on())
    )
    return render_to_string(
        "protocols/_conflict.html",
        {"rows": rows, "current": current},
        request=request,
    )


def _render_edit(request, ctx, status=200):
    return render(request, "protocols/edit.html", ctx, status=status)


def _action(request, *allowed: WriteAction) -> WriteAction:
    """The button pressed (or the autosave script), among those this URL takes; else Save."""
    posted = request.POST.get("action")
    return WriteAction(posted) if posted in allowed else WriteAction.SAVE


def _written(request, result: services.WriteResult, action: WriteAction, window=None):
    """The response to a write: JSON for the autosave script, else a redirect or the page."""
    protocol, forms = result.protocol, result.forms
    if action == WriteAction.AUTOSAVE:
        request.session.modified = True  # typing extends the idle session
        if result.outcome == Outcome.STALE:
            html = _conflict(request, protocol, forms)
            body = {"conflict_html": html, "revision": protocol.revision, **_urls(protocol)}
            return JsonResponse(body, status=409)
        if result.reason:
            return JsonResponse({"error": result.reason}, status=400)
        return _autosaved(protocol, forms)
    if result.reason:  # the protocol cannot change now (under review): nothing was written
        messages.error(request, result.reason)
        return redirect(protocol)
    if result.outcome == Outcome.SAVED and not forms.has_errors():
        submitted = action == WriteAction.SUBMIT
        review = forms.annex.needs_review
        done = _("Submitted for review.") if review else _("Submitted.")
        messages.success(request, done if submitted else _("Saved."))
        return redirect(protocol)
    status, extra = 400, {}
    if result.outcome == Outcome.STALE:
        status, extra = 409, {"conflict": _conflict(request, protocol, forms)}
    elif result.outcome == Outcome.INVALID:
        messages.error(request, _("Please correct the errors below."))
    ctx = _context(
        request,
        pupil=protocol.student,
        annex=forms.annex,
        forms=forms,
        protocol=protocol,
        window=window if window is not None else _window_of(protocol),
        year=protocol.year,
        **extra,
    )
    return _render_edit(request, ctx, status=status)


@login_required
def window(request, pupil_id, annex, window_key):
    pupil = get_pupil_for_user(request.user, pupil_id)
    annex_def = _annex_or_404(annex)
    if not annex_visible(request.user, pupil, annex):
        raise Http404
    if annex == AnnexCode.K:  # a thread, not a form: its own page (protocols/sheet_views.py)
        if request.method == "POST":
            raise Http404
        return redirect("protocols:sheet", pupil_id=pupil.pk, window_key=window_key)
    found = window_for(pupil, annex, window_key)
    if found is None:
        raise Http404
    year, win = found
    if request.method == "POST":
        get_pupil_for_editor(request.user, pupil_id)
        slot = services.WindowSlot(
            student=pupil, year=year, annex=annex, window_key=window_key, due=win.due
        )
        action = _action(request, WriteAction.AUTOSAVE, WriteAction.SUBMIT)
        result = services.protocol_write(
            target=slot, by=request.user, post=request.POST, action=action
        )
        return _written(request, result, action, window=win)
    existing = Protocol.objects.filter(
        student=pupil, year=year, annex=annex, window_key=window_key, archived_at__isnull=True
    ).first()
    if existing:
        return redirect(existing)
    start = selectors.initial_data(pupil, year, annex_def, window_key)
    forms = build(annex_def, None, year=_bounds(year), today=services.today(), initial=start)
    forms.meta.initial = {"filled_on": services.today()}
    record_page_view(request, pupil)
    ctx = _context(request, pupil=pupil, annex=annex_def, forms=forms, window=win, year=year)
    return _render_edit(request, ctx)


def _window_of(protocol):
    if protocol.annex == AnnexCode.I:
        return None
    found = window_for(protocol.student, protocol.annex, protocol.window_key, year=protocol.year)
    return found[1] if found else None


def _post_to(request, protocol_id, action: WriteAction):
    protocol = get_protocol_for_editor(request.user, protocol_id)
    result = services.protocol_write(
        target=protocol, by=request.user, post=request.POST, action=action
    )
    return _written(request, result, action)


@login_required
def edit(request, protocol_id):
    if request.method == "POST":
        return _post_to(request, protocol_id, _action(request, WriteAction.SUBMIT))
    protocol = get_protocol_for_user(request.user, protocol_id, with_calendar=True)
    if protocol.annex == AnnexCode.K:
        return redirect(protocol)  # the sheet's own page
    annex_def = annexes.get(protocol.annex)
    forms = build(
        annex_def,
        to_post(annex_def, protocol.data, filled_on=protocol.filled_on, revision=protocol.revision),
        year=_bounds(protocol.year),
        today=services.today(),
    )
    ctx = _context(
        request,
        pupil=protocol.student,
        annex=annex_def,
        forms=forms,
        protocol=protocol,
        window=_window_of(protocol),
        year=protocol.year,
    )
    record_page_view(request, protocol.student)
    return _render_edit(request, ctx)


@login_required
@require_POST
def autosave(request, protocol_id):
    return _post_to(request, protocol_id, WriteAction.AUTOSAVE)


@login_required
@require_POST
def submit(request, protocol_id):
    return _post_to(request, protocol_id, WriteAction.SUBMIT)


@login_required
@require_POST
def new_correction(request, pupil_id):
    pupil = get_pupil_for_editor(request.user, pupil_id)
    year = current_year(pupil)
    if year is None:
        raise Http404
    protocol = services.correction_open(student=pupil, year=year, by=request.user)
    return redirect(protocol)


@login_required
@require_POST
def sign_off(request, protocol_id):
    protocol = get_protocol_for_user(request.user, protocol_id)
    try:
        services.correction_sign_off(protocol=protocol, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Signed off."))
    return redirect(protocol)


@login_required
def history(request, protocol_id):
    protocol = get_protocol_for_user(request.user, protocol_id)
    annex_def = annexes.get(protocol.annex)
    versions = selectors.versions(protocol)
    # What each version changed against the one before it (the list is newest first).
    for version, previous in zip(versions, [*versions[1:], None], strict=False):
        rows = side_by_side(
            annex_def,
            previous.data if previous else {},
            version.data,
            dates=(previous.filled_on if previous else None, version.filled_on),
        )
        version.changed = [row["label"] for row in rows if row["changed"]]
        version.resubmitted = bool(
            previous and previous.status == Status.RETURNED and version.status == Status.SUBMITTED
        )
    record_page_view(request, protocol.student)
    return render(
        request,
        "protocols/history.html",
        {"protocol": protocol, "annex": annex_def, "versions": versions},
    )


@login_required
def compare(request, protocol_id):
    protocol = get_protocol_for_user(request.user, protocol_id)
    annex_def = annexes.get(protocol.annex)
    versions = {v.number: v for v in selectors.versions(protocol)}
    numbers = sorted(versions)
    try:
        a = int(request.GET.get("a") or (numbers[-2] if len(numbers) > 1 else 0))
        b = int(request.GET.get("b") or (numbers[-1] if numbers else 0))
    except ValueError:
        a = b = 0
    va, vb = versions.get(a), versions.get(b)
    ctx = {"protocol": protocol, "annex": annex_def, "a": va, "b": vb, "rows": None}
    if va and vb:
        ctx["rows"] = side_by_side(annex_def, va.data, vb.data, dates=(va.filled_on, vb.filled_on))
    record_page_view(request, protocol.student)
    return render(request, "protocols/compare.html", ctx, status=200 if ctx["rows"] else 400)


@login_required
def dashboard(request):
    if not roles_of(request.user).is_assistant:
        raise Http404
    today = timezone.localdate()
    board = selectors.assistant_dashboard(request.user, today)
    filters = _week_filters(request.GET)
    groups = selectors.filter_week(board, **filters)
    # Pages of whole pupils: a pupil's group is never split across two pages.
    page = Paginator(groups, WEEK_GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "board": board,
        "today": today,
        "page": page,
        "filters": filters,
        "filtered": any(v not in (None, "") for v in filters.values()),
        "query": query.urlencode(),
    }
    return render(request, "protocols/dashboard.html", ctx)


WEEK_GROUPS_PER_PAGE = 10


def _week_filters(params) -> dict:
    """The counters' filters from the query string; anything unknown is ignored."""
    pupil = params.get("pupil", "")
    annex = params.get("annex", "")
    state = params.get("state", "")
    return {
        "pupil": int(pupil) if pupil.isdigit() else None,
        "annex": annex if annex in {a.value for a in Annex} else None,
        "state": state if state in selectors.FILTER_STATES else "",
    }


@login_required
def incident(request, pupil_id):
    """Д in a few taps: now as the time, the pupil's frequent entries as
    pick-lists, one Save; the incident joins the week's Д protocol."""
    pupil = get_pupil_for_editor(request.user, pupil_id)
    year = current_year(pupil)
    suggestions = selectors.incident_suggestions(pupil, year)
    now = timezone.localtime()
    form = QuickIncidentForm(
        request.POST or None,
        suggestions=suggestions,
        initial={
            "incident_date": now.date(),
            "start": now.time().replace(second=0, microsecond=0),
            "intensity": suggestions.defaults["intensity"],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            protocol = services.incident_log(
                student=pupil, by=request.user, incident=form.incident()
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The incident is in this week's behaviour log."))
            return redirect(_safe_next(request) or protocol.get_absolute_url())
    if request.method != "POST":
        record_page_view(request, pupil)
    status = 400 if form.errors else 200
    ctx = {"pupil": pupil, "form": form, "next": _safe_next(request)}
    return render(request, "protocols/incident.html", ctx, status=status)


@login_required
def pick_lists(request):
    """A school administrator edits the school's quick-incident pick-lists."""
    ids = roles_of(request.user).admin_school_ids
    if not ids:
        raise Http404
    school = School.objects.get(pk=min(ids))
    current = IncidentPickList.objects.filter(school=school).first()
    initial = {f: getattr(current, f) for f in PickListForm.base_fields} if current else {}
    form = PickListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.pick_list_save(school=school, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("protocols:pick_lists")
    ctx = {
        "form": form,
        "title": _("Incident pick-lists"),
        "narrow": True,
        "intro": _(
            "One entry per line. The quick incident form offers each pupil's own "
            "frequent entries first, then these."
        ),
    }
    return render(request, "form_page.html", ctx, status=400 if form.errors else 200)


def _safe_next(request) -> str:
    """Back where the assistant came from (home or the pupil page), never off-site."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if ok else ""


@login_required
def pupil_year(request, pupil_id):
    pupil = get_pupil_file_for_user(request.user, pupil_id)
    today = timezone.localdate()
    (py,) = selectors.pupil_years([pupil], today, fields=selectors.DYNAMICS_FIELDS)
    ctx = {
        "pupil": pupil,
        "py": py,
        "today": today,
        "grid": (grid := selectors.year_grid(py.cells)),
        "weeks": grid.weeks_split(today),
        "this_monday": today - timedelta(days=today.weekday()),
        "periods": [selectors.PERIOD_LABELS[p] for p in selectors.TERM_PERIODS],
        "weekly": [a.letter for a in selectors.WEEKLY],
        "i_key": on_demand_key(Annex.I, today),
    }
    if py.calendar is not None:
        ctx.update(dynamics.pupil_dynamics(py, today))
    record_page_view(request, pupil)
    return render(request, "protocols/pupil_year.html", ctx)


@login_required
def protocol_pdf(request, protocol_id):
    protocol = get_protocol_for_user(request.user, protocol_id)
    pdf = printing.protocol_pdf(protocol, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{protocol.annex}-{protocol.window_key.replace(':', '-')}-{protocol.student_id}.pdf"
    record_page_view(request, protocol.student, what=ReadWhat.PRINT)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_POST
def dossier_start(request, pupil_id):
    pupil = get_pupil_file_for_user(request.user, pupil_id)
    job = services.dossier_request(pupil=pupil, by=request.user, language=get_language())
    return redirect("protocols:dossier_job", job_id=job.pk)


# What the dossier's page and download say; assistant_portal/jobs.py does the rest.
DOSSIER_PAGE = jobs.JobPage[DossierJob](
    owner="pupil",
    title=gettext_lazy("Dossier"),
    counts=gettext_lazy("%(done)s of %(total)s parts"),
    download=gettext_lazy("Download PDF"),
    back=gettext_lazy("Back to the year"),
    page_url="protocols:dossier_job",
    file_url="protocols:dossier_file",
    start_url="protocols:dossier",
    back_url="protocols:pupil_year",
    file_name=lambda job: f"dossier-{job.pupil_id}.pdf",
    content_type="application/pdf",
    slug="dossier",
    on_download=record_download,
)


@login_required
def dossier_job(request, job_id):
    job = get_dossier_job_for_user(request.user, job_id)
    return jobs.progress_response(request, job, page=DOSSIER_PAGE)


@login_required
def dossier_file(request, job_id):
    job = get_dossier_job_for_user(request.user, job_id)
    return jobs.file_response(request, job, page=DOSSIER_PAGE)
