"""Background tasks (django-tasks; the database backend's worker is ``manage.py db_worker``)."""

from django_tasks import task

from tian.notifications.services import deliver


@task()
def send_delivery(delivery_id: int) -> str:
    return deliver(delivery_id)
