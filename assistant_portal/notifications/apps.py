from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "assistant_portal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Each app that has something to say in the weekly digest registers a provider in
        # its own `digest.py` (e.g. protocols/digest.py); this app never imports them by name.
        autodiscover_modules("digest")

        from students.retention import ANONYMISERS

        from .privacy import anonymise_notifications

        if anonymise_notifications not in ANONYMISERS:  # ready() may run twice in tests
            ANONYMISERS.append(anonymise_notifications)
