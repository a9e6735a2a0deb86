"""`manage.py restore <dump> [--media <tar>] --database <name or postgres:// URL>`: into an
existing empty database (create it first: `createdb <name>`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assistant_portal.security.backup import BackupError, Target, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path)
        parser.add_argument("--media", type=Path, help="media-<stamp>.tar.gz to unpack")
        parser.add_argument(
            "--database",
            required=True,
            help="name of the empty database on the configured server, or its postgres:// URL",
        )

    def handle(self, *args, dump, media=None, database, **options):
        if not dump.exists():
            raise CommandError(f"{dump} does not exist")
        target = Target.parse(database)
        try:
            restore(dump=dump, media=media, target=target)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"Restored {dump} into {target.name}.")  # never the URL's password
