from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from assistant_portal.history import install_linear_history_functions


class AccountsConfig(AppConfig):
    name = "assistant_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Connects the session clock's user_logged_in receiver at start-up, not at the first
        # request: a sign-in before any request (force_login in tests) would otherwise leave
        # the clock to the first page, which then pays a session UPDATE.
        from assistant_portal.security import middleware  # noqa: F401

        # After every migrate (which re-creates pgtrigger's helper), the history triggers'
        # helpers that stay linear on bulk writes (assistant_portal/history.py).
        post_migrate.connect(install_linear_history_functions, sender=self)

        # Each feature that shows something on the home page registers a provider in its own
        # `home.py` (e.g. protocols/home.py); accounts never imports a feature by name.
        autodiscover_modules("home")
