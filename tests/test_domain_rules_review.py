"""TiAn against domain.md's rules, from a review: each test asserts what domain.md asks for, quoted in its comment,
and says what TiAn did before.

Set-ups go through the public services (with their ``at`` moment where a date matters); the behaviour under review
is read or done through the pages or the API, as a user would.
"""

import datetime
import re
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from tian.accounts.services import token_create
from tian.handling import services as handling
from tian.organisations.models import Session
from tian.proposals import services
from tian.proposals.models import CoSignature, Proposal, TopicCategory

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return datetime.datetime(y, m, d, h, tzinfo=TZ)


def api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='review')[1]}")


def fresh(p):
    return Proposal.objects.get(pk=p.pk)


def draft(world, title, *, when, member=None, body="建议。"):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    member = member or world.member
    return services.proposal_create_draft(by=member, committee=world.committee, lead_member=member.member,
                                          title=title, body=body, category=category, at=when)


def registered(world, title, *, when, body="建议。"):
    p = draft(world, title, when=when, body=body)
    p = services.proposal_submit(proposal=p, by=world.member, at=when)
    return services.proposal_register(proposal=p, by=world.staff, at=when)


def replied(world, title, *, assigned_at, released_at, separate=False, body="建议。"):
    """A proposal assigned to 区民政局 as lead (and 区财政局 as a separate unit), no supervising office: the lead unit's
    reply is released when it is submitted."""
    p = registered(world, title, when=assigned_at, body=body)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 separate_units=[world.units["区财政局"]] if separate else [],
                                 assigned_on=assigned_at.date(), at=assigned_at)
    lead = p.assignments.get(role="lead")
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler, at=assigned_at)
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000",
                                reply_date=released_at.date(), at=released_at)
    handling.reply_submit(reply=reply, by=world.lead_handler, at=released_at)
    return fresh(p)


def _messages(response) -> list[str]:
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Members who left, co-signing at the turn of the year -------------------------------------------------------


def test_a_member_who_left_the_committee_cannot_submit_a_proposal(world):
    # domain.md, roles: "委员 | member | a committee member | drafts and submits proposals". TiAn itself refuses an
    # inactive member as a co-signer ("is not an active member of this committee") and offers only active members to
    # staff entering paper proposals, but a member marked inactive still submits through the API (and the pages).
    from django.utils import timezone

    p = draft(world, "关于完善社区养老服务的建议", when=timezone.now())
    member = world.member.member
    member.is_active = False
    member.save()
    response = api(world.member).post(f"/api/v1/proposals/{p.pk}/submit", content_type="application/json")
    assert fresh(p).state == "draft", (response.status_code, "a former member's proposal went to the office")


def test_an_invitation_during_the_plenary_gets_the_plenary_window_for_a_draft_begun_last_year(world):
    # domain.md, Co-signing: "invitations expire after a committee-set window (e.g. 3 hours during the plenary, 1 day
    # otherwise)". A draft begun in December belongs to last year's session until it is submitted, and TiAn reads
    # the plenary window of that session: an invitation sent during this year's plenary stays open a whole day.
    Session.objects.create(term=world.term, number=4, year=2024, submissions_open_on=datetime.date(2024, 1, 8),
                           plenary_start=datetime.date(2024, 2, 13), plenary_end=datetime.date(2024, 2, 16),
                           plenary_deadline=datetime.date(2024, 2, 16))
    begun_in_december = draft(world, "关于加强冬季安全生产的建议", when=at(2023, 12, 20))
    begun_in_plenary = draft(world, "关于加强春季农业生产的建议", when=at(2024, 2, 14))
    for p in (begun_in_december, begun_in_plenary):
        services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member], at=at(2024, 2, 14))
    windows = {p.title: CoSignature.objects.get(proposal=p).expires_at - at(2024, 2, 14)
               for p in (begun_in_december, begun_in_plenary)}
    assert windows[begun_in_plenary.title] == datetime.timedelta(hours=3)
    assert windows[begun_in_december.title] == datetime.timedelta(hours=3), windows


# --- Merging and withdrawing ------------------------------------------------------------------------------------


def merged_into_another(world) -> tuple[Proposal, Proposal]:
    """徐丽娟's proposal merged by the office into 刘安泽's, both just submitted: (the merged one, the one kept)."""
    from django.utils import timezone

    now = timezone.now()
    merged = services.proposal_submit(proposal=draft(world, "关于整治河道垃圾的建议", when=now, member=world.cosigner),
                                      by=world.cosigner, at=now)
    survivor = services.proposal_submit(proposal=draft(world, "关于加强河道环境治理的建议", when=now),
                                        by=world.member, at=now)
    services.proposal_merge(proposal=merged, into=survivor, by=world.staff)
    return merged, survivor


def test_a_proposal_others_were_merged_into_cannot_be_withdrawn_from_under_them(world, client_for):
    # domain.md, lifecycle: "merged into another proposal (并案; every proposer keeps credit)"; "withdrawn (撤案, by
    # the proposer, before registration)". The office merges 徐丽娟's proposal into 刘安泽's (still under review);
    # 刘安泽 then withdraws his: 徐丽娟's proposal stays "merged" into a withdrawn one, handled by nobody, for ever.
    merged, survivor = merged_into_another(world)
    client_for(world.member).post(reverse("proposals:action", args=[survivor.pk, "withdraw"]), {"note": ""})
    assert not (fresh(survivor).state == "withdrawn" and fresh(merged).state == "merged"), \
        "the merged proposal is left merged into a withdrawn proposal"


def test_a_submissions_answer_offers_withdrawing_only_where_nothing_was_merged_in(world):
    # The answer of an action (API) says what the author may do next, read with the row. The office merged 徐丽娟's
    # proposal into 刘安泽's, then returned his for revision; submitted again, it is not offered "withdraw" (the merged
    # one would be left merged into nothing), while a proposal nobody was merged into is.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    _merged, survivor = merged_into_another(world)
    services.proposal_return(proposal=fresh(survivor), by=world.staff, note="请补充具体建议。")
    alone = draft(world, "关于增设公交站点的建议", when=timezone.now())
    member = api(world.member)
    for proposal, withdrawable in ((survivor, False), (alone, True)):
        with CaptureQueriesContext(connection) as asked:
            answer = member.post(f"/api/v1/proposals/{proposal.pk}/submit", {}, content_type="application/json")
        # ... asked with the row it answers from, not by a query of its own for the merged proposals
        assert not any(re.search(r'"merged_into_id" = %s|"merged_into_id" = \d', q["sql"]) for q in asked.captured_queries)
        assert answer.status_code == 200 and answer.json()["state"] == "submitted", answer.content
        assert ("withdraw" in answer.json()["links"]) is withdrawable, answer.json()["links"]
        assert ("withdraw" in member.get(f"/api/v1/proposals/{proposal.pk}").json()["links"]) is withdrawable


# --- Body length --------------------------------------------------------------------------------------------------


def test_a_three_part_body_within_the_cap_can_be_submitted(world, client_for):
    # domain.md, The proposal: "body (free text, or three parts 背景情况 / 问题分析 / 具体建议; committees cap the
    # length, e.g. 2,500 characters)". The draft form counts the three parts (2,500: accepted), the submission counts
    # them with the headings TiAn adds ("正文共 2517 字，字数上限为 2500"): the member cannot submit what they saved.
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    member = client_for(world.member)
    saved = member.post(reverse("proposals:new"), {
        "title": "关于推进城乡教育均衡发展的建议", "category": category.pk, "body": "", "kind": "member",
        "background": "甲" * 800, "analysis": "乙" * 800, "suggestions": "丙" * 900, "disclosure_consent": "on"})
    assert saved.status_code == 302
    p = Proposal.objects.get(title="关于推进城乡教育均衡发展的建议")
    response = member.post(reverse("proposals:action", args=[p.pk, "submit"]))
    assert fresh(p).state == "submitted", _messages(response)


# --- Statistics -----------------------------------------------------------------------------------------------------


def test_contact_after_the_reply_does_not_count_as_contacted_before_reply(world):
    # domain.md, What gets measured: "contacted before reply (面商率)"; Handling: "contacts the proposer before replying
    # (办前沟通 …)". Here the lead unit released its reply on 6-5 and recorded its only contact on 6-10 (the separate
    # unit recorded none): TiAn counts the proposal as contacted, 面商率 100 %.
    p = replied(world, "关于加强社区矫正工作的建议", assigned_at=at(2023, 3, 16), released_at=at(2023, 6, 5),
                separate=True)
    lead = p.assignments.get(role="lead")
    handling.contact_record(assignment=lead, by=world.lead_handler, method="phone",
                            contacted_on=datetime.date(2023, 6, 10), summary="答复后回访。", at=at(2023, 6, 10))
    separate = p.assignments.get(role="separate")
    handling.assignment_sign_for(assignment=separate, by=world.other_handler, at=at(2023, 6, 11))
    reply = handling.reply_save(assignment=separate, by=world.other_handler, body="答复。", outcome="B",
                                contact_name="王", contact_phone="0839-8620000",
                                reply_date=datetime.date(2023, 6, 12), at=at(2023, 6, 12))
    handling.reply_submit(reply=reply, by=world.other_handler, at=at(2023, 6, 12))
    assert fresh(p).state == "replied"
    figures = api(world.staff).get("/api/v1/stats", {"year": 2023}).json()
    assert figures["replied"] == 1
    assert figures["contacted"] == 0, figures


# --- Who sees what ------------------------------------------------------------------------------------------------


def test_a_mobile_written_with_spaced_hyphens_is_masked_for_the_public(world):
    # domain.md, Who sees what: "personal mobiles … public: masked"; "Mobiles are masked however written: 137****2836
    # for 13795952836, +86 137 9595 2836, 137-9595-2836, full-width digits." Written "137 - 9595 - 2836" in the
    # body, the number is shown in full on the public portal and in the public API.
    p = replied(world, "关于方便群众办事的建议", assigned_at=at(2023, 3, 16), released_at=at(2023, 6, 5),
                body="群众可拨打137 - 9595 - 2836咨询。")
    services.proposal_disclose(proposal=fresh(p), by=world.staff, at=at(2023, 6, 6))
    page = Client().get(reverse("portal:detail", args=[p.pk])).content.decode()
    public_api = Client().get(f"/api/v1/public/proposals/{p.pk}").content.decode()
    assert "9595 - 2836" not in page
    assert "9595 - 2836" not in public_api


def test_the_units_and_the_office_see_the_proposers_contact_details(world, client_for):
    # domain.md, The proposal: fields include "contact details"; Who sees what: "personal mobiles, addresses … office
    # staff: yes; lead/assisting unit: the proposer's contact they need; supervisor: yes"; Handling: the unit "contacts
    # the proposer before replying (办前沟通: visit, phone, meeting …)". The contact person and phone the proposer
    # gave are shown on no page: not the unit's work page, not the office's proposal page, not the print view.
    from django.utils import timezone

    now = timezone.now()
    p = draft(world, "关于加快老旧小区改造的建议", when=now)
    services.proposal_update_draft(proposal=p, by=world.member, contact_name="王秘书", contact_phone="13795952836")
    p = services.proposal_submit(proposal=fresh(p), by=world.member, at=now)
    p = services.proposal_register(proposal=p, by=world.staff, at=now)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]], at=now)
    handling.assignment_sign_for(assignment=p.assignments.get(role="lead"), by=world.lead_handler, at=now)
    work = client_for(world.lead_handler).get(reverse("handling:work", args=[p.pk])).content.decode()
    office = client_for(world.staff).get(p.get_absolute_url()).content.decode()
    assert "王秘书" in work and "13795952836" in work
    assert "王秘书" in office and "13795952836" in office
    assert "13795952836" in client_for(world.member).get(p.get_absolute_url()).content.decode()  # their own
    # Not for a unit the proposal was not assigned to: it cannot open the proposal at all.
    assert client_for(world.other_handler).get(p.get_absolute_url()).status_code in (403, 404)
