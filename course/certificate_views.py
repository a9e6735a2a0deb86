"""Certificate pages (issue #7): the administrator's list, bulk issue, revoke and reissue, the
PDF downloads, and the public verification (no login, rate-limited). Access helper → service →
response."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from assistant_portal import jobs
from assistant_portal.security.client_ip import client_ip
from grading.display import BLOCKING_LABELS

from . import certificates as svc
from .access import (
    get_certificate_batch_for_admin,
    get_certificate_for_admin,
    get_certificate_for_user,
    get_cohort_for_admin,
    get_enrolment_for_admin,
)
from .forms import RevokeForm
from .gradebook import certificate_rows
from .models import Certificate, CertificateBatch
from .selectors import latest_batch

# --- The administrator's pages ------------------------------------------------------------


@login_required
def cohort_certificates(request, cohort_id):
    cohort = get_cohort_for_admin(request.user, cohort_id)
    rows = certificate_rows(cohort)
    return render(
        request,
        "course/certificates/cohort.html",
        {"cohort": cohort, "rows": rows, "revoke_form": RevokeForm(),
         "revoke_categories": Certificate.RevokeCategory.choices,
         "eligible": sum(1 for r in rows if r["st"].eligible),
         "batch": latest_batch(cohort)},
    )  # fmt: skip


@login_required
@require_POST
def certificate_issue(request, enrolment_id):
    enrolment = get_enrolment_for_admin(request.user, enrolment_id)
    try:
        cert, created = svc.certificate_issue(enrolment=enrolment, by=request.user)
    except svc.NotEligible as e:
        messages.error(request, _("Not eligible: %(why)s") % {"why": BLOCKING_LABELS[e.blocking]})
    else:
        if created:
            messages.success(request, _("Certificate %(serial)s issued.") % {"serial": cert.serial})
        else:
            messages.info(request, _("The listener already has a valid certificate."))
    return redirect("course:certificates", cohort_id=enrolment.cohort_id)


@login_required
@require_POST
def certificate_revoke(request, certificate_id):
    cert = get_certificate_for_admin(request.user, certificate_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            svc.certificate_revoke(
                certificate=cert, by=request.user, category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as e:
            form.add_error(None, e.messages)
    if not form.is_valid():
        cohort = cert.enrolment.cohort
        return render(
            request,
            "course/certificates/cohort.html",
            {"cohort": cohort, "rows": certificate_rows(cohort), "revoke_form": form,
             "revoke_id": cert.pk, "revoke_categories": Certificate.RevokeCategory.choices,
             "eligible": None, "batch": None},
            status=400,
        )  # fmt: skip
    messages.success(request, _("Certificate %(serial)s revoked.") % {"serial": cert.serial})
    return redirect("course:certificates", cohort_id=cert.enrolment.cohort_id)


@login_required
@require_POST
def certificate_reissue(request, certificate_id):
    cert = get_certificate_for_admin(request.user, certificate_id)
    try:
        new = svc.certificate_reissue(certificate=cert, by=request.user)
    except svc.NotEligible as e:
        messages.error(request, _("Not eligible: %(why)s") % {"why": BLOCKING_LABELS[e.blocking]})
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Certificate %(serial)s reissued.") % {"serial": new.serial})
    return redirect("course:certificates", cohort_id=cert.enrolment.cohort_id)


@login_required
@require_POST
def batch_start(request, cohort_id):
    cohort = get_cohort_for_admin(request.user, cohort_id)
    batch = svc.batch_start(cohort=cohort, by=request.user)
    return redirect("course:certificate_batch", batch_id=batch.pk)


def _skipped(batch: CertificateBatch) -> str:
    n = batch.skipped
    if not n:
        return ""
    return ngettext(
        "%(n)s listener is no longer eligible and was skipped.",
        "%(n)s listeners are no longer eligible and were skipped.",
        n,
    ) % {"n": n}


# What the bulk issue's page and download say; assistant_portal/jobs.py does the rest.
BATCH_PAGE = jobs.JobPage[CertificateBatch](
    owner="cohort",
    title=gettext_lazy("Bulk issue"),
    heading=gettext_lazy("Bulk issue of certificates"),
    counts=gettext_lazy("%(done)s of %(total)s certificates"),
    download=gettext_lazy("Download all PDFs (ZIP)"),
    back=gettext_lazy("Back to the certificates"),
    page_url="course:certificate_batch",
    file_url="course:certificate_batch_zip",
    start_url="course:certificate_batch_start",
    back_url="course:certificates",
    file_name=lambda batch: f"certificates-{batch.cohort_id}.zip",
    content_type="application/zip",
    slug="batch",
    note=_skipped,
)


@login_required
def batch_page(request, batch_id):
    batch = get_certificate_batch_for_admin(request.user, batch_id)
    return jobs.progress_response(request, batch, page=BATCH_PAGE)


@login_required
def batch_zip(request, batch_id):
    batch = get_certificate_batch_for_admin(request.user, batch_id)
    return jobs.file_response(request, batch, page=BATCH_PAGE)


@login_required
def certificate_pdf(request, certificate_id):
    """The administrator's or the listener's own download."""
    cert = get_certificate_for_user(request.user, certificate_id)
    return _pdf_response(cert)


def _pdf_response(cert):
    if not cert.pdf:  # between the row and its PDF (a moment, or until a crashed issue reruns)
        raise Http404
    return FileResponse(
        cert.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=f"certificate-{cert.serial}.pdf",
    )


# --- Public verification ------------------------------------------------------------------


def rate_limited(view):
    """At most CERTIFICATE_VERIFY_RATE requests a minute per client address (Django's cache)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limit = settings.CERTIFICATE_VERIFY_RATE
        minute = int(timezone.now().timestamp() // 60)
        key = f"cert-verify:{client_ip(request)}:{minute}"
        cache.add(key, 0, timeout=90)
        if cache.incr(key) > limit:
            message = _("Too many checks from your address. Please wait a minute.")
            if view.__name__ == "verify_json":
                return _noindex(JsonResponse({"error": message}, status=429))
            return _noindex(render(request, "course/certificates/verify.html",
                                   {"throttled": message}, status=429))  # fmt: skip
        return _noindex(view(request, *args, **kwargs))

    return wrapper


def _noindex(response):
    """Verify pages name people: search engines must not keep them (issue #14 item 10)."""
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    return response


@rate_limited
def verify_form(request):
    """The typed-in code: redirects to the code's page (which normalises it)."""
    raw = request.GET.get("code", "")
    if raw:
        code = svc.normalise_code(raw)
        if code:
            return redirect("course:verify", code=code)
        return render(request, "course/certificates/verify.html",
                      {"not_found": True, "typed": raw}, status=404)  # fmt: skip
    return render(request, "course/certificates/verify.html", {})


@rate_limited
def verify(request, code):
    found = svc.verify(code)
    if found is None:
        return _noindex(render(request, "course/certificates/verify.html",
                               {"not_found": True, "typed": code}, status=404))  # fmt: skip
    return _noindex(render(request, "course/certificates/verify.html",
                           {"c": found.certificate, "current": found.current,
                            "code": svc.group_code(found.certificate.code)}))  # fmt: skip


@rate_limited
def verify_json(request, code):
    found = svc.verify(code)
    if found is None:
        return _noindex(JsonResponse({"status": "not_found"}, status=404))
    c = found.certificate
    data = {
        "status": c.status,
        "serial": c.serial,
        "code": c.code,
        "name": c.listener_name,
        "course": {"kk": c.course_title_kk, "ru": c.course_title_ru},
        "hours": c.hours,
        "final_grade": str(c.final),
        "letter": c.letter,
        "issued_on": c.issued_on.isoformat(),
        "pdf": request.build_absolute_uri(reverse("course:verify_pdf", args=[c.code])),
    }
    if c.status == Certificate.Status.REVOKED:
        # A date and a category; never the staff's typed reason (issue #14 item 10).
        data["revoked_on"] = timezone.localdate(c.revoked_at).isoformat()
        data["revoke_category"] = c.revoke_category or Certificate.RevokeCategory.OTHER
    if found.current is not None:
        data["superseded_on"] = timezone.localdate(c.superseded_at).isoformat()
        data["current"] = request.build_absolute_uri(
            reverse("course:verify_json", args=[found.current.code])
        )
    return _noindex(JsonResponse(data))


@rate_limited
def verify_pdf(request, code):
    """The stored PDF, to compare with a copy; not for a revoked or superseded certificate."""
    found = svc.verify(code)
    if found is None:
        return render(request, "course/certificates/verify.html",
                      {"not_found": True, "typed": code}, status=404)  # fmt: skip
    if found.certificate.status != Certificate.Status.VALID:
        return _noindex(redirect("course:verify", code=found.certificate.code))
    return _noindex(_pdf_response(found.certificate))
