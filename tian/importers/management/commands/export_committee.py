from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tian.importers.transfer import TransferError, dumps, export_committee
from tian.organisations.models import Committee


class Command(BaseCommand):
    help = "Export a whole committee (people, organisations, proposals and their history) as one JSON file."

    def add_arguments(self, parser):
        parser.add_argument("out", help="the JSON file to write")
        parser.add_argument("--committee", help="committee name (default: TIAN_COMMITTEE_ID's, else the only one)")

    def handle(self, *args, out, committee, **options):
        if committee:
            qs = Committee.objects.filter(name=committee)
        elif settings.TIAN_COMMITTEE_ID:  # the installation's own committee, where the database holds several
            qs = Committee.objects.filter(pk=settings.TIAN_COMMITTEE_ID)
        else:
            qs = Committee.objects.all()
        if qs.count() != 1:
            raise CommandError("name the committee with --committee" if qs.exists() else "no such committee")
        try:
            text = dumps(export_committee(qs.get()))
        except TransferError as e:
            raise CommandError(str(e)) from e
        try:
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            raise CommandError(f"{out}: {e.strerror or e}") from e
        self.stdout.write(f"exported {qs.get().name} to {out}")
