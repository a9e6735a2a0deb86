import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

# By name, in this order (each builds on the ones before): accounts, the base layer, imports
# no feature app.
DEMO_MODULES = [
    "students.demo",
    "protocols.demo",
    "course.demo",
    "assistant_portal.oversight.demo",
]


class Command(BaseCommand):
    help = _("Load demo data (idempotent) and print the demo logins.")

    def handle(self, *args, **options):
        ctx: dict = {"logins": []}
        with transaction.atomic():
            for name in DEMO_MODULES:
                importlib.import_module(name).load(ctx)
        from students.demo import PASSWORD

        self.stdout.write(self.style.SUCCESS(_("Demo logins (password: %s)") % PASSWORD))
        for role, email in ctx["logins"]:
            self.stdout.write(f"  {role:32} {email}")
