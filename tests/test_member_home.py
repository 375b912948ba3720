"""The member's home page: the replies waiting for the member's evaluation, counted and listed."""

import re

from django.urls import reverse

from tests.test_portal import BODY, REPLY_BODY, replied
from tian.handling import services as handling
from tian.proposals.models import State


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
