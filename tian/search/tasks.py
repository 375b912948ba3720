"""Index updates run in the task worker, off the request path (segmentation takes tens of milliseconds)."""

from django_tasks import task

from tian.search.index import index_after_commit


@task()
def reindex(proposal_id: int) -> None:
    index_after_commit(proposal_id)
