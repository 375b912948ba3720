"""The statistics page's scope and its figures: what the page shows every viewer of a scope alike, computed by the
page's request or, after a change, by the task that brings the scopes people look at up to date (``warming``)."""

import datetime

from django import forms
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tian.handling.models import UnitRole
from tian.organisations.models import Session, Term
from tian.stats import charts, freshness, kpis
from tian.stats.definitions import DEFINITIONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScopeForm(forms.Form):
    session = forms.ModelChoiceField(label=gettext_lazy("Session"), queryset=Session.objects.none(), required=False,
                                     empty_label=gettext_lazy("All sessions"))
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    term = forms.ModelChoiceField(label=gettext_lazy("Term"), queryset=Term.objects.none(), required=False,
                                  empty_label=gettext_lazy("All terms"))
    start = forms.DateField(label=gettext_lazy("Submitted from"), required=False, widget=DATE)
    end = forms.DateField(label=gettext_lazy("Submitted until"), required=False, widget=DATE)

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(term__committee=committee).select_related("term")
        self.fields["term"].queryset = Term.objects.filter(committee=committee)
        years = kpis.years(committee)
        self.fields["year"].choices = [("", gettext_lazy("All years")), *[(y, str(y)) for y in years]]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("The end date must not be before the start date."))
        return cleaned


def scope_for(committee, params: QueryDict) -> tuple[kpis.Scope, ScopeForm]:
    """The scope the page's filters ``params`` (its query string) ask for, with the filter form: by default the
    latest year; invalid filters give an empty scope, and the form says why."""
    form = ScopeForm(params or None, committee=committee)
    if params and form.is_valid():
        d = form.cleaned_data
        return kpis.Scope(committee, session=d["session"], year=d["year"], term=d["term"], start=d["start"],
                          end=d["end"]), form
    if not params:
        year = next(iter(kpis.years(committee)), None) or datetime.date.today().year
        form = ScopeForm({"year": year}, committee=committee)
        form.is_valid()
        return kpis.Scope(committee, year=year), form
    return kpis.Scope(committee, year=-1), form  # invalid filters: an empty scope, the form shows why


def role_labels(rows):
    for row in rows:
        row["role_label"] = UnitRole(row["role"]).label
    return rows


def figures(scope: kpis.Scope, query: str, language: str) -> freshness.Kept:
    """The figures, charts and tables of ``scope`` as HTML, the same for every viewer: rendered once per scope,
    versions of the committee's data and names, date and language (see tian.stats.freshness), since rendering
    them costs more than computing them. While another process computes new figures, the previous ones are
    given, with the time they were computed. ``language`` must be the active one."""
    return freshness.kept(("page", *scope.key(), query, language),
                          lambda: render_to_string("stats/_figures.html", _figures_context(scope, query)),
                          committee_id=scope.committee_id, previous_ok=True)


# A district committee's duty record (100–250 members) is shown whole. A national one (2,000 members) would take a
# second to render and 1.4 MB of page: the page then shows the most active members and says how many of how many,
# and the download has them all.
MEMBERS_SHOWN = 300


def _figures_context(scope: kpis.Scope, query: str) -> dict:
    figures = kpis.figures(scope)
    overall = figures["overall"]
    units = role_labels(figures["units"])
    lead_units = [u for u in units if u["role"] == UnitRole.LEAD]
    trend = kpis.trend_figures(scope.committee)
    return {
        "overall": overall, "units": units,
        "categories": figures["categories"], "sectors": figures["sectors"], "parties": figures["parties"],
        "members": figures["members"][:MEMBERS_SHOWN], "members_total": len(figures["members"]),
        "definitions": DEFINITIONS, "query": query,
        "chart_classes": charts.donut(overall["class_shares"], title=_("Outcome class shares")),
        "chart_units": charts.bar_chart([(u["unit"], u["assigned"]) for u in lead_units[:15]],
                                        title=_("Proposals led by each unit")),
        "chart_satisfaction": charts.bar_chart(
            [(_("Satisfied"), overall["satisfied"]), (_("Basically satisfied"), overall["basically_satisfied"]),
             (_("Dissatisfied"), overall["dissatisfied"])], title=_("Evaluations")),
        "chart_trend": charts.line_chart([(str(t["year"]), t["satisfaction_rate"]) for t in trend],
                                         title=_("Satisfaction rate by year")),
        "chart_received": charts.line_chart([(str(t["year"]), t["received"]) for t in trend],
                                            title=_("Proposals received by year"), suffix=""),
    }
