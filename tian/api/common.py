"""What the API's routers share: refusals, the forms' checks on typed input, paging and scoped reads."""

import math

from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from ninja import Body

from tian.api.errors import FieldErrors
from tian.api.schemas import ErrorOut
from tian.disclosure.policy import ListDisclosure, disclosure_for
from tian.handling.models import Assignment, Reply
from tian.proposals.selectors import get_proposal_for, get_proposal_row_for

# The body of an operation whose fields are all optional: it may be left out (schema: not required, not null).
OPTIONAL = Body(None)
ERRORS = {status: ErrorOut for status in (400, 401, 403, 404, 409, 413, 422, 429)}


def valid(form) -> dict:
    """The form's cleaned data, or 422 with its errors under the request schema's field names (the forms' names)."""
    if not form.is_valid():
        raise FieldErrors({field: [str(m) for m in messages] for field, messages in form.errors.items()})
    return form.cleaned_data


def form_data(payload, **overrides) -> dict:
    """A request schema's values as a form's data (ids, dates and booleans as they are; lists as lists)."""
    data = {name: value for name, value in payload.model_dump().items() if value is not None}
    data.update(overrides)
    return data


def page(request, qs, number: int, size: int, item) -> dict:
    """One page of ``qs``: past the end it is empty, never the last page again (a client looping until an empty
    page stops). ``item(rows)`` turns the page's rows into answers."""
    total = qs.count()
    pages = max(1, math.ceil(total / size))
    offset = (number - 1) * size
    rows = list(qs[offset:offset + size]) if offset < total else []

    def url(n):
        query = QueryDict(mutable=True)
        query.update(request.GET)
        query["page"] = str(n)
        return f"{request.path}?{query.urlencode()}"

    return {"items": item(rows), "total": total, "page": number, "pages": pages, "page_size": size,
            "next": url(number + 1) if number < pages else None,
            "previous": url(min(number - 1, pages)) if number > 1 else None}


def list_items(user, rows, summary) -> list[dict]:
    policy = ListDisclosure(user, rows)
    return [summary(p, policy.text) for p in rows]


def assignment_for(request, assignment_id: int) -> Assignment:
    """Fetch-and-authorize: an assignment of a proposal the caller may open, as the disclosure policy lets them
    read it (``Disclosure.assignment_visible``), else 404."""
    assignment = get_object_or_404(Assignment.objects.select_related("proposal", "unit"), pk=assignment_id)
    proposal = get_proposal_row_for(request.user, assignment.proposal_id, ties=not assignment.is_active)
    if not assignment.is_active and not disclosure_for(request.user, proposal).assignment_visible(assignment):
        raise Http404
    return assignment


def reply_for(request, reply_id: int) -> Reply:
    """Fetch-and-authorize: a reply the caller may read (the disclosure policy), else 404."""
    reply = get_object_or_404(Reply.objects.select_related("proposal", "unit"), pk=reply_id)
    proposal = get_proposal_for(request.user, reply.proposal_id)
    if not disclosure_for(request.user, proposal).reply_visible(reply):
        raise Http404
    reply.proposal = proposal
    return reply
