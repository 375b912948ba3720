"""Search for signed-in users (scoped to what each may see), the live similar-proposals panel and
merge candidates at review."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.core import versions
from tian.core.calendar import corrections_version
from tian.core.request_limits import MAX_PAGE_NUMBER, whole_number
from tian.deadlines.status import PROPOSAL_DUE_PREFETCH
from tian.disclosure.policy import ListDisclosure, for_display
from tian.organisations.selectors import current_committee
from tian.proposals import workflow
from tian.proposals.models import MERGE_TARGETS, OUT_OF_WORK, State
from tian.proposals.selectors import get_proposal_for, visibility_key, visible_proposals
from tian.search.filters import SEARCH, ProposalFilterForm, chosen
from tian.search.query import search_page, similar_proposals

PAGE_SIZE = 20


@login_required
def search(request):
    committee = current_committee()
    proposals, names, indexed = versions.read(committee.pk if committee else None, versions.PROPOSALS,
                                              versions.NAMES, versions.SEARCH)
    form = ProposalFilterForm(request.GET or None, committee=committee, names=SEARCH, text=_("Search words"),
                              current=(proposals, names))
    # The filter fields with the committee's choices (its 200 units) are the same whatever is searched for: kept per
    # the filters chosen, until a name changes or a year appears.
    years = tuple(value for value, _label in form.fields["year"].choices)
    filters = versions.cached(
        ("search_filters", committee.pk if committee else None, names, years, get_language(), chosen(request.GET)),
        lambda: render_to_string("includes/filter_fields.html", {"form": form}))
    if form.is_valid() and form.cleaned_data["q"].strip():
        # The results of a query are kept per viewer (what they may see and read), query, filters and page, until any
        # of the committee's proposals or names changes: paging through them or coming back asks the database once.
        # The calendar and the day: the deadline filter counts working days (``deadlines.filters``).
        key = ("search", committee.pk if committee else None, proposals, names, indexed, corrections_version(),
               timezone.localdate(), visibility_key(request.user), get_language(), request.GET.urlencode())
        results = versions.cached(key, lambda: _results(request, form, committee))
    else:
        results = _results(request, form, committee)
    return render(request, "search/search.html", {
        "form": form,
        "filters": mark_safe(filters),  # noqa: S308 - our own template's output, kept as text
        "results": mark_safe(results)})  # noqa: S308 - our own template's output, kept as text


def _results(request, form, committee) -> str:
    context = {"request": request}
    if form.is_valid() and any(v for v in form.cleaned_data.values()):
        d = form.cleaned_data
        base = form.apply(visible_proposals(request.user).filter(committee=committee).exclude(state=State.DRAFT))
        page_number = whole_number(request.GET.get("page"), default=1, maximum=MAX_PAGE_NUMBER)
        if d["q"].strip():
            result, page_number = search_page(base, d["q"], page_number, PAGE_SIZE, committee=committee,
                                              policy_for=lambda proposals: ListDisclosure(request.user, proposals))
            context.update(hits=result.hits, total=result.total, more=result.more, searched=True,
                           page=Paginator(range(result.total), PAGE_SIZE).get_page(page_number))
        else:
            page = Paginator(base.select_related("lead_member", "collective", "category").prefetch_related(
                *PROPOSAL_DUE_PREFETCH).order_by("-year", "number"), PAGE_SIZE).get_page(page_number)
            context.update(listing=for_display(request.user, page.object_list), total=page.paginator.count,
                           searched=True, page=page)
    # Without the context processors (the layout's): the results read only ``request``, for the pages' links.
    return render_to_string("search/_results.html", context)


@require_permission(Perm.SUBMIT_PROPOSALS, Perm.ENTER_ON_BEHALF)
def similar(request):
    """htmx: the proposals most like what the author is writing, earlier years included."""
    data = request.POST if request.method == "POST" else request.GET
    title, body = data.get("title", "")[:200], data.get("body", "")[:5000]
    exclude = data.get("proposal")
    found = []
    if len(title.strip()) + len(body.strip()) >= 6:
        base = visible_proposals(request.user).exclude(state__in=OUT_OF_WORK)
        found = similar_proposals(base, title, body, exclude_pk=whole_number(exclude))
        for_display(request.user, [s.proposal for s in found])
    return render(request, "search/_similar.html", {"similar": found})


def merge_candidates(user, proposal):
    """For review: proposals of the same year that say much the same, with a similarity score."""
    base = visible_proposals(user).filter(committee_id=proposal.committee_id, year=proposal.year).filter(
        state__in=MERGE_TARGETS)
    found = similar_proposals(base, proposal.title, proposal.full_body, exclude_pk=proposal.pk, threshold=0.25)
    for_display(user, [s.proposal for s in found])  # the titles as the reader may read them, as ``similar``
    return found


@login_required
def candidates(request, pk):
    """The proposals this one could be merged into, for whoever may merge it now (as the proposal page offers them)."""
    proposal = get_proposal_for(request.user, pk)
    if not workflow.allowed(request.user, proposal, "merge"):
        raise PermissionDenied
    return render(request, "search/_similar.html", {"similar": merge_candidates(request.user, proposal),
                                                    "merge_from": proposal})
