"""Writing the event row that every change of a proposal leaves behind."""

from django.utils import timezone

from tian.proposals.models import Event, Proposal


def record(proposal: Proposal, actor, action: str, *, from_state: str = "", to_state: str = "", note: str = "",
           at=None, **data) -> Event:
    return Event.objects.create(
        proposal=proposal, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_state=from_state, to_state=to_state or from_state, note=note, at=at or timezone.now(), data=data,
    )
