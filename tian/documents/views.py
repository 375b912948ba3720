"""Downloads of the official documents, each for the roles that may see what it contains."""

import functools
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm, has_permission
from tian.audit.log import audit_download
from tian.core import throttle
from tian.disclosure.policy import disclosure_for
from tian.documents import content
from tian.documents.render import to_docx, to_pdf
from tian.handling.models import Assignment, Reply
from tian.organisations.models import Session, Unit
from tian.organisations.selectors import current_committee
from tian.proposals.models import IN_HANDLING, Proposal
from tian.proposals.selectors import get_proposal_for


def in_chinese(view):
    """Official documents are in Chinese whatever the reader's language: ``view`` builds and renders its document
    with Chinese as the active language (the words it shares with the pages: a kind, a role, a review result)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with translation.override("zh-hans"):
            return view(*args, **kwargs)
    return wrapped


def throttled(view):
    """A document is made while the request waits and holds a server process (a session's compilation for
    seconds): one account may ask for ``DOCUMENTS_PER_MINUTE`` a clock minute, then is asked to wait for the rest of
    it, and nothing is read or made."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if throttle.count("documents", request.user.pk) > settings.DOCUMENTS_PER_MINUTE:
            response = render(request, "documents/too_many.html", {"per_minute": settings.DOCUMENTS_PER_MINUTE},
                              status=429)
            response["Retry-After"] = str(throttle.seconds_left())
            return response
        return view(request, *args, **kwargs)
    return wrapped


TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _send(request, document: content.Document, fmt: str, object_type: str = "", object_id="") -> HttpResponse:
    if fmt not in TYPES:
        raise Http404
    audit_download(request, f"{document.title}.{fmt}", object_type, object_id)
    data = to_docx(document) if fmt == "docx" else to_pdf(document)
    response = HttpResponse(data, content_type=TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.title)}.{fmt}"
    return response


@login_required
@throttled
@in_chinese
def reply_letter(request, pk, fmt):
    reply = get_object_or_404(Reply.objects.select_related("proposal"), pk=pk)
    proposal = get_proposal_for(request.user, reply.proposal_id)
    policy = disclosure_for(request.user, proposal)
    if not policy.reply_visible(reply):
        raise Http404
    reply.proposal = proposal
    return _send(request, content.reply_letter(reply, policy), fmt, "proposal", reply.proposal_id)


@login_required
@throttled
@in_chinese
def proposal_form(request, pk, fmt):
    proposal = get_proposal_for(request.user, pk)
    document = content.proposal_form(proposal, disclosure_for(request.user, proposal))
    return _send(request, document, fmt, "proposal", proposal.pk)


@login_required
def proposal_print(request, pk):
    """A print view of the proposal: the proposal form as a clean page the browser prints."""
    proposal = get_proposal_for(request.user, pk)
    with translation.override("zh-hans"):  # the document, as the downloads (``in_chinese``); the page around it not
        document = content.proposal_form(proposal, disclosure_for(request.user, proposal))
    return render(request, "documents/print.html", {"document": document, "printable": True})


@login_required
@throttled
@in_chinese
def assignment_notice(request, unit_pk, fmt):
    """The office prints any unit's notice; a unit handler only their own unit's."""
    committee = current_committee()
    unit = get_object_or_404(Unit, pk=unit_pk, committee=committee)
    if not has_permission(request.user, Perm.ASSIGN):
        if not (has_permission(request.user, Perm.HANDLE) and request.user.unit_id == unit.pk):
            raise PermissionDenied
    assignments = list(Assignment.objects.filter(unit=unit, proposal__state__in=IN_HANDLING).active()
        .select_related("proposal__lead_member", "proposal__collective").order_by("assigned_on", "proposal__number")
        .prefetch_related("opinions", "replies", "proposal__replies__cosignatures"))  # what ``unit_due`` reads
    return _send(request, content.assignment_notice(unit, assignments, committee), fmt, "unit", unit.pk)


@require_permission(Perm.VIEW_ALL_PROPOSALS)
@throttled
@in_chinese
def compilation(request, session_pk, fmt):
    session = get_object_or_404(Session.objects.select_related("term__committee"), pk=session_pk,
                                term__committee=current_committee())
    proposals = content.with_records(Proposal.objects.filter(session=session, number__isnull=False)
                                     .select_related("lead_member", "collective", "category", "session__term",
                                                     "committee").order_by("number"))
    document = content.compilation(session, proposals, lambda p: disclosure_for(request.user, p))
    return _send(request, document, fmt, "session", session.pk)


@require_permission(Perm.VIEW_ALL_PROPOSALS)
def index(request):
    committee = current_committee()
    sessions = Session.objects.filter(term__committee=committee).select_related("term").order_by("-year")
    units = Unit.objects.filter(committee=committee, is_active=True)
    return render(request, "documents/index.html", {"sessions": sessions, "units": units})
