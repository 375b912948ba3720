"""The statistics page, the list behind each number, and Excel downloads."""

import datetime
import functools

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm, has_permission
from tian.core.request_limits import whole_number
from tian.disclosure.policy import for_display, with_contacts_readable
from tian.handling.models import UnitRole
from tian.organisations.models import Unit
from tian.organisations.selectors import current_committee
from tian.proposals.models import Proposal
from tian.proposals.selectors import visibility_key, visible_proposals
from tian.stats import awards as year_end
from tian.stats import exports, freshness, kpis, warming
from tian.stats.definitions import DEFINITIONS
from tian.stats.page import ScopeForm, role_labels, scope_for
from tian.stats.page import figures as scope_figures


def _scope(request) -> tuple[kpis.Scope, ScopeForm]:
    return scope_for(current_committee(), request.GET)


def or_being_computed(view):
    """``view``, or, while another process computes the figures it needs and there are none earlier to show, a page
    saying so that loads itself again in a few seconds (503 with ``Retry-After``: a download is tried again)."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except freshness.BeingComputed:
            response = render(request, "stats/being_computed.html", {"again": request.get_full_path()},
                              status=503)
            response["Retry-After"] = str(RETRY_AFTER)
            return response
    return wrapped


RETRY_AFTER = 3  # seconds: a scope's figures take up to a second or two at 100,000 proposals


@require_permission(Perm.VIEW_STATISTICS)
@or_being_computed
def index(request):
    scope, form = _scope(request)
    query = request.GET.urlencode()
    # The figures are the same for every viewer of a scope (tian.stats.page); after a change, the task worker
    # computes them again for the scopes looked at lately (tian.stats.warming), so that the next viewer finds them.
    figures = scope_figures(scope, query, get_language())
    if figures.being_computed:
        raise freshness.BeingComputed(query)
    warming.viewed(scope.committee_id, query, get_language())
    # The filter form too: its choices are the committee's sessions, terms and years.
    scope_form = freshness.cached(("scope_form", query, get_language()),
                                  lambda: render_to_string("stats/_scope_form.html", {"form": form}),
                                  committee_id=scope.committee_id)
    return render(request, "stats/index.html", {
        "scope_form": mark_safe(scope_form),  # noqa: S308 - our own template's output, kept as text
        "scope": scope, "query": query,
        "figures": mark_safe(figures.value),  # noqa: S308 - our own template's output, kept as text
        "figures_as_of": None if figures.current else figures.as_of,
        # The key proposals this viewer may open: kept per scope and what the viewer may see (a term's list reads
        # every key proposal of the term, hundreds at a national committee).
        "key_part": mark_safe(freshness.cached(  # noqa: S308 - our own template's output, kept as text
            ("key_proposals", *scope.key(), query, _stable(visibility_key(request.user)), get_language()),
            lambda: render_to_string("stats/_key_proposals.html", {**_key_proposals(request.user, scope),
                                                                  "query": query}),
            committee_id=scope.committee_id)),
        "perms_review": has_permission(request.user, Perm.REVIEW)})


def _stable(key: tuple) -> tuple:
    """``key`` with its sets in order: a key read the same in every process (the order of a set is not)."""
    return tuple(tuple(sorted(map(str, v))) if isinstance(v, (set, frozenset)) else v for v in key)


def _key_proposals(user, scope: kpis.Scope) -> dict:
    """The scope's key proposals that ``user`` may open (the figures count them all), titles as the disclosure
    policy lets them read them: not part of the figures every viewer shares."""
    visible = kpis.key_proposals(scope, within=visible_proposals(user))
    return {"key_proposals": for_display(user, visible[:KEY_PROPOSALS_SHOWN]), "key_total": len(visible)}


# A national term has hundreds of key proposals: the page shows the first ones and links to the whole list.
KEY_PROPOSALS_SHOWN = 50


# What a number counts, by its name in the address, with the words its download is named by.
MEASURES = {"received": gettext_lazy("Received"), "registered": gettext_lazy("Registered"),
            "declined": gettext_lazy("Not registered"), "merged": gettext_lazy("Merged"),
            "assigned": gettext_lazy("Assigned"), "replied": gettext_lazy("Replied"),
            "on_time": gettext_lazy("Replied on time"), "contacted": gettext_lazy("Contacted before reply"),
            "evaluated": gettext_lazy("Evaluations"), "satisfied": gettext_lazy("Satisfied"),
            "rehandled": gettext_lazy("Rehandled"), "overdue": gettext_lazy("Overdue now"),
            "key": gettext_lazy("Key proposals"), "cosigned": gettext_lazy("Co-signed")}


# The measures whose list tells a part of each proposal the policy restricts (``Disclosure.contacts``).
READ_WITH_CONTACTS = frozenset({"contacted"})


@require_permission(Perm.VIEW_STATISTICS)
@or_being_computed
def behind(request):
    """The proposals a number counts."""
    scope, form = _scope(request)
    measure = request.GET.get("measure", "received")
    if measure not in MEASURES:
        raise Http404
    role = request.GET.get("role")
    qs = kpis.proposals_behind(scope, measure, unit_id=whole_number(request.GET.get("unit")),
                               role=role if role in UnitRole.values else None, group_by=request.GET.get("group_by"), group=request.GET.get("group"),
                               member_id=whole_number(request.GET.get("member")))
    # The numbers count every proposal; the list shows those the user may open, as the policy lets them read it.
    qs = qs.filter(pk__in=visible_proposals(request.user).values("pk"))
    if measure in READ_WITH_CONTACTS:  # a list of who had contact tells what the contact records are
        qs = with_contacts_readable(request.user, qs)
    qs = qs.order_by("-year", "number", "pk")  # the page and its download alike: year by year, newest first
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(request, exports.PROPOSALS, exports.with_handling(for_display(request.user, qs)),
                                     f"{scope.label}-{MEASURES[measure]}")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = for_display(request.user, page.object_list)
    return render(request, "stats/behind.html", {"page": page, "scope": scope, "measure": measure,
                                                 "definition": DEFINITIONS.get(measure.replace("evaluated",
                                                                                               "satisfaction"))})


# The downloads read the same cached figures as the page, so the file always equals what is shown.
# Each table's download: its heading on the page (which names the file and its first line), its columns, its rows.
TABLES = {
    "overview": (gettext_lazy("Overview"), exports.SUMMARY, lambda figures: [figures["overall"]]),
    "units": (gettext_lazy("By unit"), exports.UNITS, lambda figures: role_labels(figures["units"])),
    "categories": (gettext_lazy("By topic category"), exports.GROUPED, lambda figures: figures["categories"]),
    "sectors": (gettext_lazy("By sector"), exports.GROUPED, lambda figures: figures["sectors"]),
    "parties": (gettext_lazy("By party"), exports.GROUPED, lambda figures: figures["parties"]),
    "members": (gettext_lazy("Members' duty record"), exports.MEMBERS, lambda figures: figures["members"]),
}


@require_permission(Perm.VIEW_STATISTICS)
@or_being_computed
def download(request, table):
    if table not in TABLES:
        raise Http404
    scope, _form = _scope(request)
    label, export, rows = TABLES[table]
    return exports.xlsx_response(request, export, rows(kpis.figures(scope)), f"{scope.label}-{label}")


@require_permission(Perm.REVIEW)
def awards(request):
    committee = current_committee()
    years = list(Proposal.objects.filter(committee=committee).values_list("year", flat=True).distinct()
                 .order_by("-year"))
    try:
        year = int(request.GET.get("year") or (years[0] if years else datetime.date.today().year))
    except ValueError:
        year = years[0] if years else datetime.date.today().year
    if request.method == "POST":
        if request.POST.get("proposal"):
            proposal = get_object_or_404(year_end.markable(committee, year), pk=whole_number(request.POST["proposal"]))
            year_end.toggle_proposal(proposal=proposal, by=request.user)
        elif request.POST.get("unit"):
            unit = get_object_or_404(Unit, pk=whole_number(request.POST["unit"]), committee=committee)
            year_end.toggle_unit(committee=committee, unit=unit, year=year, by=request.user)
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('stats:awards')}?year={year}")
    return render(request, "stats/awards.html", {
        "year": year, "years": years, "proposals": year_end.proposal_candidates(committee, year),
        "units": year_end.unit_candidates(committee, year)})
