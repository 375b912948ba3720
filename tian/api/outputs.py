"""The API's answers built from the rows, read through the disclosure policy (what each viewer sees) and the
workflow (which actions, so which ``links``, the viewer has now). No rule is decided here."""

from tian.deadlines.services import may_request_extension, satisfaction
from tian.deadlines.status import unit_due
from tian.disclosure.policy import Disclosure, disclosure_for
from tian.handling.lifecycle import REPLY
from tian.handling.models import Assignment, Evaluation, Reply, ReplyCoSignature
from tian.handling.services import assisting_assignment, evaluated_now, unit_steps
from tian.proposals import workflow
from tian.proposals.models import CoSignature, Proposal
from tian.proposals.selectors import cosigner_members
from tian.proposals.timeline import ACTION_LABELS
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


def proposal_url(pk: int) -> str:
    return f"{BASE}/proposals/{pk}"


def summary(p: Proposal, text=None) -> dict:
    """A proposal in a list; ``text(p, value)`` is the disclosure policy's reading of its title."""
    title = text(p, p.title) if text else p.title
    return {"id": p.pk, "year": p.year, "number": p.number, "number_year": p.number_year, "title": title,
            "kind": p.kind, "state": p.state, "state_label": str(p.get_state_display()),
            "proposer": p.proposer_name, "category": p.category.name if p.category_id else None,
            "is_key": p.is_key, "is_public": p.is_public, "submitted_at": p.submitted_at,
            "links": {"self": proposal_url(p.pk)}}


def proposal_links(user, p: Proposal, available=None) -> dict:
    available = workflow.available(user, p) if available is None else available
    links = {"self": proposal_url(p.pk), "invitations": f"{proposal_url(p.pk)}/invitations"}
    for name in available:
        if name in PROPOSAL_ACTIONS:
            links[name] = proposal_url(p.pk) + PROPOSAL_ACTIONS[name]
    if "evaluate" in links and evaluated_now(user, p):  # rated this round already: a second rating is refused
        del links["evaluate"]
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


def detail(user, p: Proposal) -> dict:
    """The proposal as the disclosure policy lets ``user`` (signed in or not) see it."""
    policy = disclosure_for(user, p)
    available = workflow.available(user, p) if user.is_authenticated else {}
    replies = [reply_out(user, reply, policy=policy, proposal=p) for reply in policy.replies(
        p.replies.select_related("unit", "assignment").prefetch_related("cosignatures__unit", "reviews")
        .order_by("round", "assignment__role", "id"))]
    timeline = [
        {"at": e.at, "action": e.action, "label": str(ACTION_LABELS.get(e.action, e.action)),
         "actor": str(e.actor) if e.actor else None, "from_state": e.from_state, "to_state": e.to_state,
         "note": policy.note(e)} for e in policy.events(p.events.select_related("actor"))]
    evaluations = Evaluation.objects.filter(proposal=p).select_related("member", "collective").order_by("round", "at")
    lead = next((e for e in reversed(evaluations) if e.is_lead), None)
    said = satisfaction(p, lead)
    return {
        **summary(p, lambda _p, value: policy.text(value)), "links": proposal_links(user, p, available),
        "number_bracket": p.number_bracket, "number_session": p.number_session, "session": p.session.name,
        "body": policy.text(p.full_body), "cosigners": [m.name for m in cosigner_members(p)],
        "assignments": [assignment_out(user, a, p) for a in p.assignments.all() if a.is_active],
        "supervising_offices": [o.name for o in p.supervising_offices.all()],
        "lead_officials": [o.name for o in p.lead_officials.all()], "assigned_on": p.assigned_on,
        "replies": replies,
        # Everyone who sees the proposal reads the lead proposer's rating; the rest as the policy allows.
        "lead_rating": lead.result if lead else None,
        "satisfaction": said.text, "evaluation_open_until": said.open_until,
        "evaluations": [evaluation_out(e, policy) for e in policy.evaluations(evaluations)],
        "timeline": timeline,
        "actions": sorted(available),
        "editable": draft(p) if "edit" in available else None,
    }


def assignment_out(user, a: Assignment, proposal: Proposal | None = None) -> dict:
    proposal = proposal or a.proposal
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
    due = unit_due(a, proposal)
    return {"id": a.pk, "proposal_id": a.proposal_id, "unit": {"id": a.unit_id, "name": a.unit.name}, "role": a.role,
            "status": a.status, "assigned_on": a.assigned_on, "deadline": a.deadline,
            "due": {"day": due.day, "task": due.task, "done": due.done},
            "reassignment_deadline": a.reassignment_deadline, "proposal_state": proposal.state, "links": links}


def reply_out(user, reply: Reply, *, policy: Disclosure | None = None, proposal: Proposal | None = None) -> dict:
    proposal = proposal or reply.proposal
    policy = policy or disclosure_for(user, proposal)
    letter = policy.letter(reply)
    url = f"{BASE}/replies/{reply.pk}"
    links = {"self": url, "proposal": proposal_url(reply.proposal_id),
             "assignment": f"{BASE}/assignments/{reply.assignment_id}"}
    unit_id = getattr(user, "unit_id", None)
    signatures = list(reply.cosignatures.all())
    if getattr(user, "is_authenticated", False):
        if reply.unit_id == unit_id and REPLY.permits(user, proposal, reply, "submit"):
            links["submit"] = url + "/submit"
        if any(s.unit_id == unit_id and not s.signed_at for s in signatures) \
                and REPLY.permits(user, proposal, reply, "cosign") \
                and (own := assisting_assignment(proposal, unit_id)) is not None \
                and "cosign_reply" in unit_steps(user, proposal, own):  # signed for first, as ``reply_cosign`` asks
            links["cosign"] = url + "/cosign"
        if REPLY.permits(user, proposal, reply, "approve"):
            links["approve"], links["return"] = url + "/approve", url + "/return"
    return {"id": reply.pk, "proposal_id": reply.proposal_id, "assignment_id": reply.assignment_id,
            "unit": reply.unit.name, "round": reply.round, "status": reply.status, "outcome": reply.outcome,
            "title": letter.title, "salutation": letter.salutation, "paragraphs": letter.paragraphs,
            "date": letter.date_text, "contact_line": letter.contact_line, "outcome_text": letter.outcome_text,
            "print_title": letter.print_title, "document_number": reply.document_number, "signer": reply.signer,
            "unit_full_name": letter.unit_name, "signature_units": letter.signature_units,
            "cosign_date": letter.cosign_date_text, "supervision_review": review_text(reply),
            "cosignatures": [cosignature_out(s) for s in signatures], "proposal_state": proposal.state,
            "links": links}


def cosignature_out(s: ReplyCoSignature) -> dict:
    return {"unit": {"id": s.unit_id, "name": s.unit.name}, "signed_at": s.signed_at}


def evaluation_out(e: Evaluation, policy: Disclosure, proposal_state=None) -> dict:
    return {"id": e.pk, "proposal_id": e.proposal_id, "evaluator": e.evaluator_name, "round": e.round,
            "result": e.result, "attitude": e.attitude or None, "contacted": e.contacted,
            "feedback": policy.feedback(e), "on_paper": e.on_paper, "proposal_state": proposal_state,
            "links": {"proposal": proposal_url(e.proposal_id)}}


def invitation_out(user, c: CoSignature, title: str, *, may_withdraw: bool = False) -> dict:
    """An invitation; ``title`` is the proposal's title as the caller may read it, ``may_withdraw`` whether the
    caller may withdraw the proposal's invitations (the workflow's ``invite_cosigners``)."""
    url = f"{BASE}/invitations/{c.pk}"
    links = {"proposal": proposal_url(c.proposal_id)}
    status = c.effective_status
    if status == CoSignature.Status.INVITED:
        if getattr(user, "acting_member_id", None) == c.member_id:
            links["accept"], links["decline"] = url + "/accept", url + "/decline"
        if may_withdraw:
            links["withdraw"] = url + "/withdraw"
    return {"id": c.pk, "proposal_id": c.proposal_id, "proposal_title": title,
            "member": {"id": c.member_id, "name": c.member.name}, "order": c.order, "status": status,
            "invited_at": c.invited_at, "expires_at": c.expires_at, "responded_at": c.responded_at, "links": links}
