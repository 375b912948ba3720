"""The decorator of every TiAn task: django-tasks' ``task`` on this installation's queue (``settings.TASK_QUEUE``),
which only this installation's worker takes (``manage.py db_worker``, tian/core's). Where several installations
share one database (docs/operations.md, "Several committees in one database"), a task then runs with the settings
of the installation that queued it: the address in a mail's links, the committee whose statistics it computes."""

from django.conf import settings
from django_tasks import task as _task


def task(function=None, **options):
    """``django_tasks.task`` with this installation's queue; used as ``@task()`` or ``@task``."""
    return _task(function, queue_name=settings.TASK_QUEUE, **options)
