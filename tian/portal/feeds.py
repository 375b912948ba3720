"""The Atom feed of newly disclosed proposals and their replies."""

from django.contrib.syndication.views import Feed
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from tian.disclosure.policy import public_text
from tian.handling.models import Reply, UnitRole
from tian.organisations.selectors import current_committee
from tian.portal import selectors
from tian.portal.exports import follow_up_rows

ITEMS = 30


class DisclosedFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        return current_committee()

    def title(self, committee):
        name = committee.name if committee else ""
        return _("%(committee)s: disclosed proposals and replies") % {"committee": name}

    def subtitle(self, committee):
        return _("Proposals newly disclosed to the public, with the units' replies.")

    def link(self):
        return reverse("portal:index")

    def feed_url(self):
        return reverse("portal:feed")

    def author_name(self, committee):
        return committee.name if committee else ""

    def items(self, committee):
        released = Q(replies__status=Reply.Status.RELEASED)
        qs = (selectors.disclosed_proposals(committee)
              .annotate(last_reply_at=Max("replies__released_at", filter=released),
                        last_follow_up_at=Max("replies__follow_up__reported_at", filter=released))
              .order_by(F("disclosed_at").desc(nulls_last=True), "-pk"))
        proposals = list(selectors.for_listing(qs)[:ITEMS])
        labels = selectors.outcome_labels(committee)  # read once for the items, as the list reads them
        for p in proposals:
            p.outcome_labels = labels
        return proposals

    def item_title(self, proposal):
        return f"{proposal.number_year} {public_text(proposal, proposal.title)}".strip()

    def item_description(self, proposal):
        units = selectors.units_by_role(proposal)
        lead = units[UnitRole.LEAD] + units[UnitRole.SEPARATE]
        parts = [
            f"{_('Proposer')}:{proposal.proposer_name}",
            f"{_('Topic category')}:{proposal.category or '—'}",
            f"{_('Lead unit')}:{' '.join(u.name for u in lead) or '—'}",
        ]
        outcomes = list(dict.fromkeys(r.outcome for r in proposal.public_replies if r.outcome))
        if outcomes:  # as the list and the page say them: 全部或主要问题已解决(A)
            labels = proposal.outcome_labels
            parts.append(f"{_('Outcome')}:{' '.join(labels.get(code, code) for code in outcomes)}")
        for reply in proposal.public_replies:
            parts.append(f"{reply.unit.name}:{public_text(proposal, reply.body)[:200]}")
        # 回头看, reported a year on, as the portal's page shows them (the disclosure policy).
        parts += [f"{_('Follow-up a year later')}({f['unit']}):{f['report'][:200]}" for f in follow_up_rows(proposal)]
        return "\n".join(parts)

    def item_link(self, proposal):
        return reverse("portal:detail", args=[proposal.pk])

    def item_pubdate(self, proposal):
        return proposal.disclosed_at or proposal.updated_at

    def item_updateddate(self, proposal):
        moments = [m for m in (proposal.disclosed_at, proposal.last_reply_at, proposal.last_follow_up_at) if m]
        return max(moments) if moments else proposal.updated_at
