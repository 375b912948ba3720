import json as jsonlib
import time

from django.core.management.base import BaseCommand, CommandError

from tian.organisations.models import Committee
from tian.organisations.selectors import current_committee
from tian.suggest import training


class Command(BaseCommand):
    help = ("Measure the unit suggestions: hold out the newest year, train on the years before, report top-1 and "
            "top-3 accuracy of the lead unit and recall@k of the assisting units, beside a majority-class guess.")

    def add_arguments(self, parser):
        parser.add_argument("--committee", type=int, help="the committee's id (default: the installation's, TIAN_COMMITTEE_ID, else the first)")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, committee=None, as_json=False, **options):
        c = Committee.objects.filter(pk=committee).first() if committee else current_committee()
        if c is None:
            raise CommandError("no such committee")
        started = time.monotonic()
        items = training.examples(c, stdout=self.stdout)
        read = time.monotonic() - started
        result = training.evaluate(items)
        if not result:
            raise CommandError("too little history: at least two years of assigned proposals are needed")
        result["reading_seconds"] = round(read, 1)
        if as_json:
            self.stdout.write(jsonlib.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{c}: trained on {result['trained_on']} proposals before {result['held_out_year']}, "
                          f"tested on {result['model']['proposals']} of {result['held_out_year']} "
                          f"(read in {read:.1f}s, trained in {result['seconds']}s)")
        for name in ("model", "majority"):
            m = result[name]
            self.stdout.write(f"  {name:9} lead top-1 {m['top1']:.3f}  top-3 {m['top3']:.3f}  assisting recall@3 "
                              f"{_f(m['assisting_recall@3'])}  @5 {_f(m['assisting_recall@5'])}")


def _f(value):
    return "-" if value is None else f"{value:.3f}"
