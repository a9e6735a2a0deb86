"""The К sheet pages: a week's thread, a new entry, a reply.
Access helper → service/selector → response."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistant_portal.forms import add_service_errors
from students.access import get_pupil_for_user
from students.services import record_page_view

from . import annexes, communication
from .access import annex_visible, get_sheet_for_writer, sheet_side
from .annexes.k_communication_sheet import NewEntryForm, ReplyForm
from .models import AnnexCode, Protocol


def _week_or_404(pupil, window_key):
    try:
        return communication.week_window(pupil, window_key, today=timezone.localdate())
    except ValidationError:
        raise Http404 from None


def _page(request, pupil, window_key, *, form=None, reply=None, status=200):
    """The week's sheet: every entry once, the new-entry form and the reply boxes."""
    year, window = _week_or_404(pupil, window_key)
    side = sheet_side(request.user, pupil)
    current = Protocol.objects.filter(
        student=pupil, year=year, annex=AnnexCode.K, window_key=window_key, archived_at=None
    ).first()
    seen = communication.seen_at(current, request.user)
    ctx = {
        "pupil": pupil,
        "annex": annexes.get(AnnexCode.K),
        "window": window,
        "protocol": current,
        "side": side,
        "entries": communication.sheet_entries(current, request.user, side, seen),
        "form": form or NewEntryForm(),
        "reply": reply,  # a refused reply: its entry, text and errors
    }
    if request.method == "GET":
        record_page_view(request, pupil)
        if current is not None:
            # Like the read log: opening the sheet is what makes its entries read.
            communication.sheet_mark_read(sheet=current, user=request.user)
    return render(request, "protocols/sheet.html", ctx, status=status)


@login_required
def sheet(request, pupil_id, window_key):
    pupil = get_pupil_for_user(request.user, pupil_id)
    if not annex_visible(request.user, pupil, AnnexCode.K):
        raise Http404
    if request.method != "POST":
        return _page(request, pupil, window_key)
    _week_or_404(pupil, window_key)
    if sheet_side(request.user, pupil) is None:
        raise Http404
    form = NewEntryForm(request.POST)
    if form.is_valid():
        try:
            communication.sheet_entry_add(
                pupil=pupil, window_key=window_key, by=request.user, **form.cleaned_data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Your entry is on the sheet; the other side is told."))
            return redirect("protocols:sheet", pupil_id=pupil.pk, window_key=window_key)
    return _page(request, pupil, window_key, form=form, status=400)


@login_required
@require_POST
def reply(request, protocol_id):
    protocol = get_sheet_for_writer(request.user, protocol_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            communication.sheet_reply(
                sheet=protocol,
                by=request.user,
                entry=form.cleaned_data["entry"],
                text=form.cleaned_data["reply"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Your reply is on the sheet; the other side is told."))
            return redirect(protocol)
    refused = {
        "entry": request.POST.get("entry", ""),
        "text": request.POST.get("reply", ""),
        "errors": [m for errs in form.errors.values() for m in errs],
    }
    return _page(request, protocol.student, protocol.window_key, reply=refused, status=400)
