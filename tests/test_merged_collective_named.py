"""A collective proposer whose proposal was merged (并案) is named among the proposers — in the reply letter's
greeting, the proposal page's co-signers (and the portal's, the filed form's, open data's and the API's), the unit's
work page — and a member who also acts for that organisation is not asked again after rating (found by a review of
the twenty-second session's code; each test failed on it)."""

from django.urls import reverse

from tests.test_followup_collective_review import _merged_into_members, _signed_for
from tests.test_merged_collective_rating import _answered
from tian.handling import services as handling
from tian.handling.models import Evaluation

ORG = "民盟朝天区支部"


# (a) A merged collective proposer is one of the surviving proposal's proposers ----------------------------------

def test_the_reply_letter_greets_the_merged_collective_among_the_proposers(world, client_for):
    """The reply letter greets "every proposer" (domain.md, Handling: "salutation to every proposer"; 并案: "every
    proposer keeps credit"). 民盟朝天区支部's proposal was merged into 刘安泽's; since this session it is one of that
    proposal's proposers everywhere (``workflow.credit``: it reads it as a proposer, is told of the reply, rates it).
    Yet the letter it is asked to rate opens "尊敬的刘安泽委员:", not naming it: ``handling.letters.salutation`` greets
    ``proposer_members`` (members only, merges followed for members) and the proposal's own organisation, never an
    organisation merged in. The same letter is on the proposal page, the Word/PDF documents and the portal."""
    _mine, target = _answered(world)
    page = client_for(world.collective).get(target.get_absolute_url())
    assert page.status_code == 200
    [item] = page.context["letters"]
    assert ORG in item["letter"].salutation, item["letter"].salutation


def test_the_proposal_page_names_the_merged_collective_among_its_proposers(world, client_for):
    """A member whose proposal was merged in is listed on the surviving proposal's page (its co-signers:
    ``cosigner_members`` follows merges), so every reader sees who is credited on it (并案: "every proposer keeps
    credit"). An organisation merged in is listed nowhere: the page's 提案人 is 刘安泽 and 联名人 "—", although the
    organisation rates the reply and reads the page as a proposer (``workflow.credit``). Two rules of who is credited
    disagree: ``workflow.credit``/``merged_in_collective_ids`` and the lists read from ``proposer_members``
    (the proposal page, the API's ``cosigners``, the filed form, the portal)."""
    _mine, target = _answered(world)
    # Its lead proposer's page (the office's names it only in the paper evaluation's list of organisations).
    page = client_for(world.member).get(target.get_absolute_url()).content.decode()
    assert ORG in page


def test_the_units_work_page_names_the_merged_collective_as_a_proposer_to_contact(world, client_for):
    """Before replying the unit contacts the proposers (办前沟通, domain.md, Handling). Its work page lists the
    proposers it must reach (``proposers``: ``proposer_members``, the members merged in included), but not
    民盟朝天区支部, whose proposal was merged into this one and who rates the reply the unit is writing: the unit
    does not learn that an organisation is among the proposers it should contact."""
    _mine, target = _merged_into_members(world)
    target = _signed_for(world, handling.proposal_assign(proposal=target, by=world.staff,
                                                         lead_units=[world.units["区民政局"]]))
    page = client_for(world.lead_handler).get(reverse("handling:work", args=[target.pk]))
    assert page.status_code == 200
    assert ORG in page.content.decode()


def test_a_member_who_also_acts_for_the_merged_collective_is_not_asked_again_after_rating(world, client_for):
    """A person may hold more than one role (domain.md, "Who uses it"): 刘安泽 also keeps the account of
    民盟朝天区支部, whose proposal was merged into his own. He rates the reply on his proposal's page; the rating is
    recorded as his, the lead proposer's (``_rates_for``/``workflow.credit``: the lead's credit first), and the page
    shows it as done. But his home keeps listing the proposal under "Replies to evaluate" for ever:
    ``awaiting_evaluation_by`` takes every proposal the collective's were merged into as rated for the collective and
    looks for the collective's rating, which ``evaluation_submit`` never records for him. Two places say whom his
    rating is for, and disagree."""
    from tian.accounts.models import RoleGrant, User
    from tian.accounts.roles import Role

    _mine, target = _answered(world)
    both = world.member  # 刘安泽's account, given the organisation's role as well
    User.objects.filter(pk=both.pk).update(collective=world.collective_org)
    RoleGrant.objects.create(user=both, role=Role.COLLECTIVE)
    both = User.objects.get(pk=both.pk)
    client = client_for(both)
    response = client.post(reverse("proposals:action", args=[target.pk, "evaluate"]),
                           {"result": "satisfied", "round": 1, "state": "replied"}, follow=True)
    assert response.status_code == 200
    assert Evaluation.objects.filter(proposal=target).count() == 1
    assert "evaluate" not in client.get(target.get_absolute_url()).context["forms"]  # rated, says the page
    assert [p.pk for p in handling.awaiting_evaluation_by(both)] == []
