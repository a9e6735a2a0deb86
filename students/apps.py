from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Pupils and schools")

    def ready(self):
        from django.core.checks import register

        from assistant_portal.security.checks import retention_settings

        register(retention_settings, "security", deploy=False)

        from assistant_portal import jobs

        from .archive import export_queue
        from .models import PupilExport

        jobs.register(PupilExport, queue=export_queue)
