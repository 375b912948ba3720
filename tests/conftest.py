"""Standing people for every test: a committee with one user per role, plus a stranger.

Alice-and-Bob style, after healthchecks: ``member`` (刘安泽) leads proposals, ``cosigner`` (徐丽娟)
co-signs, ``staff`` works in the proposal office, ``lead_handler`` handles for 区民政局, ``assisting_handler``
for 区教科局, ``other_handler`` for a unit with nothing assigned, ``supervisor`` sits in 区政府办公室,
``official`` is lead official 杨金军, ``admin`` administers, ``stranger`` is a member with no link to anything.
"""

import datetime

import pytest

from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.core import versions
from tian.handling.defaults import ensure_committee_lists
from tian.organisations.models import (
    CollectiveProposer,
    Committee,
    LeadOfficial,
    Member,
    Party,
    Sector,
    Session,
    SupervisingOffice,
    Term,
    Unit,
)

PASSWORD = "correct-horse-battery-9"


class World:
    """The standing committee and its people, created fresh for each test."""

    def __init__(self):
        self.committee = Committee.objects.create(name="政协广元市朝天区委员会", region="广元市朝天区",
                                                  short_name="朝天政协", office_phones="0839-8622541")
        self.term = Term.objects.create(committee=self.committee, number=7, start_date=datetime.date(2021, 1, 1),
                                        end_date=datetime.date(2025, 12, 31))
        self.session = Session.objects.create(
            term=self.term, number=3, year=2023, submissions_open_on=datetime.date(2023, 1, 9),
            plenary_start=datetime.date(2023, 2, 14), plenary_end=datetime.date(2023, 2, 17),
            plenary_deadline=datetime.date(2023, 2, 17),
        )
        # The current year's session, for proposals written "today" (the 2023 one is the seed's).
        this_year = datetime.date.today().year
        self.current_term = Term.objects.create(committee=self.committee, number=8,
                                                start_date=datetime.date(2026, 1, 1),
                                                end_date=datetime.date(2030, 12, 31))
        self.current_session = Session.objects.create(
            term=self.current_term, number=this_year - 2025, year=this_year,
            submissions_open_on=datetime.date(this_year, 1, 5), plenary_start=datetime.date(this_year, 1, 13),
            plenary_end=datetime.date(this_year, 1, 16), plenary_deadline=datetime.date(this_year, 1, 16))
        self.sector = Sector.objects.create(committee=self.committee, name="社会福利和社会保障界")
        self.party = Party.objects.create(committee=self.committee, name="中国民主同盟")
        self.units = {}
        for order, (name, full) in enumerate([("区民政局", "广元市朝天区民政局"), ("区教科局", "广元市朝天区教育和科学技术局"),
                           ("区司法局", "广元市朝天区司法局"), ("区公安分局", "广元市公安局朝天区分局"),
                           ("区妇联", "广元市朝天区妇女联合会"), ("区财政局", "广元市朝天区财政局")]):
            self.units[name] = Unit.objects.create(committee=self.committee, name=name, full_name=full,
                                                   office_phone="0839-8620000", order=order)
        self.offices = {name: SupervisingOffice.objects.create(committee=self.committee, name=name)
                        for name in ["区政府办公室", "区委目标绩效办"]}
        self.lead_official = LeadOfficial.objects.create(committee=self.committee, name="杨金军", title="副区长")
        ensure_committee_lists(self.committee)
        # A committee in use: its versions' rows exist (made by its first change of each kind, core/versions.py).
        versions.bump(self.committee.pk, *versions.KINDS)
        self.collective_org = CollectiveProposer.objects.create(
            committee=self.committee, name="民盟朝天区支部", kind="party", contact_name="王敏",
            contact_phone="13800000000")

        def member(name, mobile):
            m = Member.objects.create(committee=self.committee, name=name, sector=self.sector, party=self.party,
                                      mobile=mobile)
            m.terms.add(self.term, self.current_term)  # reappointed: proposes in the seed's term and today's
            return m

        def user(username, roles, **bindings):
            return account_services.user_create(username=username, full_name=bindings.pop("full_name", username),
                                                password=PASSWORD, roles=roles, validate=False, **bindings)

        self.member = user("刘安泽", [Role.MEMBER], member=member("刘安泽", "13700000001"), phone="13700000001")
        self.cosigner = user("徐丽娟", [Role.MEMBER], member=member("徐丽娟", "13700000002"), phone="13700000002")
        self.stranger = user("张三", [Role.MEMBER], member=member("张三", "13700000003"), phone="13700000003")
        self.collective = user("民盟朝天区支部", [Role.COLLECTIVE], collective=self.collective_org)
        self.staff = user("tiwei", [Role.STAFF], full_name="提案委")
        self.lead_handler = user("区民政局", [Role.UNIT_HANDLER], unit=self.units["区民政局"])
        self.assisting_handler = user("区教科局", [Role.UNIT_HANDLER], unit=self.units["区教科局"])
        self.other_handler = user("区财政局", [Role.UNIT_HANDLER], unit=self.units["区财政局"])
        self.supervisor = user("区政府办公室", [Role.SUPERVISOR], office=self.offices["区政府办公室"])
        self.official = user("杨金军", [Role.LEAD_OFFICIAL], lead_official=self.lead_official)
        self.admin = user("admin", [Role.ADMIN], full_name="管理员")

    def handler_for(self, unit_name):
        unit = self.units[unit_name]
        existing = unit.handlers.first()
        if existing:
            return existing
        return account_services.user_create(username=unit_name, full_name=unit_name, password=PASSWORD,
                                            roles=[Role.UNIT_HANDLER], unit=unit, validate=False)


def submitted_on(proposal, day: datetime.date) -> None:
    """Date a proposal's submission back to ``day``, for a story told from an assignment in the past: a proposal is
    never assigned before it was submitted (``handling.services.proposal_assign``). Its session and year stay."""
    from django.utils import timezone

    from tian.proposals.models import Proposal

    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    Proposal.objects.filter(pk=proposal.pk).update(submitted_at=at)
    proposal.submitted_at = at


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Calendar corrections are cached per process; a rolled-back test must not leave its days behind."""
    from tian.core.calendar import forget_corrections

    forget_corrections()
    yield
    forget_corrections()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: its database is made afresh, so ids and versions come again, and what
    an earlier test kept under them must not be read."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def client_for(client):
    """Sign a fresh test client in as a user: ``client_for(world.staff)``."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def assigned(world):
    """A proposal assigned to 区民政局 (lead) and 区教科局 (assisting), key, with a lead official and a supervising office."""
    from tian.handling import services as handling
    from tian.proposals import services
    from tian.proposals.models import TopicCategory

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于加强全区未成年人关爱保护工作的建议", body="建议。", category=category)
    p = services.proposal_submit(proposal=p, by=world.member)
    p = services.proposal_register(proposal=p, by=world.staff)
    return handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                    assisting_units=[world.units["区教科局"]], is_key=True,
                                    lead_officials=[world.lead_official],
                                    supervising_offices=[world.offices["区政府办公室"]])
