import json

from django.core.management.base import BaseCommand, CommandError

from tian.importers.transfer import TransferError, import_committee
from tian.search.index import rebuild


class Command(BaseCommand):
    help = "Import a committee exported by export_committee into this installation (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the JSON file written by export_committee")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise CommandError(f"{path}: {e}") from e
        try:
            counts = import_committee(data)
        except TransferError as e:
            raise CommandError(str(e)) from e
        rebuild()
        self.stdout.write("imported: " + ", ".join(f"{label} {n}" for label, n in counts.items() if n))
