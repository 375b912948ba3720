"""An evaluation form names the round of replies it rates: one opened on the first reply and sent after the proposal
was handled again and answered anew is refused, what was typed kept to copy; one of the current round is taken."""

import datetime
import re

from django.urls import reverse

from tests.test_lifecycle_services import REPLY_BODY, at, build, fresh
from tian.handling import services as handling
from tian.handling.models import Evaluation
from tian.supervision import services as supervision


def _answered_again(world, case):
    """The lead proposer was dissatisfied with the first reply; the second is out."""
    handling.evaluation_submit(proposal=case.proposal, by=world.member, result="dissatisfied", at=at(10, 25))
    second = handling.reply_save(assignment=case.lead, by=world.lead_handler, body=REPLY_BODY, outcome="A",
                                 contact_name="贺威", contact_phone="13795952836",
                                 reply_date=datetime.date(2023, 12, 1), at=at(12, 1))
    second = handling.reply_submit(reply=second, by=world.lead_handler, at=at(12, 1))
    handling.reply_cosign(reply=second, by=world.assisting_handler, at=at(12, 2))
    supervision.reply_approve(reply=second, by=world.supervisor, at=at(12, 5))
    assert fresh(case.proposal).state == "replied"


def _round_on_page(html: str) -> str:
    return re.search(r'name="round" value="(\d)"', html).group(1)


def test_a_cosigners_form_from_the_first_reply_does_not_rate_the_second(world, client_for):
    case = build(world, "replied")
    cosigner = client_for(world.cosigner)
    page = cosigner.get(case.proposal.get_absolute_url()).content.decode()
    assert _round_on_page(page) == "1"
    _answered_again(world, case)
    response = cosigner.post(reverse("proposals:action", args=[case.proposal.pk, "evaluate"]),
                             {"state": "replied", "round": "1", "result": "satisfied", "feedback": "第一次答复很好"},
                             follow=True)
    html = response.content.decode()
    assert "请阅读新的答复后再评价" in html
    assert "第一次答复很好" in html  # what was typed, to copy
    assert not Evaluation.objects.filter(proposal=case.proposal, member=world.cosigner.member).exists()
    # The page now offers the second round's form, which is taken.
    assert _round_on_page(html) == "2"
    cosigner.post(reverse("proposals:action", args=[case.proposal.pk, "evaluate"]),
                  {"state": "replied", "round": "2", "result": "satisfied"})
    assert list(Evaluation.objects.filter(proposal=case.proposal, member=world.cosigner.member)
                .values_list("round", flat=True)) == [2]


def test_a_paper_evaluation_form_from_the_first_reply_is_refused_too(world, client_for):
    case = build(world, "replied")
    staff = client_for(world.staff)
    assert _round_on_page(staff.get(case.proposal.get_absolute_url()).content.decode()) == "1"
    _answered_again(world, case)
    staff.post(reverse("proposals:action", args=[case.proposal.pk, "record_paper_evaluation"]),
               {"state": "replied", "round": "1", "member": world.cosigner.member.pk, "result": "satisfied"})
    assert not Evaluation.objects.filter(proposal=case.proposal, member=world.cosigner.member).exists()


def test_the_service_refuses_a_rating_of_a_round_no_longer_current(world):
    case = build(world, "replied")
    _answered_again(world, case)
    try:
        handling.evaluation_submit(proposal=fresh(case.proposal), by=world.cosigner, result="satisfied", seen_round=1)
    except handling.WorkflowError as e:
        assert e.code == "conflict"
    else:
        raise AssertionError("a rating of the first round was taken as one of the second")
    handling.evaluation_submit(proposal=fresh(case.proposal), by=world.cosigner, result="satisfied", seen_round=2)


# --- closing while the lead proposer may still rate --------------------------------------------------------------

def _replied_today(world):
    from tests.test_notified_review import _registered
    from tests.test_released_mid_round import _reply

    p = handling.proposal_assign(proposal=_registered(world), by=world.staff, lead_units=[world.units["区民政局"]],
                                 assigned_on=datetime.date.today())
    _reply(p.assignments.get(role="lead"), world.lead_handler)
    return fresh(p)


def test_the_office_is_told_the_lead_may_still_rate_before_closing(world, client_for):
    p = _replied_today(world)
    assert p.state == "replied"
    staff = client_for(world.staff)
    html = staff.get(p.get_absolute_url()).content.decode()
    assert 'id="close-early"' in html and "牵头提案人尚未评价答复，评价期至" in html
    # The paper form recorded for the lead proposer: the warning goes.
    staff.post(reverse("proposals:action", args=[p.pk, "record_paper_evaluation"]),
               {"state": "replied", "round": "1", "member": world.member.member.pk, "result": "satisfied"})
    assert Evaluation.objects.filter(proposal=p, member=world.member.member, on_paper=True).exists()
    assert 'id="close-early"' not in staff.get(p.get_absolute_url()).content.decode()


def test_no_warning_once_the_evaluation_window_has_passed(world, client_for):
    case = build(world, "replied")  # replied in 2023: its window closed long ago
    html = client_for(world.staff).get(case.proposal.get_absolute_url()).content.decode()
    assert "办结" in html and 'id="close-early"' not in html


def test_the_api_refuses_a_rating_of_the_first_round_once_the_second_is_out(world):
    from tests.test_api_integrator_review import Api

    case = build(world, "replied")
    _answered_again(world, case)
    api = Api(world.cosigner)
    stale = api.post(f"/proposals/{case.proposal.pk}/evaluate", {"result": "satisfied", "round": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert not Evaluation.objects.filter(proposal=case.proposal, member=world.cosigner.member).exists()
    assert api.post(f"/proposals/{case.proposal.pk}/evaluate", {"result": "satisfied", "round": 2}).status_code == 201
