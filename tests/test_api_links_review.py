"""Review: the API's links and actions, crawled.

docs/api.md promises that every answer's ``links`` are the addresses of what the caller may do next ("Every address
an answer links to answers its caller") and that a proposal's ``actions`` name what the caller may perform now, one
address per action. These tests build proposals in many states through the services (as tests/conftest.py and the
other tests do), then, for each role, start from GET /api/v1/proposals/{id}, the lists and the inbox, follow every
link of every answer (nested ones too), POST a minimal body to every action link (rolled back) and compare a few
fields with the HTML pages the same viewer reads.
"""

import datetime
import html
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tian.accounts.services import token_create
from tian.deadlines import services as deadlines
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.proposals import services
from tian.proposals.models import DeclineGround, Proposal, TopicCategory
from tian.supervision import services as supervision

TODAY = datetime.date.today()
A_YEAR_ON = TODAY + datetime.timedelta(days=400)
B = "/api/v1"

FEEDBACK = "联系不够深入希望再沟通"
CONTACT_SUMMARY = "电话沟通办理思路已达成一致"
REVIEW_COMMENT = "请补充落实时间表"
OPINION = "建议增加社区服务站"


# The zoo: proposals in many lifecycle states -------------------------------------------------------------------------

def _category(world):
    return TopicCategory.objects.get(committee=world.committee, name="社会建设")


def _draft(world, title, *, invite=True):
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body="建议。", category=_category(world),
                                       contact_phone="13795952836")
    if invite:
        services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])
    return Proposal.objects.get(pk=p.pk)


def _submitted(world, title):
    p = _draft(world, title)
    c = p.cosignatures.get()
    services.cosign_respond(cosignature=c, by=world.cosigner, accept=True)
    return services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member)


def _registered(world, title):
    return services.proposal_register(proposal=_submitted(world, title), by=world.staff)


def _assigned(world, title, *, key=True):
    p = _registered(world, title)
    extra = dict(is_key=True, lead_officials=[world.lead_official], supervising_offices=[world.offices["区政府办公室"]]) \
        if key else {}
    return handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                    assisting_units=[world.units["区教科局"]], **extra)


def _signed(world, title, **kw):
    p = _assigned(world, title, **kw)
    handling.assignment_sign_for(assignment=p.assignments.get(role="lead"), by=world.lead_handler)
    handling.assignment_sign_for(assignment=p.assignments.get(role="assisting"), by=world.assisting_handler)
    return Proposal.objects.get(pk=p.pk)


def _reply_draft(world, title, outcome="A", **kw):
    p = _signed(world, title, **kw)
    lead = p.assignments.get(role="lead")
    handling.contact_record(assignment=lead, by=world.lead_handler, method="phone", contacted_on=TODAY,
                            summary=CONTACT_SUMMARY)
    handling.opinion_send(assignment=p.assignments.get(role="assisting"), by=world.assisting_handler, body=OPINION)
    handling.reply_save(assignment=lead, by=world.lead_handler, body="答复正文。", outcome=outcome, contact_name="贺威",
                        contact_phone="0839-8620000", reply_date=TODAY)
    return Proposal.objects.get(pk=p.pk)


def _cosigning(world, title, **kw):
    p = _reply_draft(world, title, **kw)
    handling.reply_submit(reply=p.replies.get(), by=world.lead_handler)
    return Proposal.objects.get(pk=p.pk)


def _supervision(world, title, **kw):
    p = _cosigning(world, title, **kw)
    handling.reply_cosign(reply=p.replies.get(), by=world.assisting_handler)
    assert p.replies.get().status == Reply.Status.SUPERVISION
    return Proposal.objects.get(pk=p.pk)


def _replied(world, title, **kw):
    p = _supervision(world, title, **kw)
    supervision.reply_approve(reply=p.replies.get(), by=world.supervisor, comments=REVIEW_COMMENT)
    p = Proposal.objects.get(pk=p.pk)
    assert p.state == "replied"
    return p


def build_zoo(world) -> dict[str, Proposal]:
    zoo = {}
    zoo["draft"] = _draft(world, "关于草稿状态的建议")
    zoo["submitted"] = _submitted(world, "关于已提交状态的建议")
    returned = _submitted(world, "关于退回修改状态的建议")
    zoo["returned"] = services.proposal_return(proposal=returned, by=world.staff, note="请补充具体建议")
    zoo["registered"] = _registered(world, "关于已立案状态的建议")
    zoo["assigned"] = _assigned(world, "关于已交办状态的建议")
    zoo["signed"] = _signed(world, "关于已签收状态的建议")
    zoo["reply_draft"] = _reply_draft(world, "关于答复草稿状态的建议")
    zoo["cosigning"] = _cosigning(world, "关于会签中状态的建议")
    zoo["supervision"] = _supervision(world, "关于督办审核中状态的建议")
    zoo["replied"] = _replied(world, "关于已答复状态的建议")
    evaluated = _replied(world, "关于已评价状态的建议")
    handling.evaluation_submit(proposal=evaluated, by=world.member, result="satisfied", feedback=FEEDBACK)
    zoo["evaluated"] = Proposal.objects.get(pk=evaluated.pk)
    rehandling = _replied(world, "关于重新办理状态的建议")
    handling.evaluation_submit(proposal=rehandling, by=world.member, result="dissatisfied", feedback=FEEDBACK)
    zoo["rehandling"] = Proposal.objects.get(pk=rehandling.pk)
    assert zoo["rehandling"].state == "rehandling"
    closed = _replied(world, "关于已办结状态的建议")
    handling.evaluation_submit(proposal=closed, by=world.member, result="satisfied", feedback=FEEDBACK)
    services.proposal_close(proposal=Proposal.objects.get(pk=closed.pk), by=world.staff)
    zoo["closed"] = services.proposal_disclose(proposal=Proposal.objects.get(pk=closed.pk), by=world.staff)
    target = _submitted(world, "关于并案目标的建议")
    zoo["merge_target"] = target
    zoo["merged"] = services.proposal_merge(proposal=_submitted(world, "关于被并案的建议"), into=target,
                                            by=world.staff)
    ground = DeclineGround.objects.filter(committee=world.committee).first()
    zoo["declined"] = services.proposal_decline(proposal=_submitted(world, "关于不予立案的建议"), by=world.staff,
                                                ground=ground, forward="opinion")
    follow = _replied(world, "关于回头看的建议", outcome="B")
    handling.evaluation_submit(proposal=follow, by=world.member, result="satisfied")
    services.proposal_close(proposal=Proposal.objects.get(pk=follow.pk), by=world.staff)
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 1
    zoo["follow_up"] = Proposal.objects.get(pk=follow.pk)
    reassign = _assigned(world, "关于退办申请待审批的建议")
    handling.reassignment_request(assignment=reassign.assignments.get(role="lead"), by=world.lead_handler,
                                  reason="不属于本单位职责")
    zoo["reassignment"] = Proposal.objects.get(pk=reassign.pk)
    extend = _signed(world, "关于延期申请待审批的建议")
    lead = extend.assignments.get(role="lead")
    deadlines.extension_request(assignment=lead, by=world.lead_handler,
                                requested_deadline=lead.deadline + datetime.timedelta(days=30), reason="需要调研")
    zoo["extension"] = Proposal.objects.get(pk=extend.pk)
    # 调整承办单位 in rehandling: the first reply's unit is taken off, its reply stays.
    adjusted = _replied(world, "关于调整承办单位的建议")
    handling.evaluation_submit(proposal=adjusted, by=world.member, result="dissatisfied")
    adjusted = Proposal.objects.get(pk=adjusted.pk)
    handling.assignment_adjust(assignment=adjusted.assignments.get(role="lead", status="signed"), by=world.staff,
                               new_unit=world.units["区司法局"], reason="机构改革")
    zoo["adjusted"] = Proposal.objects.get(pk=adjusted.pk)
    # 退办 approved: the unit leaves before replying.
    moved = _assigned(world, "关于退办已批准的建议")
    request = handling.reassignment_request(assignment=moved.assignments.get(role="lead"), by=world.lead_handler,
                                            reason="不属于本单位职责")
    handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units["区司法局"])
    zoo["reassigned"] = Proposal.objects.get(pk=moved.pk)
    # Invitations the co-signer can no longer answer: declined, lapsed, withdrawn with the proposal.
    declined = _draft(world, "关于联名已谢绝的建议")
    services.cosign_respond(cosignature=declined.cosignatures.get(), by=world.cosigner, accept=False)
    zoo["invitation_declined"] = declined
    lapsed = _draft(world, "关于联名已过期的建议")
    lapsed.cosignatures.update(expires_at=lapsed.cosignatures.get().invited_at - datetime.timedelta(minutes=1))
    zoo["invitation_lapsed"] = lapsed
    zoo["withdrawn"] = services.proposal_withdraw(proposal=_draft(world, "关于已撤案的建议"), by=world.member)
    returned_reply = _supervision(world, "关于答复被退回的建议")
    supervision.reply_return(reply=returned_reply.replies.get(), by=world.supervisor, comments=REVIEW_COMMENT)
    zoo["reply_returned"] = Proposal.objects.get(pk=returned_reply.pk)
    second = _replied(world, "关于第二轮会签的建议")
    handling.evaluation_submit(proposal=second, by=world.member, result="dissatisfied")
    lead = second.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="第二次答复。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000", reply_date=TODAY)
    handling.reply_submit(reply=reply, by=world.lead_handler)
    zoo["second_cosigning"] = Proposal.objects.get(pk=second.pk)
    paper = services.proposal_create_draft(by=world.staff, committee=world.committee, lead_member=world.member.member,
                                           title="关于代录提案的建议", body="建议。", category=_category(world))
    zoo["paper"] = paper
    collective = services.proposal_create_draft(by=world.collective, committee=world.committee,
                                                collective=world.collective_org, title="关于集体提案的建议",
                                                body="建议。", category=_category(world))
    zoo["collective"] = services.proposal_submit(proposal=collective, by=world.collective)
    return zoo


# The crawler ---------------------------------------------------------------------------------------------------------

class Api:
    def __init__(self, user=None):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='crawl')[1]}") if user \
            else Client()

    def get(self, url):
        return self.client.get(url)

    def send(self, method, url, body, then=None):
        """An action, tried and rolled back: the zoo stays as it was for the next link. ``then(response)`` runs
        before the rollback (to follow the answer's own links in the state the action left)."""
        with transaction.atomic():
            r = getattr(self.client, method)(url, body, content_type="application/json")
            if then is not None:
                then(r)
            transaction.set_rollback(True)
        cache.clear()
        return r


# GET addresses: the resources an answer names.
GET_PATTERNS = [re.compile(B + p + "$") for p in (
    r"/proposals/\d+", r"/public/proposals/\d+", r"/proposals/\d+/invitations", r"/assignments/\d+",
    r"/replies/\d+", r"/invitations/\d+", r"/units/\d+/hand-over", r"/proposals(\?.*)?", r"/public/proposals(\?.*)?")]
# The names of the links that are read (GET); ``edit`` is a PATCH; every other name is an action (POST).
READ_NAMES = {"self", "proposal", "assignment", "reply", "invitations"}


def is_readable(url: str) -> bool:
    return any(p.match(url) for p in GET_PATTERNS)


def minimal_body(world, zoo, url: str) -> dict:
    """A small valid body for the operation at ``url`` (docs/api.md, the request schemas)."""
    units = world.units
    bodies = [
        (r"/proposals/\d+/decline$", {"ground": DeclineGround.objects.filter(committee=world.committee).first().pk}),
        (r"/proposals/\d+/merge$", {"into": zoo["merge_target"].pk}),
        (r"/proposals/\d+/return$", {"note": "请修改"}),
        (r"/proposals/\d+/assign$", {"lead_unit": units["区司法局"].pk, "assigned_on": TODAY.isoformat()}),
        (r"/proposals/\d+/key$", {"is_key": False}),
        (r"/proposals/\d+/evaluate$", {"result": "satisfied"}),
        (r"/proposals/\d+/paper-evaluation$", {"result": "satisfied", "member": world.cosigner.member.pk}),
        (r"/proposals/\d+/invitations$", {"members": [world.stranger.member.pk]}),
        (r"/proposals/\d+/supervision-activities$", {"kind": "unit_visit", "held_on": TODAY.isoformat(),
                                                      "participants": "区政府办公室", "notes": "走访。"}),
        (r"/assignments/\d+/reassignment$", {"reason": "不属于本单位"}),
        (r"/assignments/\d+/contact$", {"method": "phone", "contacted_on": TODAY.isoformat(), "summary": "电话。"}),
        (r"/assignments/\d+/opinion$", {"body": "意见。"}),
        (r"/assignments/\d+/reply$", {"body": "答复。", "outcome": "A", "contact_name": "贺威",
                                      "contact_phone": "0839-8620000", "reply_date": TODAY.isoformat()}),
        (r"/assignments/\d+/extension$", {"requested_deadline": (TODAY + datetime.timedelta(days=120)).isoformat(),
                                          "reason": "需要调研"}),
        (r"/assignments/\d+/adjust$", {"unit_id": units["区司法局"].pk, "reason": "机构改革"}),
        (r"/replies/\d+/return$", {"comments": "请修改"}),
        (r"/reassignments/\d+/decision$", {"decision": "refuse", "note": "请继续办理"}),
        (r"/extensions/\d+/decision$", {"decision": "refuse", "note": "请按期办理"}),
        (r"/follow-ups/\d+/report$", {"report": "已完成。"}),
        (r"/units/\d+/hand-over$", {"new_unit": units["区司法局"].pk, "reason": "机构改革"}),
    ]
    for pattern, body in bodies:
        if re.search(pattern, url):
            return body
    return {}


def links_in(answer, where="") -> list[tuple[str, str, str]]:
    """Every (where, name, address) of every ``links`` in an answer, nested ones too; and lists' next/previous."""
    found = []
    if isinstance(answer, dict):
        for key, value in answer.items():
            if key == "links" and isinstance(value, dict):
                found += [(where, name, href) for name, href in value.items() if href]
            elif key in ("next", "previous") and isinstance(value, str):
                found.append((where, "self", value))
            else:
                found += links_in(value, f"{where}.{key}")
    elif isinstance(answer, list):
        for i, item in enumerate(answer):
            found += links_in(item, f"{where}[{i}]")
    return found


def path_of(url: str) -> str:
    return url if url.startswith("/") else "/" + url.split("/", 3)[-1]


def check_answer_links(api: Api, world, zoo, action: str, answer, problems: list, log=None) -> None:
    """The links of an action's answer, in the state the action left: each address read answers, each action
    link is not refused (tried and rolled back)."""
    for where, name, href in links_in(answer):
        href = path_of(href)
        if name in READ_NAMES or (name == "act" and is_readable(href)):
            r = api.get(href)
            if r.status_code != 200:
                problems.append(f"answer of {action}: {where}.links.{name} GET {href} -> {r.status_code}")
            continue
        method = "patch" if name == "edit" else "post"
        r = api.send(method, href, minimal_body(world, zoo, href))
        if log is not None:
            log.append((f"answer of {action}", where, name, href, r.status_code, r.content[:150]))
        if r.status_code in (401, 403, 404, 405, 409):
            body = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else {}
            problems.append(f"answer of {action}: {where}.links.{name}: {method.upper()} {href} -> {r.status_code} "
                            f"{body.get('code')} {body.get('message')}")


def crawl(api: Api, world, zoo, starts: list[str], *, try_actions=True, limit=400, log=None, deep=True
          ) -> tuple[dict, list[str]]:
    """Read ``starts`` and every address they link to; try every action link once (and, ``deep``, the links of its
    answer). Answers by address, problems."""
    answers, problems, tried = {}, [], set()
    queue = list(starts)
    while queue and len(answers) < limit:
        url = queue.pop(0)
        if url in answers:
            continue
        r = api.get(url)
        answers[url] = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else None
        if r.status_code != 200:
            problems.append(f"GET {url} -> {r.status_code} {r.content[:120]!r}")
            continue
        for where, name, href in links_in(answers[url]):
            href = path_of(href)
            if name in READ_NAMES or (name == "act" and is_readable(href)):
                if not is_readable(href):
                    problems.append(f"{url} {where}.links.{name} = {href}: no address of the API to read")
                elif href not in answers:
                    queue.append(href)
                continue
            if not try_actions or (name, href) in tried:
                continue
            tried.add((name, href))
            method = "patch" if name == "edit" else "post"
            action = f"{method.upper()} {href}"
            r2 = api.send(method, href, minimal_body(world, zoo, href), then=(lambda r, action=action: (
                check_answer_links(api, world, zoo, action, r.json(), problems, log)
                if deep and r.status_code < 300 and r.content else None)))
            if log is not None:
                log.append((url, where, name, href, r2.status_code, r2.content[:150]))
            if r2.status_code in (401, 403, 404, 405, 409):
                body = r2.json() if r2.headers.get("Content-Type", "").startswith("application/json") else {}
                problems.append(f"{url} {where}.links.{name}: {method.upper()} {href} -> {r2.status_code} "
                                f"{body.get('code')} {body.get('message')}")
    return answers, problems


# Where each action's address is: the proposal's links (by the action's name), an assignment's, a reply's, a
# follow-up's.
IN_ASSIGNMENT = {"sign_for", "request_reassignment", "record_contact", "send_opinion", "write_reply",
                 "request_extension", "adjust_assignment", "remind", "decide_reassignment", "decide_extension"}
IN_REPLY = {"cosign_reply": "cosign", "review_reply": "approve"}
IN_FOLLOW_UP = {"report_follow_up", "record_paper_follow_up"}


def unlinked_actions(answer: dict) -> set[str]:
    """The names of ``actions`` that have no address anywhere in the proposal's answer."""
    missing = set()
    for name in answer["actions"]:
        if name in answer["links"]:
            continue
        if name == "respond_cosign" and {"accept_invitation", "decline_invitation"} <= set(answer["links"]):
            continue  # its two answers (API 1.9)
        if name in IN_ASSIGNMENT and any(name in a["links"] for a in answer["assignments"]):
            continue
        if name in IN_REPLY and any(IN_REPLY[name] in r["links"] for r in answer["replies"]):
            continue
        if name in IN_FOLLOW_UP and any("report" in f["links"] for f in answer["follow_ups"]):
            continue
        missing.add(name)
    return missing


ROLES = ["member", "cosigner", "lead_handler", "assisting_handler", "supervisor", "official", "staff", "admin",
         "stranger", "other_handler", "collective"]


@pytest.fixture
def zoo(world):
    return build_zoo(world)


def _starts(world, zoo):
    return [f"{B}/proposals/{p.pk}" for p in zoo.values()] + [
        f"{B}/proposals?page_size=100", f"{B}/proposals?page_size=3&page=2", f"{B}/inbox", f"{B}/invitations",
        f"{B}/units/{world.units['区民政局'].pk}/hand-over"]


SKIP_KEYS = {"links", "state", "kind", "role", "status", "result", "attitude", "outcome", "method", "decision",
             "action", "from_state", "to_state", "at", "submitted_at", "invited_at", "expires_at", "responded_at",
             "signed_at", "uploaded_at", "reported_at", "sent_at", "actions", "review_result", "decline_forward",
             "state_label", "proposal_state", "task", "print_title", "lead_rating"}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")


def strings_of(answer, where="") -> list[tuple[str, str]]:
    found = []
    if isinstance(answer, dict):
        for k, v in answer.items():
            if k in SKIP_KEYS:
                continue
            found += strings_of(v, f"{where}.{k}")
    elif isinstance(answer, list):
        for i, v in enumerate(answer):
            found += strings_of(v, f"{where}[{i}]")
    elif isinstance(answer, str) and len(answer) >= 2 and not ISO.match(answer):
        found.append((where, answer))
    return found


def page_text(client, url):
    r = client.get(url)
    return r.status_code, html.unescape(re.sub(r"\s+", " ", r.content.decode()))




# The crawl ----------------------------------------------------------------------------------------------------------

def _crawl_as(world, zoo, role) -> tuple[dict, list[str]]:
    api = Api(getattr(world, role))
    starts = [url for url in _starts(world, zoo) if api.get(url).status_code == 200]  # what the caller may open
    answers, problems = crawl(api, world, zoo, starts)
    for url, answer in answers.items():
        if isinstance(answer, dict) and "actions" in answer:
            missing = unlinked_actions(answer)
            if missing:
                problems.append(f"{url} ({answer['state']}): actions {sorted(missing)} have no address in the answer")
    return answers, problems


def test_every_link_answers_and_every_action_has_an_address_for_every_role(world, zoo):
    """docs/api.md: "Every address an answer links to answers its caller", links name "what the caller may do next"
    and a proposal has "one [link] per action the caller may perform now". For each role, across the zoo: each link
    read answers 200, each action link (and each link of that action's own answer) is not refused with 403/404/405/409,
    each name of ``actions`` has an address in the answer. Fails now with the defects the tests below single out."""
    problems, read = [], {}
    for role in ROLES:
        answers, found = _crawl_as(world, zoo, role)
        read[role] = answers
        problems += [f"{role}: {p}" for p in found]
    # The crawl reached what it should: every role's work, the office's hand-over page.
    assert all(len(read[r]) > 50 for r in ("member", "lead_handler", "assisting_handler", "supervisor", "staff"))
    assert f"{B}/units/{world.units['区民政局'].pk}/hand-over" in read["staff"]
    assert problems == [], "\n".join(problems)


def test_the_public_answers_link_only_public_addresses_that_answer(world, zoo):
    """Holds (guard): without a token every link is a public address that answers, lists' pages included; the
    public proposal has no actions and names no operation that needs a token."""
    api = Api()
    starts = [f"{B}/public/proposals", f"{B}/public/proposals?page_size=1&page=1"] + [
        f"{B}/public/proposals/{p.pk}" for p in zoo.values()]
    starts = [url for url in starts if api.get(url).status_code == 200]
    assert f"{B}/public/proposals/{zoo['closed'].pk}" in starts  # the disclosed one
    answers, problems = crawl(api, world, zoo, starts)
    assert problems == [], "\n".join(problems)
    hrefs = [path_of(h) for a in answers.values() for _w, _n, h in links_in(a)]
    assert hrefs and all(h.startswith(f"{B}/public/proposals") for h in hrefs), hrefs
    assert answers[f"{B}/public/proposals/{zoo['closed'].pk}"]["actions"] == []


def test_the_api_shows_no_text_the_proposal_page_or_portal_hides_from_the_same_viewer(world, zoo, client_for):
    """Holds (guard): every text of GET /proposals/{id} (units, names, bodies, letters, comments, feedback, contact
    records, history, follow-ups …) is on the proposal page the same viewer reads; every text of the public answer is
    on the portal's page. One rule for every output (domain.md, "Who sees what")."""
    hidden = []
    for role in ROLES + ["anon"]:
        user = getattr(world, role, None)
        api = Api(user)
        client = client_for(user) if user else Client()
        for name, p in zoo.items():
            r = api.get(f"{B}/public/proposals/{p.pk}" if user is None else f"{B}/proposals/{p.pk}")
            if r.status_code != 200:
                continue
            page = reverse("portal:detail", args=[p.pk]) if user is None else reverse("proposals:detail", args=[p.pk])
            status, text = page_text(client, page)
            assert status == 200, (role, name)
            hidden += [(role, name, where, value) for where, value in strings_of(r.json()) if value not in text]
    assert hidden == []


# The defects, one each ------------------------------------------------------------------------------------------------

def test_supervision_returning_a_reply_answers_the_reply_not_404(world):
    """A supervising office returns a reply (督办审核: return with comments). The reply's ``links.return`` offers it
    and the service does it, but the answer is ``404 not_found``: the answer is read back through ``reply_for``, and
    a returned reply is no longer one the office may read. An integrator is told the reply does not exist, though it
    was returned; a retry is 404 again, never the 409 that would tell it the first went through. docs/api.md: "Write
    answers are the resource that changed" — the caller should get 200 with the reply, ``status: returned``."""
    p = _supervision(world, "关于督办退回答复的建议")
    reply = p.replies.get()
    supervisor = Api(world.supervisor)
    offered = supervisor.get(f"{B}/proposals/{p.pk}").json()["replies"][0]["links"]
    assert offered["return"] == f"{B}/replies/{reply.pk}/return"
    r = supervisor.client.post(offered["return"], {"comments": REVIEW_COMMENT}, content_type="application/json")
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.RETURNED  # done …
    assert r.status_code == 200, r.content  # … yet answered as if it did not exist
    assert r.json()["status"] == "returned"


def test_an_answered_invitations_proposal_link_answers_the_member(world):
    """The invited co-signer declines through the API (POST /invitations/{id}/decline). The answer's
    ``links.proposal`` is /proposals/{id}, which then answers 404: a declined invitation no longer opens the draft
    (the answer even blanks the title for that reason). The same for GET /invitations/{id} of a lapsed invitation.
    docs/api.md: "Every address an answer links to answers its caller" — no ``proposal`` link where it would refuse."""
    cosigner = Api(world.cosigner)
    declined = _draft(world, "关于谢绝联名的建议").cosignatures.get()
    r = cosigner.client.post(f"{B}/invitations/{declined.pk}/decline", content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "declined"
    lapsed = _draft(world, "关于联名过期的建议").cosignatures.get()
    type(lapsed).objects.filter(pk=lapsed.pk).update(expires_at=lapsed.invited_at - datetime.timedelta(minutes=1))
    answers = [r.json(), cosigner.get(f"{B}/invitations/{lapsed.pk}").json()]
    refused = [(a["id"], link, cosigner.get(link).status_code) for a in answers
               for name, link in a["links"].items() if name == "proposal" and cosigner.get(link).status_code != 200]
    assert refused == []


def test_an_invited_cosigners_respond_cosign_action_has_an_address(world):
    """The member invited to co-sign reads the draft: ``actions`` names ``respond_cosign`` (the invitation is open),
    but neither the proposal's links nor any nested object's give an address to answer it: the accept/decline
    addresses are only in another answer (GET /proposals/{id}/invitations). docs/api.md: a proposal has "one [link]
    per action the caller may perform now" (changelog 1.5: ``respond_cosign`` only with an open invitation)."""
    p = _draft(world, "关于邀请联名的建议")
    invitation = p.cosignatures.get()
    answer = Api(world.cosigner).get(f"{B}/proposals/{p.pk}").json()
    assert "respond_cosign" in answer["actions"]
    hrefs = {path_of(h) for _w, _n, h in links_in(answer)}
    assert f"{B}/invitations/{invitation.pk}/accept" in hrefs, sorted(hrefs)


def test_the_lead_units_reminder_of_an_assisting_unit_is_offered_where_it_is_taken(world):
    """The lead unit reminds the assisting unit that still owes its opinion (催办, changelog 1.2: POST
    /assignments/{id}/remind "by the lead unit on an assisting unit's assignment sends the lead unit's reminder"; its
    work page offers it too). The POST is taken (201), but the assisting unit's assignment carries no ``remind`` link
    for the lead unit and ``actions`` does not name it: a client that follows links never finds it
    (``deadlines/performable.py``: "nothing the service takes is left unoffered")."""
    p = _signed(world, "关于主办单位催办协办单位的建议")
    assisting = p.assignments.get(role="assisting")
    lead = Api(world.lead_handler)
    answer = lead.get(f"{B}/proposals/{p.pk}").json()
    links = next(a["links"] for a in answer["assignments"] if a["id"] == assisting.pk)
    r = lead.send("post", f"{B}/assignments/{assisting.pk}/remind", {})
    assert r.status_code == 201, r.content  # the service takes it
    assert links.get("remind") == f"{B}/assignments/{assisting.pk}/remind", links
