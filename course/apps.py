from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourseConfig(AppConfig):
    name = "course"
    verbose_name = _("Professional development course")

    def ready(self):
        from assistant_portal import jobs

        from . import certificates
        from .models import CertificateBatch

        jobs.register(
            CertificateBatch, queue=certificates.batch_queue, refresh=certificates.batch_refresh
        )
