"""What a review of the sixteenth session's own changes found (bulk actions, typed text kept, a unit re-routed back,
the index's version, a new draft's ETag, the public list's deprecated filter, mobiles written with hyphens): each
test failed on the code reviewed."""

import datetime
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.test_bulk import registered, replied, run_bulk, submitted
from tests.test_lifecycle_services import build
from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.core.calendar import add_months
from tian.deadlines import services as deadlines
from tian.deadlines.filters import deadline_filter
from tian.deadlines.models import FollowUp
from tian.handling import services as handling
from tian.handling.models import Assignment, ContactRecord
from tian.organisations.models import Committee, Member
from tian.proposals import services
from tian.proposals.models import Proposal


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- The bulk run: an input error of one proposal is raised as the whole form's ---------------------------------


def test_bulk_disclose_whose_first_proposal_lacks_consent_is_not_a_server_error(world, client_for):
    """pages/proposals/bulk.py ``run`` re-raises any ``invalid_input`` met before a proposal was done, and ``bulk``
    re-raises it again when the action has no form. Disclosure's refusal "the proposer did not agree" is
    ``invalid_input`` (workflow._not_disclosable), specific to one proposal: ticked first, it makes the whole bulk
    disclosure a server error, where the module promises "a refused proposal never undoes the others"."""
    refused = replied(world, "关于不同意公开的建议", consent=False)  # number 1: listed first
    agreed = replied(world, "关于同意公开的建议")
    client = client_for(world.staff)
    client.raise_request_exception = False
    response = run_bulk(client, "disclose", [refused.pk, agreed.pk])
    assert response.status_code == 200
    page = _text(response)
    assert "1 件已完成，1 件未执行" in page and "提案人不同意公开" in page
    agreed.refresh_from_db()
    refused.refresh_from_db()
    assert agreed.is_public and not refused.is_public


def test_bulk_assignment_refuses_only_the_proposal_whose_own_default_deadline_conflicts(world, client_for):
    """The reply deadline left empty is each proposal's own default (handling.services.default_deadlines: plenary
    proposals get ``reply_months_plenary``). An assisting-opinion deadline between a recess proposal's default
    (3 months) and a plenary one's (5 months) is an input error of the recess proposal alone; listed first, it
    refuses the whole batch (``run`` raises it as the form's), and the plenary proposal, which the service takes,
    is not assigned. Listed second, the same input assigns the plenary one: the answer depends on the order."""
    Committee.objects.filter(pk=world.committee.pk).update(reply_months=3, reply_months_plenary=5)
    recess = registered(world, "关于平时提出的建议")  # number 1: listed first
    plenary = registered(world, "关于大会期间提出的建议")
    Proposal.objects.filter(pk=recess.pk).update(is_plenary=False)
    Proposal.objects.filter(pk=plenary.pk).update(is_plenary=True)
    today = timezone.localdate()
    response = client_for(world.staff).post(reverse("proposals:bulk"), {
        "action": "assign", "step": "run", "ids": [recess.pk, plenary.pk], "lead_unit": world.units["区民政局"].pk,
        "assisting_units": [world.units["区教科局"].pk], "assigned_on": today.isoformat(),
        "assisting_deadline": add_months(today, 4).isoformat()}, follow=True)
    assert response.status_code in (200, 422)
    assert Assignment.objects.filter(proposal=plenary).exists(), _text(response)[-1500:]
    assert not Assignment.objects.filter(proposal=recess).exists()


# --- What was typed is kept: forms whose text is still lost --------------------------------------------------


def test_a_draft_written_in_three_parts_sent_after_it_was_submitted_keeps_every_part(world, client_for):
    """pages/proposals/author.py ``_where_it_stands`` keeps ``request.POST["body"]`` only. The draft form has four
    text areas (body, or 背景情况 / 问题分析 / 具体建议 instead, proposals.forms.ProposalForm); a member who writes in
    the three parts and saves from a second tab after submitting loses all of it, unseen."""
    case = build(world, "submitted")
    parts = {"background": "背景：全区农村留守儿童共1286名，其中独居的43名。",
             "analysis": "分析：关爱服务站覆盖不足，专职社工仅有5人。",
             "suggestions": "建议：一是建立关爱档案，二是每个乡镇配备专职社工。"}
    response = client_for(world.member).post(reverse("proposals:edit", args=[case.proposal.pk]), {
        "title": case.proposal.title, "body": "", **parts, "save": "1"}, follow=True)
    html = response.content.decode()
    assert Proposal.objects.get(pk=case.proposal.pk).background != parts["background"]
    for text in parts.values():
        assert text in html, text


def test_a_follow_up_report_sent_after_a_colleague_sent_it_is_shown_to_copy(world, client_for):
    """pages/handling/views.py ``_work_page`` shows the text of a refused form whose section went, but only for the
    names in ``shown`` (reply, reassign, contact, opinion, extension): ``follow_up:<id>`` defaults to "shown". Two
    handlers of the unit write the 回头看 report; the second is refused ("已报送"), the follow-up's section is gone
    (only unreported ones are listed) and the report typed is lost."""
    case = build(world, "closed")
    follow_up = FollowUp.objects.create(reply=case.reply, due_on=timezone.localdate() + datetime.timedelta(days=10))
    colleague = account_services.user_create(username="区民政局2", full_name="区民政局2", password=PASSWORD,
                                             roles=[Role.UNIT_HANDLER], unit=world.units["区民政局"], validate=False)
    deadlines.follow_up_report(follow_up=follow_up, by=world.lead_handler, report="已建成12个关爱服务站。")
    report = "一年来已在全区7个乡镇建成关爱服务站，配备专职社工14名，建立留守儿童档案1286份。"
    response = client_for(colleague).post(reverse("handling:follow_up", args=[follow_up.pk]),
                                          {f"f{follow_up.pk}-report": report}, follow=True)
    assert FollowUp.objects.get(pk=follow_up.pk).report == "已建成12个关爱服务站。"
    assert report in response.content.decode(), _text(response)[:1500]


# --- TakenOff where the unit still handles the proposal ---------------------------------------------------------


def test_a_stale_form_of_a_unit_that_handles_the_proposal_again_is_not_told_it_no_longer_does(world, client_for,
                                                                                               assigned):
    """pages/handling/views.py ``_assignment_for`` raises ``TakenOff`` for any ended assignment, and ``_unit_form``
    answers "本单位已不再承办该提案" on the inbox. A unit re-routed away and then back (区民政局 → 区司法局 → 区民政局,
    each asking for reassignment) has a new, active assignment: a form of the page opened before is answered with
    that untrue sentence, away from the proposal's work page (before, the work page came back with the form)."""
    lead = assigned.assignments.get(role="lead")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    away = handling.reassignment_request(assignment=lead, by=world.lead_handler, reason="不属于本单位职责")
    judicial = handling.reassignment_approve(request=away, by=world.staff, new_unit=world.units["区司法局"])
    judicial_handler = world.handler_for("区司法局")
    handling.assignment_sign_for(assignment=judicial, by=judicial_handler)
    back = handling.reassignment_request(assignment=judicial, by=judicial_handler, reason="应由区民政局主办")
    handling.reassignment_approve(request=back, by=world.staff, new_unit=world.units["区民政局"])
    assert assigned.assignments.active().filter(unit=world.units["区民政局"]).exists()
    summary = "已电话联系提案人刘安泽，就关爱服务站选址交换了意见。"
    response = client_for(world.lead_handler).post(reverse("handling:contact", args=[lead.pk]), {
        "method": ContactRecord.Method.choices[0][0], "contacted_on": timezone.localdate().isoformat(),
        "summary": summary}, follow=True)
    assert "本单位已不再承办该提案" not in _text(response)
    assert response.redirect_chain and response.redirect_chain[-1][0] == reverse("handling:work",
                                                                                 args=[assigned.pk])
    assert summary in response.content.decode()


# --- Crafted ids: one left in the form whose other id was fixed ---------------------------------------------------


def test_the_awards_form_with_a_unit_id_that_is_not_one_is_not_a_server_error(world, client_for):
    """stats/views.py ``awards``: the proposal's id now goes through ``whole_number``; the unit's, one line below,
    still goes straight to get_object_or_404 (ValueError → 500), as the token's did before this range."""
    client = client_for(world.staff)
    client.raise_request_exception = False
    response = client.post(reverse("stats:awards"), {"unit": "abc"})
    assert response.status_code == 404


# --- The search index's version: moved before the segmentation ----------------------------------------------


def test_indexing_segments_the_text_before_it_writes_anything(world):
    """search/index.py ``index_proposal`` now bumps the committee's ``search`` (and ``public``) versions first, then
    segments title, body and released replies with jieba and writes the document, all in one transaction. The
    UPDATE of core_version takes SQLite's database write lock (on PostgreSQL the committee's version rows) before
    the CPU-bound segmentation, and holds it through it: every other writer (submissions during the plenary, each
    index task of the committee) waits on it. Before this range the first write came after the segmentation."""
    from tian.search import index, text

    p = submitted(world, "关于加强全区未成年人关爱保护工作的建议")
    real, seen = text.analyse, {}

    with CaptureQueriesContext(connection) as captured:
        def spy(*args, **kwargs):
            before = connection.queries[captured.initial_queries:]
            seen["writes"] = [q["sql"] for q in before
                              if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
            return real(*args, **kwargs)

        text.analyse = spy
        try:
            index.index_proposal(p.pk)
        finally:
            text.analyse = real
    assert "writes" in seen
    assert seen["writes"] == [], seen["writes"]


# --- The public API's deadline filter, removed within v1 ----------------------------------------------------------


def test_a_v1_clients_deadline_filter_on_the_public_list_is_not_silently_dropped(world):
    """93dc200 took ``deadline`` out of GET /public/proposals' parameters within v1 (docs/api.md, "Versioning and
    deprecation": a field a client sends is not removed within v1; the changelog files it under "1.2 (added
    fields; nothing changed or removed)" as "Fixed", not as a security fix). A v1 client's ``deadline=overdue``
    is now ignored without a word: it receives every disclosed proposal, none of them overdue."""
    p = replied(world, "关于同意公开的建议")
    services.proposal_disclose(proposal=p, by=world.staff)
    everything = Client().get("/api/v1/public/proposals").json()
    assert everything["total"] == 1
    # What v1 answered: the filter applied, and this proposal is not overdue (the signed-in list still says so).
    assert not Proposal.objects.filter(pk__in=deadline_filter(world.committee, "overdue"), pk=p.pk).exists()
    response = Client().get("/api/v1/public/proposals", {"deadline": "overdue"})
    assert response.status_code == 422 or response.json()["total"] == 0, response.json()


# --- The member's mobile validator and the members saved before it --------------------------------------------


def test_a_member_saved_with_a_hyphenated_mobile_before_the_validator_can_still_be_deactivated(world, client_for):
    """organisations/models.py: ``Member.mobile`` takes ``mobile_validator`` (^1\\d{10}$) and migration 0007 adds it
    with no step for the rows already saved. The member form took any text before (the test of this range says
    so), and the domain writes mobiles "137-9595-2836", "+86 137 9595 2836": such a member can no longer be saved
    at all, not even to be made inactive when they leave the committee, until someone retypes their number."""
    member = Member.objects.create(committee=world.committee, name="李四", sector=world.sector, party=world.party,
                                   mobile="137-9595-2836", workplace="区人民医院")
    member.terms.add(world.term)
    response = client_for(world.staff).post(reverse("organisations:edit", args=["members", member.pk]), {
        "name": "李四", "gender": "", "sector": world.sector.pk, "party": world.party.pk, "mobile": member.mobile,
        "office_phone": "", "workplace": "区人民医院", "terms": [world.term.pk]})
    assert response.status_code in (200, 302)
    assert not Member.objects.get(pk=member.pk).is_active, _text(response)[:2000]


# --- A new draft moves its revision after the commit: the ETag the API answered its creation with is stale -----


def test_the_etag_answering_a_new_draft_lets_the_next_patch_through(world, django_capture_on_commit_callbacks):
    """19ef8a2: ``events.record`` moves the revision for a new draft too (``_moved``, after the commit, by a queryset
    update). POST /proposals answers ``etag(p)`` of the object in memory, revision 0, while the row says 1 once the
    creation committed: the integrator's first PATCH with the ETag it was given (If-Match, docs/api.md) is refused
    412 "changed since you read it", though nobody changed anything. Before this range a new draft moved nothing."""
    from tian.accounts.services import token_create

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.member, name='test')[1]}")
    with django_capture_on_commit_callbacks(execute=True):  # the creation commits, as on a server
        created = client.post("/api/v1/proposals", {"title": "关于完善社区养老服务的建议", "body": "建议。"},
                              content_type="application/json")
    assert created.status_code == 201
    pk, given = created.json()["id"], created["ETag"]
    assert client.get(f"/api/v1/proposals/{pk}")["ETag"] == given
    changed = client.patch(f"/api/v1/proposals/{pk}", {"title": "关于完善农村养老服务的建议"},
                           content_type="application/json", headers={"If-Match": given})
    assert changed.status_code == 200, changed.content
