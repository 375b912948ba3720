"""The public portal: disclosed proposals, their replies, search and open data, for anyone, signed in or not.

Every view reads through ``selectors.disclosed_proposals``; what is not disclosed answers 404 exactly as a
missing id does."""

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tian.core import versions
from tian.core.request_limits import MAX_PAGE_NUMBER, whole_number
from tian.deadlines.services import follow_ups_read, satisfaction
from tian.disclosure.policy import ListDisclosure, public_disclosure, public_text
from tian.handling.models import UnitRole
from tian.organisations.models import Session
from tian.organisations.selectors import current_committee
from tian.portal import selectors
from tian.portal.forms import PortalFilterForm, PortalSearchForm
from tian.proposals.selectors import credited_cosigners
from tian.proposals.timeline import review_detail
from tian.search.filters import chosen
from tian.search.query import search_page
from tian.supervision.selectors import review_text

PAGE_SIZE = 20


def public_nav(request) -> list[dict]:
    """The portal's own header navigation, in place of the staff menu (same shape as ``nav_for``). ("Sign in" is
    the portal's own, on top of every portal page: ``portal/base.html``.)"""
    path = request.path
    index, search, data = reverse("portal:index"), reverse("portal:search"), reverse("portal:data")
    items = [
        # The site's address shows the list to visitors (tian/urls.front_door).
        (_("Disclosed proposals"), index, path in (index, "/") or path.startswith(index + "proposals/")),
        (_("Search"), search, path.startswith(search)),
        (_("Open data"), data, path.startswith(data)),
    ]
    return [{"label": label, "url": url, "active": active} for label, url, active in items]


def _render(request, template: str, context: dict):
    return render(request, template, {"nav_items": public_nav(request), **context})


def _page_number(request) -> int:
    return whole_number(request.GET.get("page"), default=1, maximum=MAX_PAGE_NUMBER)


def _rows(proposals, committee) -> list[dict]:
    """One list row per proposal (reads the ``for_rows`` or ``for_listing`` prefetches)."""
    labels = selectors.outcome_labels(committee)
    rows = []
    for p in proposals:
        units = selectors.units_by_role(p)
        codes = list(dict.fromkeys(r.outcome for r in p.public_replies if r.outcome))
        rows.append({"proposal": p, "title": public_text(p, p.title),
                     "lead_units": units[UnitRole.LEAD] + units[UnitRole.SEPARATE],
                     "outcomes": [labels.get(code, code) for code in codes]})
    return rows


def _public_versions(committee) -> tuple[int, int]:
    """The versions of what the portal's lists show: the committee's disclosed proposals and its names."""
    return versions.read(committee.pk if committee else None, versions.PUBLIC, versions.NAMES)


@require_safe
def index(request):
    # The same for every visitor: kept until a disclosed proposal or a name changes (core/versions.py).
    committee = current_committee()
    public, names = _public_versions(committee)
    key = ("portal_index", committee.pk if committee else None, public, names, get_language(), request.GET.urlencode())
    body = versions.cached(key, lambda: _index_body(request, committee, public, names))
    return _render(request, "portal/index.html", {"body": body})


def _facets(committee, disclosed, public: int, names: int):
    """The filters' choices and counts, which change only when a disclosed proposal or a name does: kept rather
    than counted over every disclosed proposal again."""
    return versions.cached(("portal_facets", committee.pk if committee else None, public, names),
                           lambda: selectors.facets(disclosed))


def _index_body(request, committee, public: int, names: int) -> str:
    disclosed = selectors.disclosed_proposals(committee)
    facets = _facets(committee, disclosed, public, names)
    form = PortalFilterForm(request.GET, disclosed=disclosed, facets=facets)
    if form.filtered():
        page = Paginator(selectors.for_rows(selectors.newest_first(form.apply(disclosed))), PAGE_SIZE).get_page(
            _page_number(request))
        proposals = list(page.object_list)
    else:
        # The order of the whole list, kept with the counts: newest session first, so the sessions' and terms'
        # numbers (names) order it too.
        ids = versions.cached(("portal_order", committee.pk if committee else None, public, names), lambda: list(
            selectors.newest_first(disclosed).values_list("pk", flat=True)))
        page = Paginator(ids, PAGE_SIZE).get_page(_page_number(request))
        found = {p.pk: p for p in selectors.for_rows(disclosed.filter(pk__in=list(page.object_list)))}
        proposals = [found[pk] for pk in page.object_list if pk in found]
    return render_to_string("portal/_index_body.html", {
        "form": form, "filtered": form.filtered(), "page": page, "rows": _rows(proposals, committee),
        "total": facets.total, "request": request,
    })


@require_safe
def detail(request, pk: int):
    committee = current_committee()
    proposal = selectors.get_disclosed_proposal(committee, pk)
    policy = public_disclosure(proposal)
    letters = [{"letter": policy.letter(reply), "reply": reply, "supervision": review_text(reply)}
               for reply in policy.replies(selectors.public_replies(proposal))]
    units = selectors.units_by_role(proposal)
    return _render(request, "portal/detail.html", {
        "proposal": proposal,
        "title": policy.text(proposal.title),
        "body_paragraphs": [policy.text(p) for p in proposal.body_paragraphs],
        "cosigners": credited_cosigners(proposal),
        "review_detail": review_detail(proposal, policy),
        "lead_units": units[UnitRole.LEAD],
        "assisting_units": units[UnitRole.ASSISTING],
        "separate_units": units[UnitRole.SEPARATE],
        "letters": letters,
        # 回头看: the units' reports of what became of their B-class replies, read as the replies are (the policy).
        "follow_ups": [{"follow_up": f, "report": report} for f, report in follow_ups_read(proposal, policy)]
        if letters else [],
        # The public reads the lead proposer's rating only (the policy): no feedback, no co-signers' ratings.
        "satisfaction": satisfaction(proposal, selectors.lead_evaluation(proposal)),
    })


@require_safe
def search(request):
    # The same for every visitor: the form with its counts and the results, kept per query, filters and page until a
    # disclosed proposal or a name changes (core/versions.py), so a word many people look for is searched once per
    # change and the filters' counts are not built again for every visitor.
    committee = current_committee()
    public, names = _public_versions(committee)
    key = ("portal_search", committee.pk if committee else None, public, names, get_language(), request.GET.urlencode())
    body = versions.cached(key, lambda: _search_body(request, committee, public, names))
    return _render(request, "portal/search.html", {"body": body})


def _search_body(request, committee, public: int, names: int) -> str:
    disclosed = selectors.disclosed_proposals(committee)
    form = PortalSearchForm(request.GET, disclosed=disclosed, facets=_facets(committee, disclosed, public, names))
    query = form.filters().get("q", "").strip()
    # The filter fields with their counts (a committee's 200 units) are the same whatever words are searched for:
    # kept per the filters chosen, so that a new query renders only its box and its results.
    filters = versions.cached(
        ("portal_filters", committee.pk if committee else None, public, names, get_language(), chosen(request.GET)),
        lambda: render_to_string("includes/filter_fields.html", {"form": form}))
    context = {"form": form, "query": query, "request": request,
               "filters": mark_safe(filters)}  # noqa: S308 - our own template's output, kept as text
    if query:
        context["results"] = _search_results(request, form, disclosed, query)
    return render_to_string("portal/_search_body.html", context)


def _search_results(request, form, disclosed, query) -> str:
    # The same search as the signed-in one, its highlights cut from the text the public may read.
    result, page_number = search_page(form.apply(disclosed), query, _page_number(request), PAGE_SIZE,
                                      committee=current_committee(),
                                      policy_for=lambda proposals: ListDisclosure(AnonymousUser(), proposals),
                                      disclosed=True)
    hits = [{"proposal": hit.proposal, "title_html": hit.title_html, "snippet_html": hit.snippet_html}
            for hit in result.hits]
    return render_to_string("portal/_search_results.html", {
        "hits": hits, "total": result.total, "more": result.more, "request": request,
        "page": Paginator(range(result.total), PAGE_SIZE).get_page(page_number)})


@require_safe
def data(request):
    committee = current_committee()
    sessions = (Session.objects.filter(term__committee=committee)
                .annotate(disclosed=Count("proposals", filter=Q(proposals__is_public=True,
                                                                 proposals__committee=committee)))
                .select_related("term").order_by("-year", "-term__number", "-number"))
    return _render(request, "portal/data.html", {
        "sessions": [s for s in sessions if s.disclosed],
        "total": selectors.disclosed_proposals(committee).count(),
    })
