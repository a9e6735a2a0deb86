from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtocolsConfig(AppConfig):
    name = "protocols"
    verbose_name = _("Protocols")

    def ready(self):
        # The protocols' part of a pupil's retention and archive (issue #9 item 4); the review's
        # free text about a pupil goes with the pupil's record too (SPEC §7).
        from assistant_portal import jobs
        from students import export, retention

        from . import privacy, services
        from .models import DossierJob
        from .review.services import anonymise_review

        for hooks, fn in (
            (retention.ANONYMISERS, privacy.anonymise_protocols),
            (retention.ANONYMISERS, anonymise_review),
            (retention.PREVIEWS, privacy.protocols_preview),
            (export.EXTRA_FILES, privacy.protocol_files),
        ):
            if fn not in hooks:  # ready() may run twice in tests
                hooks.append(fn)
        jobs.register(DossierJob, queue=services.dossier_queue)
