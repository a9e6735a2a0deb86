"""Sharing with parents: the sharer's page, withdrawing, and the parent's
card of their child with what is shared. Access helper → service/selector → response."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistant_portal.accounts.roles import roles_of
from assistant_portal.forms import add_service_errors
from students.services import record_page_view

from . import annexes, communication, printing, sharing
from .access import (
    get_child_for_parent,
    get_pupil_for_sharer,
    get_share_for_sharer,
    get_shared_version_for_user,
)
from .models import Protocol
from .sharing_forms import ShareForm


def _form(request, pupil, data=None):
    return ShareForm(
        data,
        guardians=pupil.guardians.active(),
        versions=sharing.shareable_versions(pupil),
        may_share_annex=pupil.school_id in roles_of(request.user).admin_school_ids,
    )


@login_required
def shares(request, pupil_id):
    pupil = get_pupil_for_sharer(request.user, pupil_id)
    form = _form(request, pupil, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sharing.share_create(by=request.user, **form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Shared."))
                return redirect("protocols:shares", pupil_id=pupil.pk)
        status = 400
    ctx = {"pupil": pupil, "form": form, "shares": sharing.shares_of(pupil)}
    return render(request, "protocols/sharing.html", ctx, status=status)


@login_required
@require_POST
def share_withdraw(request, share_id):
    share = get_share_for_sharer(request.user, share_id)
    sharing.share_withdraw(share=share, by=request.user)
    messages.success(request, _("Withdrawn: the parent no longer sees it."))
    return redirect("protocols:shares", pupil_id=share.guardian.student_id)


@login_required
def child(request, pupil_id):
    """The parent's card of their child: the basics and exactly what is shared with them."""
    pupil = get_child_for_parent(request.user, pupil_id)
    card = sharing.parent_card(request.user, pupil)
    (sheets,) = communication.parent_sheets(request.user, [pupil], today=timezone.localdate())
    record_page_view(request, pupil)
    return render(request, "protocols/child.html", {"card": card, "child_sheets": [sheets]})


@login_required
def shared_version(request, version_id):
    version = get_shared_version_for_user(request.user, version_id)
    protocol = version.protocol
    # The frozen copy, laid out as the print lays out the protocol.
    frozen = Protocol(annex=protocol.annex, data=version.data, student=protocol.student)
    record_page_view(request, protocol.student)
    ctx = {
        "version": version,
        "protocol": protocol,
        "pupil": protocol.student,
        "annex": annexes.get(protocol.annex),
        "content": printing.protocol_content(frozen),
    }
    return render(request, "protocols/shared_version.html", ctx)
