"""Pupil and calendar pages: access helper → service → response."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistant_portal import jobs
from assistant_portal.accounts.models import RoleKind
from assistant_portal.accounts.places import admin_school
from assistant_portal.accounts.roles import roles_of
from assistant_portal.forms import add_service_errors
from assistant_portal.spreadsheets import SpreadsheetUploadForm

from . import export, importing, selectors, services
from .access import (
    get_export_for_user,
    get_managed_pupil_for_user,
    get_pupil_for_user,
    get_year_for_user,
    sees_as_parent,
    years_managed_by,
)
from .exports import csv_response
from .forms import (
    AcademicYearForm,
    AssignForm,
    ConsentForm,
    GuardianForm,
    HolidayForm,
    ReadLogFilterForm,
    StudentForm,
)
from .models import PupilExport, ReadWhat, School
from .uploads import content_type_for


def _admin_school(user) -> School:
    """The school an administrator works in (chosen in the navbar when they have several)."""
    return admin_school(user)


def _save_then_go(request, form, save, to=None, message=None):
    """Run the service call `save()`: a message ("Saved.") and a redirect to `to` (else to
    what it returned), or None with the service's errors put next to the form's fields."""
    try:
        saved = save()
    except ValidationError as e:
        add_service_errors(form, e)
        return None
    messages.success(request, message or _("Saved."))
    return redirect(to or saved)


def _form_page(request, form, title, **ctx):
    """The one form page (templates/form_page.html); 400 when the form has errors."""
    ctx = {"form": form, "title": title, **ctx}
    return render(request, "form_page.html", ctx, status=400 if form.errors else 200)


@login_required
def pupil_list(request):
    q = request.GET.get("q", "").strip()[:100]
    grade = request.GET.get("grade", "")
    pupils = selectors.pupil_list(request.user, q=q, grade=int(grade) if grade.isdigit() else None)
    return render(
        request,
        "students/pupil_list.html",
        {
            "pupils": pupils,
            "q": q,
            "grade": grade,
            "can_manage": bool(roles_of(request.user).admin_school_ids),
            # A parent's list leaves out the SEN category: not shown to parents unless shared.
            "compact": not roles_of(request.user).has(
                RoleKind.ASSISTANT, RoleKind.SPECIALIST, RoleKind.SCHOOL_ADMIN
            ),
        },
    )


@login_required
def pupil_detail(request, pupil_id):
    pupil = get_pupil_for_user(request.user, pupil_id)
    if sees_as_parent(request.user, pupil):
        # The parent's card shows only what the school shares (protocols/sharing.py).
        return redirect("protocols:child", pupil_id=pupil.pk)
    services.record_page_view(request, pupil)
    can_manage = pupil.school_id in roles_of(request.user).admin_school_ids
    return render(
        request,
        "students/pupil_detail.html",
        {
            "pupil": pupil,
            "guardians": pupil.guardians.active(),
            "assignments": selectors.pupil_assignments(pupil),
            "can_manage": can_manage,
            "consent": selectors.active_consent(pupil),
            "readers": selectors.pupil_readers(pupil) if can_manage else None,
        },
    )


@login_required
def pupil_new(request):
    school = _admin_school(request.user)
    asked = "create_anyway" in request.POST  # the duplicate question was on the page
    form = StudentForm(request.POST or None, initial={"joined": timezone.localdate()}, ask=asked)
    matches = []
    if request.method == "POST" and form.is_valid():
        try:
            pupil = services.student_create(
                school=school, data=form.cleaned_data,
                allow_duplicate=form.cleaned_data.get("create_anyway", False),
            )  # fmt: skip
        except services.PossibleDuplicate as e:
            matches = e.matches  # ask: the same form, the typed data, and the question
            form = StudentForm(request.POST, ask=True)
            form.is_valid()
            form.add_error(None, e.messages[0])
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect(pupil)
    title = _("New pupil: %(school)s") % {"school": school}  # which school, for admins of several
    return _form_page(request, form, title, cancel_url=reverse("students:list"), duplicates=matches)


@login_required
def pupil_edit(request, pupil_id):
    pupil = get_managed_pupil_for_user(request.user, pupil_id)
    form = StudentForm(request.POST or None, instance=pupil)
    if request.method == "POST" and form.is_valid():
        if done := _save_then_go(
            request, form, lambda: services.student_update(student=pupil, data=form.cleaned_data)
        ):
            return done
    return _form_page(request, form, _("Pupil"), pupil=pupil)


@login_required
@require_POST
def pupil_archive(request, pupil_id):
    pupil = get_managed_pupil_for_user(request.user, pupil_id)
    services.student_archive(student=pupil)
    messages.success(request, _("The pupil's record was archived."))
    return redirect("students:list")


@login_required
def pupil_assign(request, pupil_id):
    pupil = get_managed_pupil_for_user(request.user, pupil_id)
    form = AssignForm(
        request.POST or None, school=pupil.school, initial={"start": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        if done := _save_then_go(
            request,
            form,
            to=pupil,
            save=lambda: services.assignment_assign(
                student=pupil, by=request.user, **form.cleaned_data
            ),
        ):
            return done
    return _form_page(request, form, _("Assign a teaching assistant"), pupil=pupil)


@login_required
def guardian_edit(request, pupil_id, guardian_id=None):
    pupil = get_managed_pupil_for_user(request.user, pupil_id)
    guardian = get_object_or_404(pupil.guardians.active(), pk=guardian_id) if guardian_id else None
    form = GuardianForm(request.POST or None, instance=guardian)
    if request.method == "POST" and form.is_valid():
        services.guardian_save(student=pupil, guardian=guardian, data=form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect(pupil)
    return _form_page(request, form, _("Parent / guardian"), pupil=pupil)


@login_required
def pupil_history(request, pupil_id):
    pupil = get_managed_pupil_for_user(request.user, pupil_id)
    services.record_page_view(request, pupil)
    events = selectors.pupil_history(pupil)
    return render(request, "students/pupil_history.html", {"pupil": pupil, "events": events})


@login_required
def pupil_import(request):
    school = _admin_school(request.user)
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    parsed = preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            parsed = importing.parse_pupils(
                upload.read(), upload.name, encoding=form.cleaned_data["encoding"], school=school
            )
        except importing.PupilFileError as e:
            form.add_error("file", str(e))
        else:
            if parsed.valid:
                preview = importing.preview_save(school=school, by=request.user, parsed=parsed)
    ctx = {"form": form, "parsed": parsed, "preview": preview, "school": school,
           "columns": importing.column_labels()}  # fmt: skip
    return render(request, "students/import.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def pupil_import_confirm(request):
    school_ids = roles_of(request.user).admin_school_ids
    if not school_ids:
        raise Http404
    try:
        done = importing.import_confirm(
            token=request.POST.get("token", ""), by=request.user, school_ids=school_ids,
            create_duplicates=request.POST.get("duplicates") == "create",
        )  # fmt: skip
    except importing.AlreadyImported as e:
        messages.info(
            request,
            _("This file was already imported: %(n)d pupils.") % {"n": e.preview.created},
        )
        return redirect("students:list")
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("students:import")
    message = _("Imported pupils: %(n)d.") % {"n": done.created}
    if done.skipped:
        message += " " + _("Skipped as already in the school: %(n)d.") % {"n": done.skipped}
    messages.success(request, message)
    return redirect("students:list")


@login_required
def year_list(request):
    years = years_managed_by(request.user).select_related("school")
    if not roles_of(request.user).admin_school_ids:
        raise Http404
    return render(request, "students/year_list.html", {"years": years})


@login_required
def year_edit(request, year_id=None):
    year = get_year_for_user(request.user, year_id) if year_id else None
    school = year.school if year else _admin_school(request.user)
    form = AcademicYearForm(request.POST or None, instance=year)
    if request.method == "POST" and form.is_valid():
        if done := _save_then_go(
            request,
            form,
            lambda: services.year_save(school=school, year=year, data=form.cleaned_data),
        ):
            return done
    ctx = {
        "form": form,
        "year": year,
        "holidays": year.holidays.active() if year else [],
        "holiday_form": HolidayForm() if year else None,
    }
    return render(request, "students/year_form.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def holiday_add(request, year_id):
    year = get_year_for_user(request.user, year_id)
    form = HolidayForm(request.POST)
    if form.is_valid():
        if done := _save_then_go(
            request, form, lambda: services.holiday_add(year=year, data=form.cleaned_data), to=year
        ):
            return done
    ctx = {"form": AcademicYearForm(instance=year), "year": year,
           "holidays": year.holidays.active(), "holiday_form": form}  # fmt: skip
    return render(request, "students/year_form.html", ctx, status=400)


@login_required
@require_POST
def holiday_archive(request, year_id, holiday_id):
    year = get_year_for_user(request.user, year_id)
    services.holiday_archive(holiday=get_object_or_404(year.holidays.active(), pk=holiday_id))
    messages.success(request, _("Saved."))
    return redirect(year)


# --- Consent, read log, export (issue #9) -----------------------------------------------------


@login_required
def consent_new(request, pupil_id):
    pupil = get_managed_pupil_for_user(request.user, pupil_id)
    form = ConsentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if done := _save_then_go(
            request,
            form,
            to=pupil,
            message=_("The consent was recorded."),
            save=lambda: services.consent_record(
                student=pupil, by=request.user, data=form.cleaned_data
            ),
        ):
            return done
    ctx = {"form": form, "pupil": pupil, "consents": pupil.consents.all()}
    return render(request, "students/consent_form.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def consent_withdraw(request, pupil_id, consent_id):
    pupil = get_managed_pupil_for_user(request.user, pupil_id)
    consent = get_object_or_404(pupil.consents.filter(withdrawn_at__isnull=True), pk=consent_id)
    services.consent_withdraw(consent=consent)
    messages.success(request, _("The consent was marked as withdrawn."))
    return redirect(pupil)


@login_required
def consent_document(request, pupil_id, consent_id):
    """The scanned consent, only through this access check (never a public media URL)."""
    pupil = get_managed_pupil_for_user(request.user, pupil_id)
    consent = get_object_or_404(pupil.consents.exclude(document=""), pk=consent_id)
    services.record_read(
        user=request.user, pupil=pupil, what=ReadWhat.EXPORT, target=consent.document.name
    )
    response = FileResponse(
        consent.document.open("rb"),
        as_attachment=True,
        filename=f"consent-{pupil.pk}-{consent.pk}{PurePath(consent.document.name).suffix}",
        content_type=content_type_for(consent.document.name),
    )
    return response


def _read_log_filter(request):
    """The read log's filter form for a school administrator (404 for anyone else)."""
    school_ids = roles_of(request.user).admin_school_ids
    if not school_ids:
        raise Http404
    today = timezone.localdate()
    # Without a period asked for: this month so far.
    data = request.GET.copy()
    if not data.get("start") and not data.get("end"):
        data.update({"start": today.replace(day=1).isoformat(), "end": today.isoformat()})
    form = ReadLogFilterForm(data, people=selectors.read_log_people(school_ids))
    return school_ids, form


def _read_log_entries(school_ids, form):
    d = form.cleaned_data
    person = d.get("person")
    return selectors.read_log_for_schools(
        school_ids, d["start"], d["end"], user_id=person.pk if person else None,
        pupil=d.get("pupil") or "",
    )  # fmt: skip


@login_required
def read_log(request):
    """School administrators: who read which pupil's record, as a page — a period, a person,
    pupils by name; 50 rows a page."""
    school_ids, form = _read_log_filter(request)
    page = None
    if form.is_valid():
        page = Paginator(_read_log_entries(school_ids, form), 50).get_page(request.GET.get("page"))
        for e in page:
            e.roles = selectors.role_labels(e.kinds)
            e.page_label = selectors.target_label(e.what, e.target)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "students/read_log.html", ctx, status=400 if form.errors else 200)


@login_required
def read_log_csv(request):
    """The same filtered log as a CSV file."""
    school_ids, form = _read_log_filter(request)
    if not form.is_valid():
        ctx = {"form": form, "page": None, "query": ""}
        return render(request, "students/read_log.html", ctx, status=400)
    d = form.cleaned_data
    rows = (
        (
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.user.full_name if e.user else "",
            e.user.email if e.user else "",
            selectors.role_labels(e.kinds),
            e.pupil_id,
            e.pupil.full_name,
            e.get_what_display(),
            e.target,
        )
        for e in _read_log_entries(school_ids, form).iterator()
    )
    header = [_("When"), _("Who"), _("E-mail"), _("Role"), _("Pupil id"), _("Pupil"), _("What"),
              _("Page or file")]  # fmt: skip
    return csv_response(f"read-log-{d['start']}-{d['end']}.csv", header, rows)


@login_required
@require_POST
def pupil_export(request, pupil_id):
    """Start building everything about one pupil as a ZIP for the parent (school administrators);
    the job page shows its progress."""
    pupil = get_managed_pupil_for_user(request.user, pupil_id)
    job = export.export_request(pupil=pupil, by=request.user, language=get_language())
    return redirect("students:export_job", export_id=job.pk)


# What the archive's page and download say; assistant_portal/jobs.py does the rest.
EXPORT_PAGE = jobs.JobPage[PupilExport](
    owner="pupil",
    title=gettext_lazy("Export all data (ZIP)"),
    counts=gettext_lazy("%(done)s of %(total)s files"),
    download=gettext_lazy("Download ZIP"),
    back=gettext_lazy("Back to the pupil"),
    page_url="students:export_job",
    file_url="students:export_file",
    start_url="students:export",
    back_url="students:pupil",
    file_name=lambda job: f"pupil-{job.pupil_id}-{timezone.localtime(job.finished_at):%Y%m%d}.zip",
    content_type="application/zip",
    slug="export",
    on_download=services.record_download,
)


@login_required
def export_job(request, export_id):
    job = get_export_for_user(request.user, export_id)
    return jobs.progress_response(request, job, page=EXPORT_PAGE)


@login_required
def export_file(request, export_id):
    job = get_export_for_user(request.user, export_id)
    return jobs.file_response(request, job, page=EXPORT_PAGE)
