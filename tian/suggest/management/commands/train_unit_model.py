from django.core.management.base import BaseCommand, CommandError

from tian.organisations.models import Committee
from tian.suggest.services import unit_model_train


class Command(BaseCommand):
    help = ("Learn the unit suggestions of a committee (every committee without --committee) from its assigned "
            "proposals and save them as a new model version. Run it on a schedule (docs/suggestions.md).")

    def add_arguments(self, parser):
        parser.add_argument("--committee", type=int, help="the committee's id")
        parser.add_argument("--no-evaluate", action="store_true",
                            help="skip the held-out measurement (the newest year) stored with the model")

    def handle(self, *args, committee=None, no_evaluate=False, **options):
        committees = Committee.objects.filter(pk=committee) if committee else Committee.objects.all()
        if committee and not committees.exists():
            raise CommandError(f"no committee {committee}")
        for c in committees.order_by("pk"):
            model = unit_model_train(committee=c, evaluate=not no_evaluate, stdout=self.stdout)
            if model is None:
                self.stdout.write(f"{c.pk} {c}: too little history, its rules suggest")
            else:
                timing = model.metrics.get("timing", {})
                self.stdout.write(f"{c.pk} {c}: version {model.version} from {model.trained_from} proposals "
                                  f"({model.first_date} to {model.last_date}) in {timing.get('total')}s "
                                  f"(reading {timing.get('reading')}s, held-out evaluation "
                                  f"{timing.get('evaluating')}s, fitting {timing.get('fitting')}s); "
                                  f"held out: {model.metrics.get('model') or '-'}")
