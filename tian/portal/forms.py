"""The public filters (year, session, topic category, unit and its part: ``search.filters.PUBLIC``) and the
public search box, as the one filter definition (``tian/search/filters.py``) declares them.

Choices are built from disclosed proposals only, each with its count, so a year, session or unit that
holds nothing disclosed is not even offered; a value outside the choices (an address kept from before, another
page's link) matches nothing, and the form says so beside its field, as the public API answers it with nothing."""

from django.utils.translation import gettext_lazy as _

from tian.portal import selectors
from tian.search.filters import PUBLIC, ProposalFilterForm


def _labelled(name, count) -> str:
    return f"{name}({count})"


class PortalFilterForm(ProposalFilterForm):
    text = None

    def __init__(self, data=None, *, disclosed, facets: selectors.Facets | None = None, **kwargs):
        """``facets``: ``selectors.facets(disclosed)``, where the caller keeps them."""
        facets = facets or selectors.facets(disclosed)
        super().__init__(data, committee=None, names=PUBLIC, text=self.text, choices={
            "year": [(year, _labelled(year, n)) for year, n in facets.years],
            "session": [(pk, _labelled(name, n)) for pk, name, n in facets.sessions],
            "category": [(pk, _labelled(name, n)) for pk, name, n in facets.categories],
            "unit": [(pk, _labelled(name, n)) for pk, name, n in facets.units],
        }, **kwargs)
        for name in ("year", "session", "category", "unit"):
            if name in self.fields:
                self.fields[name].error_messages["invalid_choice"] = _("No disclosed proposal here.")

    def apply(self, qs):
        """The disclosed proposals the filters choose: none where a filter chose what holds nothing disclosed."""
        self.filters()
        return qs.none() if self.errors else super().apply(qs)

    def filtered(self) -> bool:
        """Whether the visitor asked for some of the proposals (a filter, valid or not)."""
        return bool(self.filters() or self.errors)


class PortalSearchForm(PortalFilterForm):
    text = _("Search words")
