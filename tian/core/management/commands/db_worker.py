"""django-tasks' ``db_worker``, taking this installation's queue (``settings.TASK_QUEUE``) unless ``--queue-name``
names others: where installations share a database, each worker runs its own installation's tasks only."""

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker


class Command(DatabaseWorker):
    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name=settings.TASK_QUEUE)
