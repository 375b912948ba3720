from django.core.management.base import BaseCommand, CommandError

from tian.importers.transfer import dumps, export_committee
from tian.organisations.models import Committee


class Command(BaseCommand):
    help = "Export a whole committee (people, organisations, proposals and their history) as one JSON file."

    def add_arguments(self, parser):
        parser.add_argument("out", help="the JSON file to write")
        parser.add_argument("--committee", help="committee name (default: the only one)")

    def handle(self, *args, out, committee, **options):
        qs = Committee.objects.filter(name=committee) if committee else Committee.objects.all()
        if qs.count() != 1:
            raise CommandError("name the committee with --committee" if qs.exists() else "no such committee")
        text = dumps(export_committee(qs.get()))
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        self.stdout.write(f"exported {qs.get().name} to {out}")
