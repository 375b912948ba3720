"""Training off the request path: the rules page's "retrain" button queues this task for the worker (the cron line
of docs/suggestions.md runs ``train_unit_model`` on a schedule)."""

from tian.accounts.models import User
from tian.core.tasks import task
from tian.organisations.models import Committee
from tian.suggest.services import unit_model_train


@task()
def train_unit_model(committee_id: int, user_id: int | None = None) -> int | None:
    committee = Committee.objects.filter(pk=committee_id).first()
    if committee is None:
        return None
    model = unit_model_train(committee=committee, by=User.objects.filter(pk=user_id).first() if user_id else None)
    return model.version if model else None
