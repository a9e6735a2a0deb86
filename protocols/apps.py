from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtocolsConfig(AppConfig):
    name = "protocols"
    verbose_name = _("Protocols")

    def ready(self):
        from students.retention import ANONYMISERS

        from .review import anonymise_review

        # The review's free text about a pupil goes with the pupil's record (SPEC §7).
        if anonymise_review not in ANONYMISERS:
            ANONYMISERS.append(anonymise_review)
