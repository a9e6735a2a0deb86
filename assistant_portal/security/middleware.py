"""Session timeouts and the required second factor, checked before any view runs."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from assistant_portal.accounts.models import RoleKind
from assistant_portal.accounts.roles import roles_of

from . import sessions


@receiver(user_logged_in)
def _start_session_clock(sender, request, user, **kwargs):
    # The clock starts at sign-in (also force_login in tests), so no page pays for it later.
    if request is not None and hasattr(request, "session"):
        sessions.start(request.session)


def _is_background(request) -> bool:
    """Polling declares itself (`X-Background: 1`) and must not keep an idle session alive."""
    return request.headers.get("X-Background") == "1"


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without activity or SESSION_ABSOLUTE_SECONDS
    after sign-in, whichever is first; the cookie's age alone would trust the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            if sessions.STARTED not in session:  # a session from before this middleware
                sessions.start(session)
            if sessions.seconds_left(session) <= 0:
                return self._expired(request)
            if not _is_background(request):
                sessions.touch(session)
            request.session_seconds_left = sessions.seconds_left(session)
        response = self.get_response(request)
        if hasattr(request, "session_seconds_left") and request.user.is_authenticated:
            response["X-Session-Seconds-Left"] = str(sessions.seconds_left(request.session))
        return response

    def _expired(self, request):
        path = request.get_full_path()
        logout(request)
        messages.info(
            request, _("Your session ended after a period of inactivity. Please sign in again.")
        )
        login_url = redirect(settings.LOGIN_URL).url
        if request.headers.get("HX-Request"):
            # htmx follows HX-Redirect with a full page load; a 302 would be swapped in place.
            response = HttpResponse(status=401)
            response["HX-Redirect"] = login_url
            return response
        return redirect(f"{login_url}?{urlencode({'next': path})}")


# Pages an administrator may open before passing the second factor.
TWO_FACTOR_EXEMPT = {
    "security:otp_setup",
    "security:otp_verify",
    "security:keep_alive",
    "accounts:logout",
    "accounts:set_language",
    "privacy",
}


def must_use_second_factor(user) -> bool:
    """Administrators of a school or training organisation that requires a second factor."""
    return any(
        (r.kind == RoleKind.SCHOOL_ADMIN and r.school is not None and r.school.require_admin_2fa)
        or (
            r.kind == RoleKind.COURSE_ADMIN
            and r.organisation is not None
            and r.organisation.require_admin_2fa
        )
        for r in roles_of(user).roles
    )


class RequireTwoFactorMiddleware:
    """Sends admins of schools and training organisations with `require_admin_2fa` to set up or
    enter a TOTP code first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and must_use_second_factor(user)
            and self._url_name(request) not in TWO_FACTOR_EXEMPT
        ):
            from django_otp import devices_for_user

            has_device = any(True for _d in devices_for_user(user, confirmed=True))
            target = "security:otp_verify" if has_device else "security:otp_setup"
            return redirect(
                f"{redirect(target).url}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)

    @staticmethod
    def _url_name(request) -> str | None:
        try:
            return resolve(request.path_info).view_name
        except Resolver404:
            return None
