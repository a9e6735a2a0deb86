"""Anonymise pupils who left more than RETENTION_YEARS ago (see students/retention.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from students.retention import PREVIEWS, anonymise_departed, cutoff, due_for_anonymisation


class Command(BaseCommand):
    help = "Anonymise the records of pupils who left more than RETENTION_YEARS ago."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would change; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        before = cutoff()
        self.stdout.write(f"Retention {settings.RETENTION_YEARS} years: left before {before}.")
        if dry_run:
            # ids and dates only: the list may end up in a log file
            for pupil in due_for_anonymisation().select_related("school").order_by("pk"):
                self.stdout.write(
                    f"would anonymise pupil #{pupil.pk} (school #{pupil.school_id}, "
                    f"left {pupil.left or pupil.archived_at.date()}): names, IIN, birth day, "
                    f"guardians' names and contacts, PMPC text, consents, history, read log"
                )
                for preview in PREVIEWS:
                    self.stdout.write(f"  pupil #{pupil.pk}: {preview(pupil)}")
            self.stdout.write("Dry run: nothing changed.")
            return
        done = anonymise_departed()
        for result in done:
            self.stdout.write(f"anonymised pupil #{result.pupil_id}: {result.changed}")
        self.stdout.write(f"Anonymised {len(done)} pupil(s).")
