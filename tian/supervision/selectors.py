"""What supervisors and lead officials follow: replies awaiting review, the proposals they are responsible for."""

from django.db.models import Q
from django.utils.translation import gettext as _

from tian.handling.models import Reply
from tian.proposals.models import Proposal
from tian.supervision.models import SupervisionReview


def review_passed(reply: Reply) -> bool:
    """Whether a supervising office approved the reply (a review that returned it is not a pass). Reads the reply's
    ``reviews`` (prefetch them in lists)."""
    return any(review.decision == SupervisionReview.Decision.APPROVED for review in reply.reviews.all())


def review_text(reply: Reply) -> str:
    """What a page says of the reply's supervision review (督办审核), the proposal page and the portal alike: a
    released reply passed or needed none, a returned one was sent back, any other is not yet reviewed."""
    if reply.is_released:
        return _("Review passed") if review_passed(reply) else _("No supervision review needed")
    if reply.status == Reply.Status.RETURNED:
        return _("Returned")
    return _("Not yet reviewed by supervision")


def awaiting_review(user):
    return (Reply.objects.filter(status=Reply.Status.SUPERVISION, proposal__supervising_offices=user.acting_office_id or 0)
            .select_related("proposal", "unit", "assignment").order_by("submitted_at"))


def followed_proposals(user):
    """What a lead official or a supervising office answers for on their page: every proposal the official leads
    (牵头领导), key or not, and the key proposals the office supervises (its replies to review have their own
    queue)."""
    condition = Q(pk__in=[])
    if user.acting_lead_official_id:
        condition |= Q(lead_officials=user.acting_lead_official_id)
    if user.acting_office_id:
        condition |= Q(supervising_offices=user.acting_office_id, is_key=True)
    return (Proposal.objects.filter(pk__in=Proposal.objects.filter(condition).values("pk"))
            .select_related("lead_member", "collective", "session__term").order_by("-year", "number"))
