"""The filters of a list of proposals, defined once.

The staff's proposal list and its Excel export, signed-in search, the public portal and its search, and the
API's lists all filter proposals by the same table: each ``Filter`` names its parameter, its label, the form
field that reads it (the choices of a committee, or the counted choices a caller gives), the type the API
declares for it, whether the public may use it, and how it narrows a queryset. A list offers the filters it
names (``STAFF``, ``SEARCH``, ``PUBLIC``); what a filter means is written here only.

Filters narrow what the viewer may already see: callers start from ``visible_proposals(user)`` or the disclosed
proposals, never from all of them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tian.core import versions
from tian.core.widgets import QuickSelect
from tian.deadlines.filters import deadline_filter
from tian.disclosure.policy import title_matches
from tian.handling.models import Assignment, OutcomeClass, Rating, Reply, UnitRole, latest_lead_evaluations
from tian.organisations.models import Committee, Member, Session, Unit
from tian.proposals.models import Kind, State, TopicCategory
from tian.proposals.selectors import credited_ids, proposal_years

MAX_TEXT = 200


@dataclass(frozen=True)
class Filter:
    name: str
    label: Any
    all_label: Any  # the empty choice ("All years"); None for a checkbox or a text box
    # How it narrows: ``apply(qs, value, committee)``; or, for a fact of the proposal's units, the field of its
    # active assignments it matches (``of_assignment``), so that "unit X as the lead" is one unit's part.
    apply: Callable[[QuerySet, Any, Committee | None], QuerySet] | None
    choices: Callable[[Committee | None], list[tuple]] | None = None  # None: a checkbox or a text box
    coerce: Callable = str
    api_type: Any = str  # what the API declares (an enum's values, int, bool, str)
    public: bool = False  # offered to the public (the portal, the public API)
    text: bool = False  # a text box rather than a choice
    of_assignment: str = ""

    def form_field(self, committee, choices=None) -> forms.Field:
        if self.text:
            return forms.CharField(label=self.label, required=False, max_length=50)
        if self.choices is None:
            return forms.BooleanField(label=self.label, required=False)
        options = choices if choices is not None else self.choices(committee)
        return forms.TypedChoiceField(label=self.label, required=False, coerce=self.coerce, empty_value=None,
                                      choices=[("", self.all_label), *options], widget=QuickSelect)


def _active_assignments():
    return Assignment.objects.active()


def _years(committee) -> list[tuple]:
    return [(year, str(year)) for year in proposal_years(committee)]


def _sessions(committee) -> list[tuple]:
    return [(s.pk, s.name) for s in Session.objects.filter(term__committee=committee).select_related("term")
            .order_by("-year", "-term__number", "-number")]


def _categories(committee) -> list[tuple]:
    return list(TopicCategory.objects.filter(committee=committee).values_list("pk", "name"))


def _units(committee) -> list[tuple]:
    return list(Unit.objects.filter(committee=committee).order_by("order", "name").values_list("pk", "name"))


def _outcomes(committee) -> list[tuple]:
    return [(o.code, str(o)) for o in OutcomeClass.objects.filter(committee=committee)]


def by_proposer(qs, name, committee):
    """The proposals a member of that name is credited on, as the proposal page names its proposers
    (``selectors.credited_ids``: led, co-signed, and what these were merged into), or a collective proposer's."""
    members = Member.objects.filter(name=name, **({"committee": committee} if committee else {}))
    credited = {pk for member_id in members.values_list("pk", flat=True) for pk in credited_ids(member_id)}
    return qs.filter(Q(collective__name=name) | Q(pk__in=sorted(credited)))


DEADLINE_LEVELS = [("overdue", _("Overdue")), ("due_soon", _("Due soon"))]

FILTERS: dict[str, Filter] = {f.name: f for f in [
    Filter("year", _("Year"), _("All years"), lambda qs, v, c: qs.filter(year=v), _years, int, int, public=True),
    Filter("session", _("Session"), _("All sessions"), lambda qs, v, c: qs.filter(session_id=v), _sessions, int, int,
           public=True),
    Filter("state", _("State"), _("All states"), lambda qs, v, c: qs.filter(state=v), lambda c: State.choices,
           api_type=Literal[tuple(State.values)], public=True),
    Filter("kind", _("Kind"), _("All kinds"), lambda qs, v, c: qs.filter(kind=v), lambda c: Kind.choices,
           api_type=Literal[tuple(Kind.values)], public=True),
    Filter("category", _("Topic category"), _("All categories"), lambda qs, v, c: qs.filter(category_id=v),
           _categories, int, int, public=True),
    Filter("unit", _("Unit"), _("All units"), None, _units, int, int, public=True, of_assignment="unit_id"),
    Filter("role", _("Unit's part"), _("Any part"), None, lambda c: UnitRole.choices,
           api_type=Literal[tuple(UnitRole.values)], public=True, of_assignment="role"),
    Filter("proposer", _("Proposer"), None, by_proposer, api_type=str, public=True, text=True),
    Filter("outcome", _("Outcome"), _("Any"),
           lambda qs, v, c: qs.filter(pk__in=Reply.objects.filter(outcome=v, status=Reply.Status.RELEASED)
                                      .values("proposal_id")), _outcomes, public=True),
    Filter("satisfaction", _("Satisfaction"), _("Any"),
           lambda qs, v, c: qs.filter(pk__in=latest_lead_evaluations().filter(result=v).values("proposal_id")),
           lambda c: Rating.choices, api_type=Literal[tuple(Rating.values)], public=True),
    # A form's unchecked box sets nothing (``filters`` drops False); the API's key=false asks for the others.
    Filter("key", _("Key proposals only"), None, lambda qs, v, c: qs.filter(is_key=bool(v)), api_type=bool,
           public=True),
    Filter("deadline", _("Deadline"), _("Any"), lambda qs, v, c: qs.filter(pk__in=deadline_filter(c, v)),
           lambda c: DEADLINE_LEVELS, api_type=Literal["overdue", "due_soon"]),
]}

# The filters each list offers, in the order its form shows them.
STAFF = ("year", "session", "state", "kind", "category", "unit", "deadline", "key")
SEARCH = ("year", "session", "state", "kind", "category", "unit", "proposer", "outcome", "satisfaction", "deadline",
          "key")
PUBLIC = ("year", "session", "category", "unit", "role")
API = SEARCH + ("role",)
PUBLIC_API = tuple(name for name in API if FILTERS[name].public)


def apply_filters(qs: QuerySet, values: dict, committee: Committee | None) -> QuerySet:
    """``qs`` narrowed by every filter ``values`` sets (None or "" sets none; False only where it means something,
    the API's ``key=false``)."""
    assignment = {}
    for name, value in values.items():
        if name not in FILTERS or value is None or value == "" or (value is False and name != "key"):
            continue
        if FILTERS[name].of_assignment:
            assignment[FILTERS[name].of_assignment] = value
        else:
            qs = FILTERS[name].apply(qs, value, committee)
    if assignment:
        qs = qs.filter(pk__in=_active_assignments().filter(**assignment).values("proposal_id"))
    return qs


def text_matches(user, qs: QuerySet, text: str) -> QuerySet:
    """The lists' text box (the office's list, its Excel file, the API's lists; search has its own engine): a word
    of the title, or a proposer's name, matched in the titles as ``user`` reads them (``title_matches``: a search
    with digits does not match what they read masked)."""
    text = (text or "").strip()
    if not text:
        return qs
    return title_matches(user, qs.filter(Q(title__icontains=text) | Q(lead_member__name=text)
                                         | Q(collective__name=text)), text)


# The filters whose choices are the committee's own rows, and the version that moves when those rows change: the
# years its proposals were made in (reading them takes 16 ms at 100,000 proposals), its sessions, categories,
# units and outcome classes (named things, NAMES).
READ_CHOICES = {"year": versions.PROPOSALS, "session": versions.NAMES, "category": versions.NAMES,
                "unit": versions.NAMES, "outcome": versions.NAMES}


def committee_choices(committee: Committee | None, names: tuple[str, ...], *,
                      current: tuple[int, int] | None = None) -> dict[str, list[tuple]]:
    """The choices of the filters ``names`` that read the committee's rows, kept in Django's cache under the versions
    they depend on: a form reads one row of versions instead of a query per filter. ``current``: the committee's
    (PROPOSALS, NAMES) versions, where the caller has just read them for a key of its own."""
    pk = committee.pk if committee else None
    proposals, named = current or versions.read(pk, versions.PROPOSALS, versions.NAMES)
    moved = {versions.PROPOSALS: proposals, versions.NAMES: named}
    key = ("filter_choices", pk, names, tuple(moved[READ_CHOICES[name]] for name in names), get_language())
    return versions.cached(key, lambda: {name: list(FILTERS[name].choices(committee)) for name in names})


class ProposalFilterForm(forms.Form):
    """The filter bar of one list: the filters ``names`` picks, each reading the committee's choices unless
    ``choices`` gives them (the portal's, counted over the disclosed proposals). ``text``: the label of a
    search box ``q`` before them (its meaning is the caller's: full-text search, or title and proposer).
    ``current``: as for ``committee_choices``."""

    def __init__(self, data=None, *, committee, names=STAFF, choices=None, text=None, current=None, **kwargs):
        super().__init__(data, **kwargs)
        self.committee = committee
        if text:
            self.fields["q"] = forms.CharField(
                label=text, required=False, max_length=MAX_TEXT,
                widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 托育 未成年人保护")}))
        given = choices or {}
        read = tuple(name for name in names if name in READ_CHOICES and given.get(name) is None)
        kept = committee_choices(committee, read, current=current) if read else {}
        for name in names:
            self.fields[name] = FILTERS[name].form_field(
                committee, given[name] if given.get(name) is not None else kept.get(name))

    def filters(self) -> dict:
        """The valid filters that are set; an invalid one (a hand-edited address) is dropped, and the form
        shows why beside its field."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}

    def apply(self, qs: QuerySet) -> QuerySet:
        return apply_filters(qs, {k: v for k, v in self.filters().items() if k != "q"}, self.committee)


def chosen(params) -> str:
    """The filters a query string sets, without its search words and page: what a kept filter bar depends on."""
    params = params.copy()
    for name in ("q", "page"):
        params.pop(name, None)
    return params.urlencode()


def query_values(params: dict, names=API) -> dict:
    """The filters of ``names`` in an API query (already typed by the API's schema), enums as their values."""
    return {name: getattr(params[name], "value", params[name]) for name in names if params.get(name) is not None}

