"""A collective proposer whose proposal was merged (并案) into another rates that proposal's reply, as a merged member
does ("every proposer keeps credit"): its rating is its own, not the lead proposer's, so it never sends the proposal
back to the units nor counts as the lead's in the statistics; the office can record it on paper."""

from django.urls import reverse

from tests.test_api_integrator_review import Api
from tests.test_followup_collective_review import _merged_into_members, _release, _signed_for
from tian.handling import services as handling
from tian.handling.models import Evaluation
from tian.proposals.models import Proposal
from tian.proposals.workflow import WorkflowError


def _answered(world):
    """民盟朝天区支部's proposal merged into 刘安泽's, which is assigned and answered (A)."""
    mine, target = _merged_into_members(world)
    target = _signed_for(world, handling.proposal_assign(proposal=target, by=world.staff,
                                                         lead_units=[world.units["区民政局"]]))
    _release(world, target.assignments.get(role="lead"), "答复如下。", "A")
    return mine, Proposal.objects.get(pk=target.pk)


def test_the_merged_collective_finds_the_reply_to_rate_and_rates_it_on_the_page(world, client_for):
    _mine, target = _answered(world)
    client = client_for(world.collective)
    home = client.get(reverse("dashboard:home"), follow=True).content.decode()
    assert target.title in home
    page = client.get(target.get_absolute_url())
    assert "evaluate" in page.context["forms"]
    response = client.post(reverse("proposals:action", args=[target.pk, "evaluate"]),
                           {"result": "dissatisfied", "feedback": "还需加强", "round": 1, "state": "replied"},
                           follow=True)
    assert response.status_code == 200
    rating = Evaluation.objects.get(proposal=target, collective=world.collective_org)
    assert (rating.result, rating.is_lead, rating.member_id, rating.on_paper) == ("dissatisfied", False, None, False)
    # Not the lead proposer: a dissatisfied co-proposer does not send the proposal back to the units.
    assert Proposal.objects.get(pk=target.pk).state == "replied"
    page = client_for(world.collective).get(target.get_absolute_url())
    assert page.context["my_evaluation"] == rating and "evaluate" not in page.context["forms"]
    assert target.title not in client.get(reverse("dashboard:home"), follow=True).content.decode()
    # Its own rating is its own: the lead proposer's is still awaited and still decides.
    assert not Evaluation.objects.filter(proposal=target, is_lead=True).exists()
    handling.evaluation_submit(proposal=target, by=world.member, result="dissatisfied")
    assert Proposal.objects.get(pk=target.pk).state == "rehandling"


def test_a_second_rating_of_the_merged_collective_is_refused(world):
    _mine, target = _answered(world)
    handling.evaluation_submit(proposal=target, by=world.collective, result="satisfied")
    try:
        handling.evaluation_submit(proposal=Proposal.objects.get(pk=target.pk), by=world.collective,
                                   result="dissatisfied")
    except WorkflowError as refusal:
        assert "已评价" in str(refusal.message) or "already" in str(refusal.message)
    else:
        raise AssertionError("a second rating was taken")
    assert Evaluation.objects.filter(proposal=target, collective=world.collective_org).count() == 1


def test_the_api_takes_the_merged_collectives_rating(world):
    _mine, target = _answered(world)
    api = Api(world.collective)
    r = api.post(f"/api/v1/proposals/{target.pk}/evaluate", {"result": "satisfied"})
    assert r.status_code in (200, 201), r.content
    assert Evaluation.objects.get(proposal=target, collective=world.collective_org).is_lead is False


def test_the_office_records_the_merged_collectives_paper_rating(world, client_for):
    _mine, target = _answered(world)
    client = client_for(world.staff)
    form = client.get(target.get_absolute_url()).context["forms"]["paper"]
    assert [c.pk for c in form.fields["collective"].queryset] == [world.collective_org.pk]
    url = reverse("proposals:action", args=[target.pk, "record_paper_evaluation"])
    # Both a member and the organisation: refused, nothing recorded.
    response = client.post(url, {"member": world.member.member_id, "collective": world.collective_org.pk,
                                 "result": "satisfied", "round": 1, "state": "replied"}, follow=True)
    assert "不能同时" in response.content.decode() or "not both" in response.content.decode()
    assert not Evaluation.objects.filter(proposal=target).exists()
    client.post(url, {"collective": world.collective_org.pk, "result": "basically_satisfied", "round": 1,
                      "state": "replied"}, follow=True)
    rating = Evaluation.objects.get(proposal=target)
    assert (rating.collective_id, rating.on_paper, rating.is_lead) == (world.collective_org.pk, True, False)
    form = client.get(target.get_absolute_url()).context["forms"]["paper"]
    assert form.fields["collective"].widget.is_hidden  # rated: no longer offered
    assert Proposal.objects.get(pk=target.pk).state == "replied"


def test_the_api_records_the_merged_collectives_paper_rating_and_refuses_another_organisation(world):
    from tian.organisations.models import CollectiveProposer

    _mine, target = _answered(world)
    other = CollectiveProposer.objects.create(committee=world.committee, name="九三学社朝天区支部", kind="party",
                                              contact_name="李明", contact_phone="0839-8620001")
    api = Api(world.staff)
    url = f"/api/v1/proposals/{target.pk}/paper-evaluation"
    r = api.post(url, {"collective": other.pk, "result": "satisfied"})
    assert r.status_code == 422 and "collective" in r.json()["fields"], r.content
    r = api.post(url, {"collective": world.collective_org.pk, "member": world.member.member_id,
                       "result": "satisfied"})
    assert r.status_code == 422
    assert not Evaluation.objects.filter(proposal=target).exists()
    r = api.post(url, {"collective": world.collective_org.pk, "result": "satisfied"})
    assert r.status_code in (200, 201), r.content
    rating = Evaluation.objects.get(proposal=target)
    assert (rating.collective_id, rating.on_paper, rating.is_lead) == (world.collective_org.pk, True, False)


def test_an_organisation_not_merged_in_cannot_be_recorded(world, client_for):
    """The service refuses a collective proposer that is not one of the proposal's (the form offers none)."""
    from tian.organisations.models import CollectiveProposer

    _mine, target = _answered(world)
    other = CollectiveProposer.objects.create(committee=world.committee, name="九三学社朝天区支部", kind="party",
                                             contact_name="李明", contact_phone="0839-8620001")
    try:
        handling.evaluation_submit(proposal=target, by=world.staff, result="satisfied", collective=other)
    except WorkflowError as refusal:
        assert other.name in str(refusal.message)
    else:
        raise AssertionError("an organisation not merged in was recorded")
    assert not Evaluation.objects.filter(proposal=target).exists()


def test_the_merged_collective_is_asked_to_rate_and_reads_the_proposal_as_a_proposer(world, client_for,
                                                                                    django_capture_on_commit_callbacks):
    """Told of the reply as the proposers are ("请对办理结果进行评价"), and on the page it reads as one of the
    proposers (the disclosure policy's ``Tie.PROPOSER``), not as a stranger: the proposal's own text in full."""
    from tian.notifications.models import Notification

    _mine, target = _merged_into_members(world)
    Proposal.objects.filter(pk=target.pk).update(body="建议。联系人电话13795952836。")
    with django_capture_on_commit_callbacks(execute=True):
        target = _signed_for(world, handling.proposal_assign(proposal=Proposal.objects.get(pk=target.pk),
                                                             by=world.staff, lead_units=[world.units["区民政局"]]))
        _release(world, target.assignments.get(role="lead"), "答复如下。", "A")
    assert Notification.objects.filter(user=world.collective, message__contains="请对办理结果进行评价").exists()
    page = client_for(world.collective).get(target.get_absolute_url()).content.decode()
    assert "13795952836" in page
    Proposal.objects.filter(pk=target.pk).update(is_public=True)
    assert "13795952836" not in client_for(world.stranger).get(target.get_absolute_url()).content.decode()
