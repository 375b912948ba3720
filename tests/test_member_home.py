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
    home = client_for(world.member).get(reverse("dashboard:home_member"))
    [tile] = [t for t in home.context["tiles"] if t["url"].endswith("#eval")]
    assert tile["count"] == 1 and tile["urgent"]
    assert [p["pk"] for p in home.context["to_evaluate"]] == [proposal.pk]
    assert "关于完善农村饮水安全保障的建议" in _text(home)
    # The co-signer who accepted is credited too; a member with nothing to do with it is not.
    assert [p["pk"] for p in client_for(world.cosigner).get(reverse("dashboard:home_member")).context["to_evaluate"]] == [
        proposal.pk]
    assert client_for(world.stranger).get(reverse("dashboard:home_member")).context["to_evaluate"] == []
    handling.evaluation_submit(proposal=proposal, by=world.member, result="satisfied", attitude="satisfied",
                               contacted=True)
    assert client_for(world.member).get(reverse("dashboard:home_member")).context["to_evaluate"] == []


@pytest.mark.django_db(transaction=True)  # outside a test's transaction, as served: pages are kept
def test_an_invitation_leaves_the_home_page_when_it_lapses_though_nothing_else_happens(world, client_for):
    """The home page is kept per member under the committee's versions (events move them); a lapse is the
    clock's, not an event's, so the kept page lasts only until the first open invitation lapses."""
    category = TopicCategory.objects.filter(committee=world.committee).first()
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于加强社区食堂建设的建议",
                                           body=BODY, category=category)
    [invitation] = services.cosign_invite(proposal=draft, by=world.member, members=[world.cosigner.member])
    home = client_for(world.cosigner).get(reverse("dashboard:home_member"))
    assert [c.pk for c in home.context["invitations"]] == [invitation.pk]
    [tile] = [t for t in home.context["tiles"] if t["url"].endswith("#inv")]
    assert tile["count"] == 1
    assert client_for(world.cosigner).get(reverse("dashboard:home_member")).context["invitations"] == [invitation]
    # The same page again, an hour after the invitation lapsed: no event in between, no version moved.
    later = invitation.expires_at + datetime.timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        home = client_for(world.cosigner).get(reverse("dashboard:home_member"))
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
    tiles = {t["label"]: t["count"] for t in client_for(world.member).get(reverse("dashboard:home_member")).context["tiles"]}
    assert tiles["办理中的提案"] == 1 and tiles["草稿"] == 1


def test_a_second_reply_after_rehandling_waits_for_the_members_evaluation_again(world, client_for):
    from tests.test_lifecycle_services import at, build, fresh
    from tian.supervision import services as supervision

    def waiting(user) -> list[int]:
        return [p["pk"] for p in client_for(user).get(reverse("dashboard:home_member")).context["to_evaluate"]]

    case = build(world, "replied")
    assert waiting(world.member) == [case.proposal.pk] and waiting(world.cosigner) == [case.proposal.pk]
    handling.evaluation_submit(proposal=case.proposal, by=world.member, result="dissatisfied", at=at(10, 25))
    assert waiting(world.member) == [] and waiting(world.cosigner) == []  # being handled again
    second = handling.reply_save(assignment=case.lead, by=world.lead_handler, body="经再次研究,答复如下:\n已落实。",
                                 outcome="A", contact_name="贺威", contact_phone="13795952836", at=at(12, 1))
    second = handling.reply_submit(reply=second, by=world.lead_handler, at=at(12, 1))
    handling.reply_cosign(reply=second, by=world.assisting_handler, at=at(12, 2))
    supervision.reply_approve(reply=second, by=world.supervisor, at=at(12, 5))
    # The second reply is evaluated by everyone credited, the lead proposer who evaluated the first included.
    assert fresh(case.proposal).state == State.REPLIED
    assert waiting(world.member) == [case.proposal.pk] and waiting(world.cosigner) == [case.proposal.pk]
    handling.evaluation_submit(proposal=fresh(case.proposal), by=world.member, result="satisfied", at=at(12, 10))
    assert waiting(world.member) == [] and waiting(world.cosigner) == [case.proposal.pk]


def test_a_member_credited_through_merges_evaluates_the_surviving_proposal(world, client_for):
    from tests.test_lifecycle_services import at, fresh, submitted
    from tian.handling.models import Evaluation

    # 刘安泽's proposal, co-signed by 徐丽娟, merged into another, itself merged into a third: both are credited on
    # the third, along the chain, and wait for its reply's evaluation as its proposers do.
    mine = submitted(world, world.member, title="关于加强乡村饮水工程管护的建议")
    [invitation] = services.cosign_invite(proposal=fresh(mine), by=world.member, members=[world.cosigner.member])
    services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True)
    middle = submitted(world, world.stranger, title="关于改善农村供水设施的建议")
    last = submitted(world, world.stranger, title="关于推进城乡供水一体化的建议")
    services.proposal_merge(proposal=fresh(mine), into=fresh(middle), by=world.staff, at=at(3, 1))
    services.proposal_merge(proposal=fresh(middle), into=fresh(last), by=world.staff, at=at(3, 1))
    services.proposal_register(proposal=fresh(last), by=world.staff, at=at(3, 1))
    handling.proposal_assign(proposal=fresh(last), by=world.staff, lead_units=[world.units["区民政局"]],
                             assigned_on=datetime.date(2023, 3, 16), at=at(3, 16))
    lead = fresh(last).assignments.get()
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler, at=at(3, 17))
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body=REPLY_BODY, outcome="A",
                                contact_name="贺威", contact_phone="0839-8622541", at=at(4, 1))
    handling.reply_submit(reply=reply, by=world.lead_handler, at=at(4, 2))
    assert fresh(last).state == State.REPLIED
    for user in (world.member, world.cosigner):
        waiting = [p["pk"] for p in client_for(user).get(reverse("dashboard:home_member")).context["to_evaluate"]]
        assert last.pk in waiting, user
    handling.evaluation_submit(proposal=fresh(last), by=world.cosigner, result="satisfied", at=at(4, 5))
    assert Evaluation.objects.filter(proposal=last, member=world.cosigner.member).exists()


def test_a_member_who_also_acts_for_a_collective_proposer_has_both_kinds_of_own_proposals(world, client_for):
    # "My proposals" and the home page's counts read the same definition (selectors.own_proposals).
    from tian.accounts import services as accounts
    from tian.accounts.roles import Role
    from tian.organisations.models import Member

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    member = Member.objects.create(committee=world.committee, name="王支委")
    both = accounts.user_create(username="liangzhong", full_name="王支委", password=None, validate=False,
                                roles=[Role.MEMBER, Role.COLLECTIVE], member=member, collective=world.collective_org)
    services.proposal_create_draft(by=both, committee=world.committee, lead_member=member,
                                   title="我本人的草稿", body="建议。", category=category)
    services.proposal_create_draft(by=world.collective, committee=world.committee, collective=world.collective_org,
                                   title="支部的草稿",
                                   body="建议。", category=category)
    home = client_for(both).get(reverse("dashboard:home_member"))
    tiles = {t["label"]: t["count"] for t in home.context["tiles"]}
    mine = client_for(both).get(reverse("proposals:mine")).content.decode()
    assert tiles["草稿"] == 2 and "我本人的草稿" in mine and "支部的草稿" in mine


def test_a_member_who_also_acts_for_a_collective_proposer_is_asked_for_both_kinds_of_evaluation(world, client_for):
    """Member home and the API inbox read one list (handling.services.awaiting_evaluation_by): a member who also
    acts for a collective proposer still evaluates the replies to their own proposals (home listed the
    collective's alone), and the inbox names each evaluation as a task (it named none)."""
    from tian.accounts import services as accounts
    from tian.accounts.roles import Role

    proposal = replied(world, title="关于完善农村饮水安全保障的建议", body=BODY, lead="区民政局", assisting=[],
                       reply_body=REPLY_BODY, phone="0839-8622541")
    user = world.member
    user.collective = world.collective_org
    user.save(update_fields=["collective"])
    accounts.user_roles_set(user=user, roles=[Role.MEMBER, Role.COLLECTIVE], by=world.admin)
    home = client_for(user).get(reverse("dashboard:home_member"))
    assert [p["pk"] for p in home.context["to_evaluate"]] == [proposal.pk]
    [task] = [t for t in client_for(user).get("/api/v1/inbox").json() if t["kind"] == "evaluate"]
    assert task["proposal_id"] == proposal.pk and task["links"]["act"] == f"/api/v1/proposals/{proposal.pk}/evaluate"
    assert task["deadline"] is not None
    handling.evaluation_submit(proposal=proposal, by=user, result="satisfied")
    assert not [t for t in client_for(user).get("/api/v1/inbox").json() if t["kind"] == "evaluate"]
    assert client_for(user).get(reverse("dashboard:home_member")).context["to_evaluate"] == []


def test_a_member_finds_the_proposals_their_own_were_merged_into(world, client_for):
    """Credited through 并案 (selectors.credited_ids), as the surviving proposal's page names them: "my proposals"
    lists it among the co-signed, and the proposer filter finds it by their name (both missed it)."""
    from tests.test_lifecycle_services import fresh, submitted

    mine = submitted(world, world.member, title="关于加强乡村饮水工程管护的建议")
    [invitation] = services.cosign_invite(proposal=fresh(mine), by=world.member, members=[world.cosigner.member])
    services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True)
    middle = submitted(world, world.stranger, title="关于改善农村供水设施的建议")
    last = submitted(world, world.stranger, title="关于推进城乡供水一体化的建议")
    services.proposal_merge(proposal=fresh(mine), into=fresh(middle), by=world.staff)
    services.proposal_merge(proposal=fresh(middle), into=fresh(last), by=world.staff)
    assert "关于推进城乡供水一体化的建议" in _text(client_for(world.cosigner).get(reverse("proposals:mine")))
    def found(name) -> set[str]:
        answer = client_for(world.staff).get("/api/v1/proposals", {"proposer": name}).json()
        return {p["title"] for p in answer["items"]}

    assert found(world.cosigner.member.name) == {"关于加强乡村饮水工程管护的建议", "关于改善农村供水设施的建议",
                                                 "关于推进城乡供水一体化的建议"}
    assert found("没有这个人") == set()


def test_a_member_acting_for_the_collective_rates_its_proposal_once(world):
    """A member who co-signed their collective's proposal and acts for the collective rates it for the collective
    (evaluation_submit): once rated, it is no longer asked of them as a member."""
    from tests.test_lifecycle_services import _handle_to_replied, collective_cosigned, fresh
    from tian.accounts import services as accounts
    from tian.accounts.models import User
    from tian.accounts.roles import Role
    from tian.handling.services import awaiting_evaluation_by

    p = _handle_to_replied(world, collective_cosigned(world))
    user = world.cosigner
    user.collective = world.collective_org
    user.save(update_fields=["collective"])
    accounts.user_roles_set(user=user, roles=[Role.MEMBER, Role.COLLECTIVE], by=world.admin)
    user = User.objects.get(pk=user.pk)
    assert [x.pk for x in awaiting_evaluation_by(user)] == [p.pk]
    evaluation = handling.evaluation_submit(proposal=fresh(p), by=user, result="satisfied")
    assert evaluation.collective_id == world.collective_org.pk
    assert awaiting_evaluation_by(User.objects.get(pk=user.pk)) == []


def test_a_collective_proposers_home_has_no_invitations_tile(world, client_for):
    """A collective proposer invites members to co-sign but is never invited: its home offers no tile it cannot use
    (it showed "联名邀请 0", linking to a list its home never shows); a member's home keeps it."""
    collective = client_for(world.collective).get(reverse("dashboard:home"), follow=True)
    labels = [str(t["label"]) for t in collective.context["tiles"]]
    assert any("评价" in label for label in labels)
    assert not any(t["url"].endswith("#inv") for t in collective.context["tiles"])
    member = client_for(world.member).get(reverse("dashboard:home_member"))
    assert any(t["url"].endswith("#inv") for t in member.context["tiles"])
