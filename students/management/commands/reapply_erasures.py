"""`manage.py reapply_erasures --log <erasures.jsonl> --media-root <folder>`: anonymise again
every pupil the erasure log names who is not anonymised in this database. `restore` runs it
against the restored database; prints the ids it anonymised (JSON) on its last line."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from assistant_portal.security.backup import recorded_erasures


class Command(BaseCommand):
    help = "Re-apply the erasure log to this database (restore runs it)."

    def add_arguments(self, parser):
        parser.add_argument("--log", type=Path, required=True)
        parser.add_argument("--media-root", type=Path, required=True)

    def handle(self, *args, log, media_root, **options):
        # Before any storage is touched: the restored installation's files, not ours.
        settings.MEDIA_ROOT = str(media_root)
        from students.models import Student
        from students.retention import anonymise_pupil

        ids = recorded_erasures(log)
        again = []
        for pupil in Student.objects.filter(pk__in=ids, anonymised_at__isnull=True).order_by("pk"):
            anonymise_pupil(pupil=pupil, record=False)  # already in the log
            again.append(pupil.pk)
        self.stdout.write(json.dumps(again))
