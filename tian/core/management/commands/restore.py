from django.core.management.base import BaseCommand, CommandError

from tian.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup` (replaces the database and the uploaded files)."

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        try:
            manifest = restore(archive)
        except (BackupError, OSError) as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"restored the {manifest['engine']} backup of {manifest['created']}")
