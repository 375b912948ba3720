"""The member's home page: the replies waiting for the member's evaluation, counted and listed."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import reverse

from tests.test_portal import BODY, REPLY_BODY, replied
from tian.handling import services as handling
from tian.proposals import services
from tian.proposals.models import State, TopicCategory


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_replies_to_evaluate_are_counted_and_listed_until_evaluated(world, client_for):
    proposal = replied(world, title="关于完善农村饮水安全保障的建议", body=BODY, lead="区民政局", assisting=[],
                       reply_body=REPLY_BODY, phone="0839-8622541")
    assert proposal.state == State.REPLIED
    home = client_for(world.member).get(reverse("core:home_member"))
    [tile] = [t for t in home.context["tiles"] if t["url"].endswith("#eval")]
    assert tile["count"] == 1 and tile["urgent"]
    assert [p["pk"] for p in home.context["to_evaluate"]] == [proposal.pk]
    assert "关于完善农村饮水安全保障的建议" in _text(home)
    # The co-signer who accepted is credited too; a member with nothing to do with it is not.
    assert [p["pk"] for p in client_for(world.cosigner).get(reverse("core:home_member")).context["to_evaluate"]] == [
        proposal.pk]
    assert client_for(world.stranger).get(reverse("core:home_member")).context["to_evaluate"] == []
    handling.evaluation_submit(proposal=proposal, by=world.member, result="satisfied", attitude="satisfied",
                               contacted=True)
    assert client_for(world.member).get(reverse("core:home_member")).context["to_evaluate"] == []


@pytest.mark.django_db(transaction=True)  # outside a test's transaction, as served: pages are kept
def test_an_invitation_leaves_the_home_page_when_it_lapses_though_nothing_else_happens(world, client_for):
    """The home page is kept per member under the committee's versions (events move them); a lapse is the
    clock's, not an event's, so the kept page lasts only until the first open invitation lapses."""
    category = TopicCategory.objects.filter(committee=world.committee).first()
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于加强社区食堂建设的建议",
                                           body=BODY, category=category)
    [invitation] = services.cosign_invite(proposal=draft, by=world.member, members=[world.cosigner.member])
    home = client_for(world.cosigner).get(reverse("core:home_member"))
    assert [c.pk for c in home.context["invitations"]] == [invitation.pk]
    [tile] = [t for t in home.context["tiles"] if t["url"].endswith("#inv")]
    assert tile["count"] == 1
    assert client_for(world.cosigner).get(reverse("core:home_member")).context["invitations"] == [invitation]
    # The same page again, an hour after the invitation lapsed: no event in between, no version moved.
    later = invitation.expires_at + datetime.timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        home = client_for(world.cosigner).get(reverse("core:home_member"))
    assert home.context["invitations"] == []
    assert "关于加强社区食堂建设的建议" not in _text(home)


def test_the_counts_of_the_members_own_proposals_leave_out_drafts_and_finished_ones(world, client_for):
    """In progress: submitted and not finished (closed, withdrawn, declined, merged); drafts are counted apart."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")

    def drafted(title):
        return services.proposal_create_draft(by=world.member, committee=world.committee,
                                              lead_member=world.member.member, title=title, body="建议。",
                                              category=category)

    drafted("草稿")
    submitted = services.proposal_submit(proposal=drafted("已提交"), by=world.member)
    withdrawn = services.proposal_submit(proposal=drafted("撤回的"), by=world.member)
    services.proposal_withdraw(proposal=withdrawn, by=world.member)
    declined = services.proposal_submit(proposal=drafted("不予立案的"), by=world.member)
    services.proposal_decline(proposal=declined, by=world.staff, ground=world.committee.decline_grounds.first(),
                              forward="opinion")
    merged = services.proposal_submit(proposal=drafted("并案的"), by=world.member)
    services.proposal_merge(proposal=merged, into=submitted, by=world.staff)
    tiles = {t["label"]: t["count"] for t in client_for(world.member).get(reverse("core:home_member")).context["tiles"]}
    assert tiles["办理中的提案"] == 1 and tiles["草稿"] == 1
