"""Build the demo committee: a Chaotian-like district committee with its people and organisations.

Idempotent: everything is looked up by its natural key first, so running it again changes nothing.
Accounts are created through ``tian.accounts.services`` like any other account.
"""

import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from tian.accounts import services as account_services
from tian.accounts import twofactor
from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.demo import data
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

DEMO_PASSWORD = "tian-demo-2023"  # noqa: S105 - the demo's published password, printed by make run
# The demo's published authenticator key (hex), set up for the accounts whose role requires two-factor sign-in;
# `make demo-code` prints its current code, or add its base32 form (printed by make run) to any app.
DEMO_TOTP_KEY = "7469616e2d64656d6f2d746f74702d6b65792121"

# (year, session number, term number, submissions open, plenary start, plenary end, plenary deadline)
SESSIONS = [
    (2021, 1, 7, "2021-01-05", "2021-01-26", "2021-01-29", "2021-01-29"),
    (2022, 2, 7, "2022-01-04", "2022-01-18", "2022-01-21", "2022-01-21"),
    (2023, 3, 7, "2023-01-09", "2023-02-14", "2023-02-17", "2023-02-17"),
    (2024, 4, 7, "2024-01-08", "2024-01-23", "2024-01-26", "2024-01-26"),
    (2025, 5, 7, "2025-01-06", "2025-01-14", "2025-01-17", "2025-01-17"),
    (2026, 1, 8, "2026-01-05", "2026-01-13", "2026-01-16", "2026-01-16"),
]
TERMS = [(7, "2021-01-01", "2025-12-31"), (8, "2026-01-01", "2030-12-31")]


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _ensure_user(username, full_name, roles, password_hash, **bindings) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = account_services.user_create(
        username=username, full_name=full_name, password=None, roles=roles, **bindings
    )
    user.password = password_hash  # hashed once for all demo accounts: hashing 150 times is slow
    user.save(update_fields=["password"])
    return user, True


@transaction.atomic
def load_people_and_organisations() -> dict:
    """Create the committee, its calendar, lists, organisations, members and one account per person."""
    committee, _ = Committee.objects.get_or_create(name=data.COMMITTEE["name"], defaults=data.COMMITTEE)
    ensure_committee_lists(committee)
    terms = {}
    for number, start, end in TERMS:
        terms[number], _ = Term.objects.get_or_create(
            committee=committee, number=number, defaults={"start_date": _date(start), "end_date": _date(end)}
        )
    for year, number, term_number, opens, start, end, deadline in SESSIONS:
        Session.objects.get_or_create(
            term=terms[term_number], number=number,
            defaults={"year": year, "submissions_open_on": _date(opens), "plenary_start": _date(start),
                      "plenary_end": _date(end), "plenary_deadline": _date(deadline)},
        )
    sectors = {name: Sector.objects.get_or_create(committee=committee, name=name, defaults={"order": i})[0]
               for i, name in enumerate(data.SECTORS)}
    parties = {name: Party.objects.get_or_create(committee=committee, name=name, defaults={"order": i})[0]
               for i, name in enumerate(data.PARTIES)}
    units = {}
    for i, (name, full_name, kind, phone, leader) in enumerate(data.UNITS):
        units[name], _ = Unit.objects.get_or_create(
            committee=committee, name=name,
            defaults={"full_name": full_name, "kind": kind, "office_phone": phone, "leader": leader, "order": i},
        )
    offices = {}
    for name, full_name, phone in data.SUPERVISING_OFFICES:
        offices[name], _ = SupervisingOffice.objects.get_or_create(
            committee=committee, name=name, defaults={"full_name": full_name, "office_phone": phone}
        )
    officials = {}
    for name, title in data.LEAD_OFFICIALS:
        officials[name], _ = LeadOfficial.objects.get_or_create(committee=committee, name=name,
                                                               defaults={"title": title})
    collectives = {}
    for name, kind, contact, phone in data.COLLECTIVE_PROPOSERS:
        collectives[name], _ = CollectiveProposer.objects.get_or_create(
            committee=committee, name=name, defaults={"kind": kind, "contact_name": contact, "contact_phone": phone}
        )
    members = {}
    existing = {m.name: m for m in Member.objects.filter(committee=committee)}
    for name, gender, sector, party, mobile, workplace in data.MEMBERS:
        member = existing.get(name)
        if member is None:
            member = Member.objects.create(
                committee=committee, name=name, gender=gender, sector=sectors[sector], party=parties[party],
                mobile=mobile, workplace=workplace,
            )
            member.terms.set(terms.values())
        members[name] = member

    password_hash = make_password(DEMO_PASSWORD)
    created = 0
    logins = []

    def account(username, full_name, roles, **bindings):
        nonlocal created
        # The demo committee's own accounts (``User.committee``), also where the database holds another committee:
        # the demo's password and second factor are published.
        user, new = _ensure_user(username, full_name, roles, password_hash, committee=committee, **bindings)
        created += new
        return user

    logins.append((Role.ADMIN, account("admin", "系统管理员", [Role.ADMIN]).username))
    logins.append((Role.STAFF, account("tiwei", "提案委工作人员", [Role.STAFF]).username))
    for name, member in members.items():
        account(name, name, [Role.MEMBER], member=member, phone=member.mobile)
    logins.append((Role.MEMBER, data.MEMBERS[0][0]))
    for name, unit in units.items():
        account(name, f"{name}经办人", [Role.UNIT_HANDLER], unit=unit)
    logins.append((Role.UNIT_HANDLER, "区民政局"))
    for name, office in offices.items():
        account(name, f"{name}督办员", [Role.SUPERVISOR], office=office)
    logins.append((Role.SUPERVISOR, "区政府办公室"))
    for name, official in officials.items():
        account(name, name, [Role.LEAD_OFFICIAL], lead_official=official)
    logins.append((Role.LEAD_OFFICIAL, "杨金军"))
    for name, collective in collectives.items():
        account(name, name, [Role.COLLECTIVE], collective=collective)
    logins.append((Role.COLLECTIVE, data.COLLECTIVE_PROPOSERS[0][0]))
    for user in User.objects.filter(committee=committee,
                                    role_grants__role__in=settings.TWO_FACTOR_REQUIRED_ROLES).distinct():
        twofactor.ensure_device(user, DEMO_TOTP_KEY)
    return {"committee": committee, "created_users": created, "logins": logins, "password": DEMO_PASSWORD,
            "totp_secret": twofactor.base32(DEMO_TOTP_KEY)}
