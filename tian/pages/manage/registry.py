"""The reference data staff and administrators manage through the same list/edit pages.

One entry per kind: which model, which fields the form edits, which columns the list shows, who may
manage it. The views in ``views.py`` serve every entry; adding a kind is adding an entry here.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tian.accounts.roles import Perm, Role
from tian.core.models import CalendarDay
from tian.handling.models import OutcomeClass
from tian.organisations import models as m
from tian.proposals.models import DeclineGround, TopicCategory


@dataclass(frozen=True)
class Managed:
    slug: str
    model: type
    fields: list[str]
    columns: list[str]
    perm: Perm
    search: list[str] = field(default_factory=lambda: ["name"])
    committee_path: str = "committee"  # how the model reaches its committee
    # The role of the sign-in account that acts for a row, offered on the row's own form
    # (``accounts.services.user_create_with_holder``); ``person``: the row is a person, whose name the account takes.
    login: Role | None = None
    person: bool = False

    @property
    def title(self):
        return self.model._meta.verbose_name_plural

    @property
    def singular(self):
        return self.model._meta.verbose_name


MANAGED: dict[str, Managed] = {
    entry.slug: entry
    for entry in [
        Managed("members", m.Member,
                ["name", "gender", "sector", "party", "mobile", "office_phone", "workplace", "terms", "is_active"],
                ["name", "sector", "party", "workplace", "is_active"], Perm.MANAGE_PEOPLE,
                search=["name", "workplace"], login=Role.MEMBER, person=True),
        Managed("collective-proposers", m.CollectiveProposer,
                ["name", "kind", "contact_name", "contact_phone", "is_active"],
                ["name", "kind", "contact_name", "is_active"], Perm.MANAGE_PEOPLE, login=Role.COLLECTIVE),
        Managed("units", m.Unit, ["name", "full_name", "kind", "office_phone", "leader", "order", "is_active"],
                ["name", "full_name", "kind", "office_phone", "is_active"], Perm.MANAGE_PEOPLE,
                search=["name", "full_name"], login=Role.UNIT_HANDLER),
        Managed("supervising-offices", m.SupervisingOffice, ["name", "full_name", "office_phone", "is_active"],
                ["name", "full_name", "office_phone", "is_active"], Perm.MANAGE_PEOPLE, login=Role.SUPERVISOR),
        Managed("lead-officials", m.LeadOfficial, ["name", "title", "is_active"],
                ["name", "title", "is_active"], Perm.MANAGE_PEOPLE, login=Role.LEAD_OFFICIAL, person=True),
        Managed("sectors", m.Sector, ["name", "order"], ["name", "order"], Perm.MANAGE_PEOPLE),
        Managed("parties", m.Party, ["name", "order"], ["name", "order"], Perm.MANAGE_PEOPLE),
        Managed("terms", m.Term, ["number", "start_date", "end_date"], ["name", "start_date", "end_date"],
                Perm.MANAGE_SETTINGS, search=[]),
        Managed("sessions", m.Session,
                ["term", "number", "year", "submissions_open_on", "plenary_start", "plenary_end", "plenary_deadline"],
                ["name", "year", "plenary_start", "plenary_end", "plenary_deadline"], Perm.MANAGE_SETTINGS,
                search=[], committee_path="term__committee"),
        Managed("calendar-days", CalendarDay, ["date", "is_workday", "note"], ["date", "is_workday", "note"],
                Perm.MANAGE_PEOPLE, search=["note"], committee_path=""),
        Managed("topic-categories", TopicCategory, ["name", "order", "is_active"], ["name", "order", "is_active"],
                Perm.MANAGE_SETTINGS),
        Managed("decline-grounds", DeclineGround, ["text", "order", "is_active"], ["text", "order", "is_active"],
                Perm.MANAGE_SETTINGS, search=["text"]),
        Managed("outcome-classes", OutcomeClass, ["code", "label", "order"], ["code", "label", "order"],
                Perm.MANAGE_SETTINGS, search=[]),
    ]
}

MANAGED_GROUPS = [
    (_("People"), ["members", "collective-proposers", "lead-officials"]),
    (_("Organisations"), ["units", "supervising-offices"]),
    (_("Lists"), ["sectors", "parties"]),
    (_("Calendar"), ["terms", "sessions", "calendar-days"]),
    (_("Proposal lists"), ["topic-categories", "decline-grounds", "outcome-classes"]),
]
