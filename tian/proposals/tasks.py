"""What follows an event, done by the task worker off the request path: the search index brought up to date
(segmentation takes milliseconds to tens of milliseconds) and the people concerned notified."""

from django_tasks import task


@task()
def after_event(event_id: int, proposal_id: int, notify: bool = True, index: bool = True) -> None:
    from tian.proposals.events import follow_up

    follow_up(event_id, proposal_id, notify=notify, index=index)
