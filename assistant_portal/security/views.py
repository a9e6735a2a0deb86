"""Privacy notice, session keep-alive and the TOTP second factor."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from . import services, sessions
from .forms import TokenForm


def privacy_notice(request):
    return render(request, "security/privacy.html", {"retention_years": settings.RETENTION_YEARS})


@login_required
@require_POST
def keep_alive(request):
    """ "Stay signed in": counts as activity (the middleware has checked the session is alive)."""
    sessions.touch(request.session, force=True)
    return JsonResponse({"seconds_left": sessions.seconds_left(request.session)})


def _next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return redirect("home").url


def _qr_data_uri(text: str) -> str:
    import segno

    # An SVG data: URI (with its XML namespace, or browsers refuse it as an image) — the CSP
    # allows data: images, and the key never leaves the server for a QR service.
    return segno.make(text, error="m").svg_data_uri(scale=4)


@login_required
def otp_setup(request):
    """Enrol an authenticator app: show the key as a QR code, confirm with one code."""
    # Someone who already has a device must prove it first; otherwise the password alone
    # would be enough to enrol a new device and skip the second factor.
    if not request.user.is_verified() and any(devices_for_user(request.user, confirmed=True)):
        return redirect(
            f"{redirect('security:otp_verify').url}?{urlencode({'next': _next(request)})}"
        )
    device = services.otp_device_pending(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_device_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("The second factor is on."))
            return redirect(_next(request))
        form.add_error("token", _("The code is not right. Try the current one."))
    ctx = {
        "form": form,
        "qr": _qr_data_uri(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode(),
        "next": _next(request),
    }
    return render(request, "security/otp_setup.html", ctx, status=400 if form.errors else 200)


@login_required
def otp_verify(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("The code is not right. Try the current one."))
    ctx = {"form": form, "next": _next(request)}
    return render(request, "security/otp_verify.html", ctx, status=400 if form.errors else 200)
