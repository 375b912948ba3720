"""The API's answers built from the rows, read through the disclosure policy (what each viewer sees) and the
workflow (which actions, so which ``links``, the viewer has now). No rule is decided here."""

from tian.deadlines.models import ExtensionRequest
from tian.deadlines.performable import may_cosign, performable
from tian.deadlines.services import awaited_follow_ups, follow_ups_read, may_request_extension, satisfaction
from tian.deadlines.status import unit_due
from tian.disclosure.policy import Disclosure, disclosure_for
from tian.handling.lifecycle import REPLY
from tian.handling.models import (
    Assignment,
    AssistingOpinion,
    ContactRecord,
    Evaluation,
    ReassignmentRequest,
    Reply,
    ReplyCoSignature,
    UnitRole,
)
from tian.handling.services import (
    adjustment_refusal,
    unit_steps,
)
from tian.proposals import workflow
from tian.proposals.models import CoSignature, Proposal
from tian.proposals.selectors import credited_cosigners
from tian.proposals.timeline import review_detail, timeline
from tian.supervision.selectors import review_text

BASE = "/api/v1"

# The lifecycle's transitions on the proposal itself and the operation that performs each.
PROPOSAL_ACTIONS = {
    "edit": "", "submit": "/submit", "withdraw": "/withdraw", "register": "/register", "decline": "/decline",
    "merge": "/merge", "return": "/return", "assign": "/assign", "set_key": "/key", "rehandle": "/rehandle", "close": "/close",
    "disclose": "/disclose", "evaluate": "/evaluate", "record_paper_evaluation": "/paper-evaluation",
    "invite_cosigners": "/invitations", "record_paper_cosigners": "/invitations",
    "record_supervision_activity": "/supervision-activities",
}


def proposal_url(pk: int, *, public: bool = False) -> str:
    """The proposal's address: the signed-in operation's, or for a caller without a token the public one, the
    only one it may call."""
    return f"{BASE}/public/proposals/{pk}" if public else f"{BASE}/proposals/{pk}"


def is_public(user) -> bool:
    """A caller without a token (the public operations'): every address it is given must answer it."""
    return not getattr(user, "is_authenticated", False)


def summary(p: Proposal, text=None, *, public: bool = False) -> dict:
    """A proposal in a list; ``text(p, value)`` is the disclosure policy's reading of its title, ``public`` whether
    the list is the public's (its addresses are the public operations')."""
    title = text(p, p.title) if text else p.title
    return {"id": p.pk, "year": p.year, "number": p.number, "number_year": p.number_year, "title": title,
            "kind": p.kind, "state": p.state, "state_label": str(p.get_state_display()),
            "proposer": p.proposer_name, "category": p.category.name if p.category_id else None,
            "is_key": p.is_key, "is_public": p.is_public, "submitted_at": p.submitted_at,
            "links": {"self": proposal_url(p.pk, public=public)}}


# The steps a unit takes on its own assignment: offered as its assignment's lifecycle and its unit's page offer them.
def proposal_links(user, p: Proposal, available=None) -> dict:
    """``self``, the invitations and one address per action the caller may perform now (``available``: the
    actions as ``performable`` says them, where the caller has them already)."""
    available = performable(user, p) if available is None else available
    links = {"self": proposal_url(p.pk), "invitations": f"{proposal_url(p.pk)}/invitations"}
    for name in available:
        if name in PROPOSAL_ACTIONS:
            links[name] = proposal_url(p.pk) + PROPOSAL_ACTIONS[name]
    if "respond_cosign" in available:  # the caller's own open invitation: its answers
        member_id = getattr(user, "acting_member_id", None)
        mine = next((c for c in p.cosignatures.all() if member_id and c.member_id == member_id
                     and c.is_open_invitation), None)
        if mine is not None:
            links["accept_invitation"] = f"{BASE}/invitations/{mine.pk}/accept"
            links["decline_invitation"] = f"{BASE}/invitations/{mine.pk}/decline"
    return links


def changed_proposal(user, p: Proposal) -> dict:
    """The answer of an action on a proposal: the proposal as the caller may read it, with its new state and the
    addresses of what the caller may do next."""
    policy = disclosure_for(user, p)
    return {**summary(p, lambda _p, value: policy.text(value)), "links": proposal_links(user, p)}


def draft(p: Proposal) -> dict:
    return {"title": p.title, "body": p.body, "background": p.background, "analysis": p.analysis,
            "suggestions": p.suggestions, "category": p.category_id,
            "suggested_units": sorted(u.pk for u in p.suggested_units.all()),
            "disclosure_consent": p.disclosure_consent, "non_disclosure_reason": p.non_disclosure_reason,
            "contact_name": p.contact_name, "contact_phone": p.contact_phone, "contact_address": p.contact_address}


def _review(p: Proposal, policy: Disclosure) -> dict:
    """审查结果 as the pages say it (``review_detail``: what ``policy`` lets the caller see beside it)."""
    said = review_detail(p, policy)
    return {"review_result": said.result, "decline_ground": said.ground, "decline_forward": said.forward,
            "merged_into": said.merged_into.pk if said.merged_into else None}


def _contact_records(assignments: list[Assignment], policy: Disclosure) -> list[dict]:
    """The units' contact records (办前沟通), as the proposal page lists them: those of the units at work on it."""
    if not policy.contacts:
        return []
    rows = ContactRecord.objects.filter(assignment__in=assignments).select_related("assignment__unit")
    return [contact_out(c, policy.others_text(c.summary)) for c in rows.order_by("contacted_on", "id")]


def detail(user, p: Proposal) -> dict:
    """The proposal as the disclosure policy lets ``user`` (signed in or not) see it."""
    policy = disclosure_for(user, p)
    public = is_public(user)
    rows = list(p.replies.select_related("unit", "assignment")
                .prefetch_related("cosignatures__unit", "reviews__office").order_by("round", "assignment__role", "id"))
    available = set() if public else performable(user, p, replies=rows)
    replies = [reply_out(user, reply, policy=policy, proposal=p) for reply in policy.replies(rows)]
    history = [
        {"at": row["event"].at, "action": row["event"].action, "label": str(row["label"]),
         "actor": str(row["event"].actor) if row["event"].actor else None, "from_state": row["event"].from_state,
         "to_state": row["event"].to_state, "note": row["note"], "details": row["details"]}
        for row in timeline(p.events.select_related("actor"), policy)]
    evaluations = Evaluation.objects.filter(proposal=p).select_related("member", "collective").order_by("round", "at")
    lead = next((e for e in reversed(evaluations) if e.is_lead), None)
    said = satisfaction(p, lead)
    assignments = [a for a in p.assignments.all() if a.is_active]
    decisions = {} if public else _decisions(p, available)
    follow_ups = follow_ups_read(p, policy) if rows else []
    reports = {} if public else _follow_up_links(user, p, available, [f for f, _report in follow_ups])
    attachments = list(p.attachments.all()) if policy.attachments else []
    return {
        **summary(p, lambda _p, value: policy.text(value), public=public),
        "kind_label": p.kind_label, "is_plenary": p.is_plenary if p.submitted_at else None,
        "suggested_units": [u.name for u in p.suggested_units.all()],
        "disclosure_consent": p.disclosure_consent, "non_disclosure_reason": policy.text(p.non_disclosure_reason),
        "attachments": [{"id": f.pk, "name": f.name, "size": f.size, "uploaded_at": f.uploaded_at}
                        for f in attachments],
        "links": {"self": proposal_url(p.pk, public=True)} if public else proposal_links(user, p, available),
        "number_bracket": p.number_bracket, "number_session": p.number_session, "session": p.session.name,
        "body": policy.text(p.full_body), "cosigners": [m.name for m in credited_cosigners(p)],
        "assignments": [assignment_out(user, a, p, policy=policy, decisions=decisions) for a in assignments],
        "supervising_offices": [o.name for o in p.supervising_offices.all()],
        "lead_officials": [o.name for o in p.lead_officials.all()], "assigned_on": p.assigned_on,
        "replies": replies,
        # Everyone who sees the proposal reads the lead proposer's rating; the rest as the policy allows.
        "lead_rating": lead.result if lead else None,
        "satisfaction": said.text, "evaluation_open_until": said.open_until,
        "evaluations": [evaluation_out(e, policy, public=public) for e in policy.evaluations(evaluations)],
        "timeline": history,
        **_review(p, policy),
        "contact": p.contact_details() if policy.proposer_contact else None,
        "contact_records": _contact_records(assignments, policy),
        "follow_ups": [{"id": f.pk, "unit": f.reply.unit.name, "reply_id": f.reply_id, "due_on": f.due_on,
                        "report": report, "reported_at": f.reported_at, "on_paper": f.on_paper,
                        "links": reports.get(f.pk, {})} for f, report in follow_ups],
        "actions": sorted(available),
        "editable": draft(p) if "edit" in available else None,
    }


def assignment_out(user, a: Assignment, proposal: Proposal | None = None, *, policy: Disclosure | None = None,
                   decisions: dict | None = None) -> dict:
    """An assignment. Its status and deadlines are for those who may read the proposal's history (where they are
    told: the office, the units, supervision, the proposers), as the pages show them; the public and readers with no
    tie read the unit and its role. ``decisions``: the addresses of the decisions the caller may take on the units'
    pending requests, by assignment (``detail``)."""
    proposal = proposal or a.proposal
    policy = policy or disclosure_for(user, proposal)
    fields = {"id": a.pk, "proposal_id": a.proposal_id, "unit": {"id": a.unit_id, "name": a.unit.name},
              "role": a.role, "status": None, "assigned_on": a.assigned_on, "deadline": None, "due": None,
              "reassignment_deadline": None, "proposal_state": proposal.state}
    due = unit_due(a, proposal)
    if policy.history:
        fields.update(status=a.status, deadline=a.deadline, due={"day": due.day, "task": due.task, "done": due.done},
                      reassignment_deadline=a.reassignment_deadline)
    if is_public(user):  # no address of an assignment answers the public
        return {**fields, "links": {"proposal": proposal_url(a.proposal_id, public=True)}}
    url = f"{BASE}/assignments/{a.pk}"
    links = {"self": url, "proposal": proposal_url(a.proposal_id)}
    # What the unit may do now, as its page offers it and the services take it.
    steps = unit_steps(user, proposal, a)
    for step, path in (("sign_for", "/sign"), ("request_reassignment", "/reassignment"), ("record_contact", "/contact"),
                       ("send_opinion", "/opinion"), ("write_reply", "/reply")):
        if step in steps:
            links[step] = url + path
    if may_request_extension(user, proposal, a):
        links["request_extension"] = url + "/extension"
    # The office's: this unit's part given to another unit, where the service would take it.
    if workflow.allowed(user, proposal, "adjust_assignment") and adjustment_refusal(proposal, a) is None:
        links["adjust_assignment"] = url + "/adjust"
    # 催办 of a unit that still owes something (``remind_manually``), as the office's page offers it.
    if a.is_active and not due.done and (workflow.allowed(user, proposal, "remind") or _leads_beside(user, proposal, a)):
        links["remind"] = url + "/remind"
    links.update((decisions or {}).get(a.pk, {}))
    return {**fields, "links": links}


def _leads_beside(user, proposal: Proposal, a: Assignment) -> bool:
    """Whether ``user``'s unit leads ``proposal`` and ``a`` is an assisting unit's part its reply waits for: the lead
    unit reminds it (``deadlines.services.assisting_remind``), as its work page offers."""
    unit_id = getattr(user, "unit_id", None)
    return (a.role == UnitRole.ASSISTING and unit_id is not None and workflow.allowed(user, proposal, "write_reply")
            and any(x.unit_id == unit_id and x.role == UnitRole.LEAD and x.is_active
                    for x in proposal.assignments.all()))


def _decisions(p: Proposal, available: set[str]) -> dict[int, dict]:
    """The addresses of the decisions on the units' pending requests (退办, 延期) the caller may take, by assignment."""
    found: dict[int, dict] = {}
    if "decide_reassignment" in available:
        for r in ReassignmentRequest.objects.filter(assignment__proposal=p, status=ReassignmentRequest.Status.PENDING):
            found.setdefault(r.assignment_id, {})["decide_reassignment"] = f"{BASE}/reassignments/{r.pk}/decision"
    if "decide_extension" in available:
        for r in ExtensionRequest.objects.filter(assignment__proposal=p, status=ExtensionRequest.Status.PENDING):
            found.setdefault(r.assignment_id, {})["decide_extension"] = f"{BASE}/extensions/{r.pk}/decision"
    return found


def _follow_up_links(user, p: Proposal, available: set[str], follow_ups: list) -> dict[int, dict]:
    """The report address of each follow-up the caller may report now: the unit its own awaited ones, the office any
    awaited one received on paper (``follow_up_report``)."""
    if not {"report_follow_up", "record_paper_follow_up"} & available:
        return {}
    awaited = set(awaited_follow_ups(p).values_list("pk", flat=True))
    unit_id = getattr(user, "unit_id", None)
    return {f.pk: {"report": f"{BASE}/follow-ups/{f.pk}/report"} for f in follow_ups if f.pk in awaited and (
        "record_paper_follow_up" in available or ("report_follow_up" in available and f.reply.unit_id == unit_id))}


def reply_out(user, reply: Reply, *, policy: Disclosure | None = None, proposal: Proposal | None = None) -> dict:
    proposal = proposal or reply.proposal
    policy = policy or disclosure_for(user, proposal)
    letter = policy.letter(reply)
    url = f"{BASE}/replies/{reply.pk}"
    signatures = list(reply.cosignatures.all())
    if is_public(user):  # no address of a reply or an assignment answers the public
        links = {"proposal": proposal_url(reply.proposal_id, public=True)}
    else:
        links = {"self": url, "proposal": proposal_url(reply.proposal_id),
                 "assignment": f"{BASE}/assignments/{reply.assignment_id}"}
        if reply.unit_id == getattr(user, "unit_id", None) and REPLY.permits(user, proposal, reply, "submit"):
            links["submit"] = url + "/submit"
        if may_cosign(user, proposal, reply, signatures):
            links["cosign"] = url + "/cosign"
        if REPLY.permits(user, proposal, reply, "approve"):
            links["approve"], links["return"] = url + "/approve", url + "/return"
    # Supervision's comments are for the people working on the proposal, as the proposal page shows them.
    reviews = [{"office": r.office.name, "decision": r.decision, "comments": policy.others_text(r.comments),
                "at": r.at} for r in reply.reviews.all()] if policy.insider else []
    return {"id": reply.pk, "proposal_id": reply.proposal_id, "assignment_id": reply.assignment_id,
            "unit": reply.unit.name, "round": reply.round, "status": reply.status, "outcome": reply.outcome,
            "title": letter.title, "salutation": letter.salutation, "paragraphs": letter.paragraphs,
            "date": letter.date_text, "contact_line": letter.contact_line, "outcome_text": letter.outcome_text,
            "print_title": letter.print_title, "document_number": reply.document_number, "signer": reply.signer,
            "unit_full_name": letter.unit_name, "signature_units": letter.signature_units,
            "cosign_date": letter.cosign_date_text, "supervision_review": review_text(reply), "reviews": reviews,
            "cosignatures": [cosignature_out(s) for s in signatures], "proposal_state": proposal.state,
            "links": links}


def cosignature_out(s: ReplyCoSignature) -> dict:
    return {"unit": {"id": s.unit_id, "name": s.unit.name}, "signed_at": s.signed_at}


def assignment_opinions(user, a: Assignment, proposal: Proposal) -> list[dict]:
    """The opinions (会办意见) an assisting unit sent the lead unit on assignment ``a``, as the disclosure policy lets
    ``user`` read them (``contacts``): the units' work pages show them, the lead unit's all of them."""
    policy = disclosure_for(user, proposal)
    if not policy.contacts:
        return []
    return [opinion_out(o, policy.others_text(o.body)) for o in a.opinions.select_related("assignment__unit")]


def evaluation_out(e: Evaluation, policy: Disclosure, proposal_state=None, *, public: bool = False) -> dict:
    return {"id": e.pk, "proposal_id": e.proposal_id, "evaluator": e.evaluator_name, "round": e.round,
            "result": e.result, "attitude": e.attitude or None, "contacted": e.contacted,
            "feedback": policy.feedback(e), "on_paper": e.on_paper, "proposal_state": proposal_state,
            "links": {"proposal": proposal_url(e.proposal_id, public=public)}}


def contact_out(c: ContactRecord, summary: str) -> dict:
    """A contact record; ``summary`` as the disclosure policy lets the caller read it."""
    a = c.assignment
    return {"id": c.pk, "assignment_id": a.pk, "proposal_id": a.proposal_id, "unit": {"id": a.unit_id,
            "name": a.unit.name}, "method": c.method, "contacted_on": c.contacted_on, "summary": summary,
            "links": {"proposal": proposal_url(a.proposal_id), "assignment": f"{BASE}/assignments/{a.pk}"}}


def opinion_out(o: AssistingOpinion, body: str) -> dict:
    """An assisting opinion; ``body`` as the disclosure policy lets the caller read it."""
    a = o.assignment
    return {"id": o.pk, "assignment_id": a.pk, "proposal_id": a.proposal_id, "unit": {"id": a.unit_id,
            "name": a.unit.name}, "body": body, "sent_at": o.sent_at,
            "links": {"proposal": proposal_url(a.proposal_id), "assignment": f"{BASE}/assignments/{a.pk}"}}


def invitation_out(user, c: CoSignature, title: str, *, may_withdraw: bool = False, opens: bool = True) -> dict:
    """An invitation; ``title`` is the proposal's title as the caller may read it, ``may_withdraw`` whether the
    caller may withdraw the proposal's invitations (the workflow's ``invite_cosigners``), ``opens`` whether the
    proposal opens to the caller (a declined or lapsed invitation no longer opens a draft: no link to it)."""
    url = f"{BASE}/invitations/{c.pk}"
    links = {"proposal": proposal_url(c.proposal_id)} if opens else {}
    status = c.effective_status
    if status == CoSignature.Status.INVITED:
        if getattr(user, "acting_member_id", None) == c.member_id:
            links["accept"], links["decline"] = url + "/accept", url + "/decline"
        if may_withdraw:
            links["withdraw"] = url + "/withdraw"
    return {"id": c.pk, "proposal_id": c.proposal_id, "proposal_title": title,
            "member": {"id": c.member_id, "name": c.member.name}, "order": c.order, "status": status,
            "invited_at": c.invited_at, "expires_at": c.expires_at, "responded_at": c.responded_at, "links": links}
