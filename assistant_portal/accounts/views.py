import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from assistant_portal.security.client_ip import client_ip
from assistant_portal.security.ratelimit import over_limit

from . import services
from .forms import EmailAuthenticationForm
from .home import home_context
from .places import place_choose
from .roles import roles_of

logger = logging.getLogger(__name__)


def _remember_language(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The user's saved language follows them to any browser.
        return _remember_language(response, form.get_user().language)


@require_POST
def set_language(request):
    """Django's switcher, plus the choice saved on the user's account."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        services.language_save(user=request.user, language=language)
    return response


@login_required
def home(request):
    """The role-aware home page: what each role needs first, from the features' providers."""
    roles = roles_of(request.user)
    ctx = home_context(user=request.user, roles=roles, today=timezone.localdate())
    return render(request, "home.html", {"roles": roles, **ctx})


# The three password forms share the one form page (templates/form_page.html).
password_change = auth_views.PasswordChangeView.as_view(
    template_name="form_page.html",
    extra_context={
        "narrow": True,
        "title": _("Change password"),
        "next_link": {
            "url": reverse_lazy("security:otp_setup"),
            "label": _("Set up the second factor"),
        },
    },
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)


class _PasswordResetView(auth_views.PasswordResetView):
    """The page says the same whether or not the address exists, and whether or not an e-mail
    went out: at most PASSWORD_RESET_PER_ADDRESS e-mails an hour to one address and
    PASSWORD_RESET_PER_CLIENT requests an hour from one client (issue #14 item 9)."""

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        hour = 3600
        by_client = over_limit(
            "reset-client",
            client_ip(self.request) or "",
            limit=settings.PASSWORD_RESET_PER_CLIENT,
            seconds=hour,
        )
        by_address = over_limit(
            "reset-address", address, limit=settings.PASSWORD_RESET_PER_ADDRESS, seconds=hour
        )
        if by_client or by_address:
            logger.warning(
                "password reset not sent: limit reached (%s)", "client" if by_client else "address"
            )
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


password_reset = _PasswordResetView.as_view(
    template_name="form_page.html",
    extra_context={"narrow": True, "title": _("Reset password")},
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)


class _PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def get_context_data(self, **kwargs):
        # Django retitles an expired link "Password reset unsuccessful" (no Kazakh for it in
        # Django): keep our own title; the page says the link has expired.
        return {**super().get_context_data(**kwargs), **self.extra_context}


password_reset_confirm = _PasswordResetConfirmView.as_view(
    template_name="form_page.html",
    extra_context={"narrow": True, "title": _("Set a new password")},
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
logout = auth_views.LogoutView.as_view()


@login_required
@require_POST
def choose_place(request):
    """The navbar's switcher: remember which school / organisation the administrator works in,
    then go back to the page they were on."""
    ids = {}
    for field in ("school", "organisation"):
        raw = request.POST.get(field, "")
        if raw:
            if not raw.isdigit():
                raise Http404
            ids[f"{field}_id"] = int(raw)
    try:
        place_choose(user=request.user, **ids)
    except ValidationError:
        raise Http404 from None  # not theirs: as if it did not exist
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return HttpResponseRedirect(target)
