"""A form sent after its record moved away from the user (the key proposal given to another lead official, a reply's
review to another office) is answered with why and the text typed kept, for someone who was shown the record; anyone
else gets the 404 of a record that does not exist, and nothing they typed comes back (no existence leak). And a bulk
assignment whose input is refused comes back with its form, without the proposals refused as they are."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.test_bulk import registered, submitted
from tests.test_lifecycle_services import build
from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.deadlines import services as deadlines
from tian.handling import services as handling
from tian.handling.models import Assignment
from tian.organisations.models import LeadOfficial
from tian.proposals.models import Event
from tian.supervision.models import SupervisionActivity, SupervisionReview

COMMENTS = "答复未写明关爱服务站运行经费的来源和到位时间，请补充后重新报送。"
NOTES = "3月28日到曾家镇查看留守儿童关爱服务站：仍只挂牌未运行，区民政局承诺4月底前落实人员和经费。"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _other_supervisor(world):
    return account_services.user_create(username="区委目标绩效办", full_name="区委目标绩效办", password=PASSWORD,
                                        roles=[Role.SUPERVISOR], office=world.offices["区委目标绩效办"],
                                        validate=False)


def _review(client, reply, **fields):
    return client.post(reverse("supervision:review", args=[reply.pk]),
                       {"decision": "return", "comments": COMMENTS, **fields}, follow=True)


def _activity(client, proposal):
    prefix = f"p{proposal.pk}-"
    return client.post(reverse("supervision:record_activity", args=[proposal.pk]), {
        f"{prefix}kind": "inspection", f"{prefix}held_on": timezone.localdate().isoformat(),
        f"{prefix}participants": "杨金军、区民政局局长", f"{prefix}notes": NOTES}, follow=True)


# --- a reply's review --------------------------------------------------------------------------------------------


def test_an_office_never_sent_the_reply_gets_a_404_and_its_comments_are_not_kept(world, client_for):
    case = build(world, "supervision")
    stranger = client_for(_other_supervisor(world))
    events = Event.objects.filter(proposal=case.proposal).count()
    # A guessed number, with or without a made-up moment of submission: the answer of a reply that does not exist.
    for fields in ({}, {"submitted": case.reply.submitted_at.date().isoformat()},
                   {"submitted": (case.reply.submitted_at - datetime.timedelta(microseconds=1)).isoformat()}):
        assert _review(stranger, case.reply, **fields).status_code == 404
    assert stranger.get(reverse("supervision:review", args=[case.reply.pk])).status_code == 404
    assert _review(stranger, case.reply, submitted="").status_code == 404
    assert not SupervisionReview.objects.exists()
    assert Event.objects.filter(proposal=case.proposal).count() == events
    assert COMMENTS not in stranger.get(reverse("supervision:queue")).content.decode()  # nothing kept to show


def test_a_reply_that_does_not_exist_is_a_404_for_a_supervisor(world, client_for):
    supervisor = client_for(world.supervisor)
    response = supervisor.post(reverse("supervision:review", args=[987654]),
                               {"decision": "return", "comments": COMMENTS, "submitted": "2023-10-11T03:00:00+00:00"})
    assert response.status_code == 404
    assert COMMENTS not in supervisor.get(reverse("supervision:queue")).content.decode()


def test_a_reply_seen_on_the_queue_whose_review_moved_away_is_answered_on_the_queue(world, client_for):
    case = build(world, "supervision")
    supervisor = client_for(world.supervisor)
    assert case.proposal.title in _text(supervisor.get(reverse("supervision:queue")))
    handling.proposal_set_key(proposal=case.proposal, by=world.staff, is_key=case.proposal.is_key,
                              lead_officials=[world.lead_official],
                              supervising_offices=[world.offices["区委目标绩效办"]])
    # The page opened from the queue, and a form sent without its moment of submission (an older page's).
    response = supervisor.get(reverse("supervision:review", args=[case.reply.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("supervision:queue")
    response = _review(supervisor, case.reply)
    assert response.redirect_chain[-1][0] == reverse("supervision:queue")
    assert COMMENTS in response.content.decode()
    assert not SupervisionReview.objects.exists()
    # The office it went to reviews it as before.
    assert client_for(_other_supervisor(world)).get(
        reverse("supervision:review", args=[case.reply.pk])).status_code == 200


# --- a supervision activity --------------------------------------------------------------------------------------


def test_a_proposal_never_followed_is_a_404_and_the_notes_are_not_kept(world, client_for, assigned):
    other = LeadOfficial.objects.create(committee=world.committee, name="王建华", title="副区长")
    handling.proposal_set_key(proposal=assigned, by=world.staff, is_key=True, lead_officials=[other],
                              supervising_offices=[world.offices["区政府办公室"]])
    official = client_for(world.official)
    assert assigned.title not in _text(official.get(reverse("supervision:key_proposals")))
    events = Event.objects.filter(proposal=assigned).count()
    assert _activity(official, assigned).status_code == 404
    assert official.post(reverse("supervision:record_activity", args=[987654]), {}).status_code == 404
    assert not SupervisionActivity.objects.exists()
    assert Event.objects.filter(proposal=assigned).count() == events
    assert NOTES not in official.get(reverse("supervision:key_proposals")).content.decode()


def test_an_office_that_never_supervised_the_proposal_gets_a_404(world, client_for, assigned):
    office = client_for(_other_supervisor(world))
    assert _activity(office, assigned).status_code == 404
    assert NOTES not in office.get(reverse("supervision:key_proposals")).content.decode()


def test_an_official_who_recorded_an_activity_is_told_in_a_new_session_that_the_proposal_moved(world, client_for,
                                                                                               assigned):
    deadlines.supervision_activity_record(proposal=assigned, by=world.official, kind="inspection",
                                          held_on=timezone.localdate(), participants="杨金军", notes="第一次走访。")
    other = LeadOfficial.objects.create(committee=world.committee, name="王建华", title="副区长")
    handling.proposal_set_key(proposal=assigned, by=world.staff, is_key=True, lead_officials=[other],
                              supervising_offices=[world.offices["区委目标绩效办"]])
    response = _activity(client_for(world.official), assigned)  # a client that never opened the page
    assert response.redirect_chain[-1][0] == reverse("supervision:key_proposals")
    assert NOTES in response.content.decode() and "杨金军、区民政局局长" in response.content.decode()
    assert SupervisionActivity.objects.count() == 1


# --- bulk work ---------------------------------------------------------------------------------------------------


def test_a_bulk_form_refused_for_its_input_names_the_proposal_assigned_meanwhile_and_leaves_it_out(world,
                                                                                                   client_for):
    ready = [registered(world, f"关于社区养老第{i}项的建议") for i in range(3)]
    handling.proposal_assign(proposal=ready[0], by=world.staff, lead_units=[world.units["区财政局"]])
    today = timezone.localdate()
    response = client_for(world.staff).post(reverse("proposals:bulk"), {
        "action": "assign", "step": "run", "ids": [p.pk for p in ready], "lead_unit": world.units["区民政局"].pk,
        "assigned_on": today.isoformat(), "reply_deadline": (today + datetime.timedelta(days=3000)).isoformat()})
    assert response.status_code == 422
    html = response.content.decode()
    assert {int(v) for v in re.findall(r'name="ids" value="(\d+)"', html)} == {ready[1].pk, ready[2].pk}
    left_out = html[html.index('id="left-out-h"'):html.index("<form", html.index('id="left-out-h"'))]
    assert ready[0].title in left_out and "已交办" in left_out
    assert ready[1].title not in left_out
    assert list(Assignment.objects.filter(proposal__in=ready).values_list("proposal", flat=True)) == [ready[0].pk]


def test_the_bulk_result_lists_its_reasons_without_ascii_punctuation(world, client_for):
    waiting = submitted(world, "关于等待立案的建议")
    already = registered(world, "关于已经立案的建议")
    assigned = handling.proposal_assign(proposal=registered(world, "关于已经交办的建议"), by=world.staff,
                                        lead_units=[world.units["区民政局"]])
    staff = client_for(world.staff)
    staff.post(reverse("proposals:bulk"), {"action": "register", "step": "run",
                                           "ids": [waiting.pk, already.pk, assigned.pk]})
    html = staff.get(reverse("proposals:bulk_result")).content.decode()
    summary = html[html.index('class="bulk-summary"'):html.index("</div>", html.index('class="bulk-summary"'))]
    assert "1 件已完成，2 件未执行" in _text(staff.get(reverse("proposals:bulk_result")))
    assert len(re.findall(r"<li>[^<]*不能执行此操作[^<]*</li>", summary)) == 2
    assert "。;" not in html
