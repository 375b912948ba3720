from django.core.management.base import BaseCommand, CommandError

from tian.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into DIR as tian-YYYYmmdd-HHMMSS.tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        try:
            archive = backup(directory)
        except BackupError as e:
            raise CommandError(str(e)) from e
        except OSError as e:  # the folder cannot be made or written (a file of that name, no permission, disk full)
            raise CommandError(f"{directory}: {e.strerror or e}") from e
        self.stdout.write(str(archive))
