from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "assistant_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Connects the session clock's user_logged_in receiver at start-up, not at the first
        # request: a sign-in before any request (force_login in tests) would otherwise leave
        # the clock to the first page, which then pays a session UPDATE.
        from assistant_portal.security import middleware  # noqa: F401
