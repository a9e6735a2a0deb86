"""`manage.py backup`: database dump plus private uploads into BACKUP_DIR, with rotation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assistant_portal.security.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) and the private uploads."

    def add_arguments(self, parser):
        parser.add_argument("--dest", type=Path, help="folder (default: BACKUP_DIR)")

    def handle(self, *args, dest=None, **options):
        try:
            dump, media = backup(dest=dest)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"{dump}\n{media}")
