"""`manage.py restore <dump> [--media <tar> [--media-root <folder>] [--replace-media]]
--database <name or postgres:// URL>`: into an existing empty database (create it first:
`createdb <name>`). The uploads go to the target's own folder, never over live files unless
asked; erasures recorded since the backup are applied again; then ANALYZE."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assistant_portal.security.backup import BackupError, Target, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path)
        parser.add_argument("--media", type=Path, help="media-<stamp>.tar.gz to unpack")
        parser.add_argument(
            "--media-root",
            type=Path,
            help="the restored installation's MEDIA_ROOT (required unless --database is this "
            "installation's own database)",
        )
        parser.add_argument(
            "--replace-media",
            action="store_true",
            help="the media folder already holds files: move them aside and unpack",
        )
        parser.add_argument(
            "--database",
            required=True,
            help="name of the empty database on the configured server, or its postgres:// URL",
        )

    def handle(
        self, *args, dump, media=None, media_root=None, replace_media=False, database, **options
    ):
        if not dump.exists():
            raise CommandError(f"{dump} does not exist")
        target = Target.parse(database)
        try:
            erased = restore(
                dump=dump,
                media=media,
                target=target,
                media_root=media_root,
                replace_media=replace_media,
            )
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"Restored {dump} into {target.name}.")  # never the URL's password
        if erased:
            self.stdout.write(f"Anonymised again (erasure log): pupils {erased}.")
