"""The public filters (year, session, topic category, unit) and the public search box.

Choices are built from disclosed proposals only, each with its count, so a year, session or unit that
holds nothing disclosed is not even offered; a value outside the choices is ignored."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tian.core.widgets import QuickSelect
from tian.handling.models import Assignment, UnitRole
from tian.portal import selectors


def _labelled(name, count) -> str:
    return f"{name}({count})"


class PortalFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None, widget=QuickSelect)
    session = forms.TypedChoiceField(label=_("Session"), required=False, coerce=int, empty_value=None,
                                     widget=QuickSelect)
    category = forms.TypedChoiceField(label=_("Topic category"), required=False, coerce=int, empty_value=None,
                                      widget=QuickSelect)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None, widget=QuickSelect)
    role = forms.ChoiceField(label=_("Unit's part"), required=False, widget=QuickSelect,
                             choices=[("", _("Any part")), *UnitRole.choices])

    def __init__(self, *args, disclosed, facets: selectors.Facets | None = None, **kwargs):
        """``facets``: ``selectors.facets(disclosed)``, where the caller keeps them."""
        super().__init__(*args, **kwargs)
        facets = facets or selectors.facets(disclosed)
        self.fields["year"].choices = [("", _("All years")), *[
            (year, _labelled(year, n)) for year, n in facets.years]]
        self.fields["session"].choices = [("", _("All sessions")), *[
            (s.pk, _labelled(s.name, n)) for s, n in facets.sessions]]
        self.fields["category"].choices = [("", _("All categories")), *[
            (c.pk, _labelled(c.name, n)) for c, n in facets.categories]]
        self.fields["unit"].choices = [("", _("All units")), *[
            (u.pk, _labelled(u.name, n)) for u, n in facets.units]]

    def filters(self) -> dict:
        """The valid filters; an invalid one (a hand-edited address) is dropped rather than refused."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def apply(self, qs):
        d = self.filters()
        if d.get("year"):
            qs = qs.filter(year=d["year"])
        if d.get("session"):
            qs = qs.filter(session_id=d["session"])
        if d.get("category"):
            qs = qs.filter(category_id=d["category"])
        if d.get("unit") or d.get("role"):
            assignments = Assignment.objects.exclude(status=Assignment.Status.REMOVED)
            if d.get("unit"):
                assignments = assignments.filter(unit_id=d["unit"])
            if d.get("role"):
                assignments = assignments.filter(role=d["role"])
            qs = qs.filter(pk__in=assignments.values("proposal_id"))
        return qs


class PortalSearchForm(PortalFilterForm):
    q = forms.CharField(label=_("Search words"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "如:托育 未成年人保护"}))

    field_order = ["q", "year", "session", "category", "unit", "role"]
