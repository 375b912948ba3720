"""Isolation between committees held in one database, a second review (domain.md "Scale": a hosted service for many
committees), after tests/test_committee_isolation.py: the accounts (import, migration, the operator's), the scan, the
demo loaded beside a committee, the audit log.

As there, the installation serves the standing ``world`` committee (朝天, "A"); a second one (利州, "B") is stored
beside it (``other``, ``build_other``). Each test was one defect found open (each failed on the code reviewed): one of A's people, on A's
installation, reached B's rows or people, or the new code met a one-committee installation wrongly.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.test_committee_isolation import LEAKS, _content, _leaks, build_other  # noqa: F401
from tests.test_security_accounts import users_file
from tian.accounts import services as account_services
from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.importers.excel import import_file


def _signs_in(username, password=PASSWORD) -> bool:
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def _b_account(o, username, roles, **bindings):
    """An account of B (made on B's installation: its committee is B's, whatever the binding)."""
    user = account_services.user_create(username=username, full_name=username, password=PASSWORD, roles=roles,
                                        validate=False, **bindings)
    User.objects.filter(pk=user.pk).update(committee=o.committee)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def other(world, django_capture_on_commit_callbacks):
    """利州 (B) beside 朝天 (A), as tests/test_committee_isolation.py builds it."""
    return build_other(world, django_capture_on_commit_callbacks)


_migration = importlib.import_module("tian.accounts.migrations.0005_user_committee")


# --- accounts ---------------------------------------------------------------------------------------------------------

def test_the_users_import_does_not_take_over_another_committees_account(world, other, client_for):
    """A's office imports a users' roster (/import/excel/, kind 用户账号) whose 用户名 is one of B's accounts
    (``lz_unit``, B's 住建局 handler) with one of A's units: the import reports "1 updated" and B's account is now
    bound to A's unit, with A's phone and the role A chose, and belongs to A (``User.committee`` follows the new
    binding): B's handler can no longer sign in at B, and B's person signs in at A as A's unit. The same takeover the
    first review closed on the account's page (``accounts.views._user_for`` reads ``here``) is open here:
    ``importers/excel._import_users`` finds the account with ``User.objects.filter(username=username)`` over every
    committee. Expected: the row refused (the name is taken, as for a new account on the page), B's account unchanged."""
    target = other.handler
    content = users_file(["lz_unit", "被接管", "承办单位经办人", "Xin-mima-2024", "13700000077", "", "", "区司法局"])
    report = import_file("users", content, committee=world.committee, by=world.staff)
    target.refresh_from_db()
    assert (target.unit_id, target.committee_id, target.full_name) == (other.unit.pk, other.committee.pk, "lz_unit")
    assert not report.ok and report.updated == 0


def test_the_migration_does_not_make_the_committees_administrators_operators(world, other, settings):
    """Migration 0005 places each existing account: its binding's committee, else the installation's — except an
    account with ``is_superuser``, left of no committee (an operator's). But every administrator of TiAn has
    ``is_superuser`` (``accounts.services.user_roles_set`` sets it with the 系统管理员 role), so after the upgrade each
    committee's administrators belong to every committee: B's administrator signs in on A's installation (and, of no
    committee, opens the Django admin that reads every table of every committee). Expected: a committee's
    administrator (the role, made on its pages) is placed as its staff are; only an account made outside the pages
    (``createsuperuser``, with no role) is left an operator's."""
    settings.TIAN_COMMITTEE_ID = other.committee.pk  # B's installation makes its administrator
    b_admin = account_services.user_create(username="lz_admin", full_name="利州管理员", password=PASSWORD,
                                           roles=[Role.ADMIN], validate=False)
    assert b_admin.committee_id == other.committee.pk and b_admin.is_superuser
    User.objects.update(committee=None)  # the database before the upgrade
    _migration.place(django_apps, None)  # the upgrade, run from B's installation (its TIAN_COMMITTEE_ID)
    assert User.objects.get(pk=b_admin.pk).committee_id == other.committee.pk
    settings.TIAN_COMMITTEE_ID = world.committee.pk
    assert not _signs_in("lz_admin"), "B's administrator signs in on A's installation"


def test_the_migration_does_not_give_another_committees_staff_to_the_migrating_installation(world, other, settings):
    """Migration 0005 places every account bound to nothing (the office's staff) in the committee of the installation
    that runs ``migrate`` (``TIAN_COMMITTEE_ID``, else the first). A hosted database is migrated once, by one
    installation: B's proposal office staff (their history is on B's proposals alone) now belong to A — they sign in
    on A's installation as A's proposal office, reading and deciding A's proposals, and no longer at B.
    Expected: an unbound account placed by what it did (the committee of the proposals its events are on), and one
    with nothing to tell left for the operator to place rather than given to the migrating committee
    (docs/operations.md would then say so for the upgrade)."""
    from tian.proposals.models import Event
    b_staff = _b_account(other, "lz_tiwei", [Role.STAFF])
    Event.objects.create(proposal=other.submitted, actor=b_staff, action="note", from_state=other.submitted.state,
                         to_state=other.submitted.state)
    User.objects.update(committee=None)  # the database before the upgrade
    settings.TIAN_COMMITTEE_ID = world.committee.pk  # A's installation runs migrate
    _migration.place(django_apps, None)
    assert User.objects.get(pk=b_staff.pk).committee_id != world.committee.pk
    assert not _signs_in("lz_tiwei"), "B's proposal office signs in on A's installation as A's staff"


def _operator():
    """The operator's account, as docs/operations.md makes it: ``createsuperuser``, then the administrator role given
    in a shell (``user_roles_set``). It belongs to no committee (``User.committee``), so to every installation."""
    op = User.objects.create_superuser(username="operator", password=PASSWORD, email="")
    account_services.user_roles_set(user=op, roles=[Role.ADMIN], by=None)
    op = User.objects.get(pk=op.pk)
    assert op.committee_id is None
    return op


def test_a_change_to_the_operators_account_keeps_it_of_no_committee(world, other, client_for):
    """The operator (an account of no committee, which the Django admin is kept for where the database holds several
    committees) changes a detail of their own account — their name, through ``user_update``, the service both the
    Django admin's change form and TiAn's account page save with. ``accounts.services._place`` then gives the account
    the installation's committee (``binding's or the one it had or the installation's``): the operator is now A's,
    signs in at B's installation no more and is shut out of the Django admin on A's too (``admin._admin_only``: a
    committee's account, several committees). Expected: an account of no committee stays of none when it is changed
    (only an account made on a committee's pages, or bound to an organisation, is placed)."""
    op = _operator()
    account_services.user_update(user=op, roles=[Role.ADMIN], by=op, full_name="运维值班")
    op = User.objects.get(pk=op.pk)
    assert op.committee_id is None
    assert client_for(op).get("/admin/accounts/user/").status_code == 200


def test_the_committees_administrator_cannot_change_the_operators_account(world, other, client_for):
    """A's administrator lists the operator's account on /accounts/users/ (``accounts.views.here`` keeps the accounts
    of no committee) and opens and saves it: disabling it (or setting its password) works, and the save places it in
    A (``_place``). The operator's account serves every committee of the database (docs/operations.md, Scale), so one
    committee's administrator shuts it out of all of them, or takes it over. Expected: the operator's account is not a
    committee's to change: 404 on its page, unchanged."""
    op = _operator()
    client = client_for(world.admin)
    page = client.get(reverse("accounts:user_edit", args=[op.pk]))
    client.post(reverse("accounts:user_edit", args=[op.pk]), {
        "username": op.username, "full_name": "运维", "roles": [Role.ADMIN], "password": "", "phone": "", "email": ""})
    op = User.objects.get(pk=op.pk)
    assert (op.is_active, op.committee_id) == (True, None)
    assert page.status_code == 404


# --- the installations' shared work: the scan and the task queue ------------------------------------------------------

def test_another_installations_scan_does_not_mail_the_committees_people_with_its_address(
        world, other, assigned, settings, mailoutbox, django_capture_on_commit_callbacks):
    """Each installation of a hosted database runs its own ``send_reminders`` and task worker (docs/operations.md,
    Scale), with its own ``SITE_URL``. But ``deadlines.services.scan`` reminds the units of every committee in the
    database, and the e-mail's link is the sending process's ``SITE_URL`` (``notifications.tasks._email_body``): B's
    scan tells A's unit its reply is overdue with a link to B's installation, where A's handler cannot sign in (the
    task queue, ``django_tasks_db``, is one table too: B's worker sends A's mail alike). Expected: an installation's
    scan works its own committee's deadlines (or its mail links to the committee's own address), so that A's people
    are sent to A's installation."""
    from tian.deadlines.services import scan
    from tian.handling.models import Assignment
    User.objects.filter(pk=world.lead_handler.pk).update(email="minzheng@chaotian.example")
    lead = assigned.assignments.get(unit=world.units["区民政局"])
    Assignment.objects.filter(pk=lead.pk).update(deadline=datetime.date.today() - datetime.timedelta(days=3))
    settings.TIAN_COMMITTEE_ID = other.committee.pk
    settings.SITE_URL = "https://lizhou.example"
    settings.NOTIFY_BY_EMAIL = True
    with django_capture_on_commit_callbacks(execute=True):
        scan()
    to_a = [m for m in mailoutbox if "minzheng@chaotian.example" in m.to]
    assert all("lizhou.example" not in m.body for m in to_a), [m.body for m in to_a]


# --- the home tiles ---------------------------------------------------------------------------------------------------

def test_the_administrators_home_counts_only_the_committees_accounts(world, other, client_for):
    """A's administrator's home page (/home/admin/) has a "Users" tile counting every account in the database —
    B's handlers, members and supervisors too — while the list it links to (/accounts/users/) shows A's alone
    (``accounts.views.here``): the number tells how many accounts B has, and never matches the list.
    ``dashboard/home._management_tiles`` counts ``User.objects``. Expected: the count of the accounts the list shows."""
    from tian.accounts.services import accounts_here as here
    response = client_for(world.admin).get(reverse("dashboard:home_admin"))
    users = next(t for t in response.context["tiles"] if t["url"] == reverse("accounts:user_list"))
    assert users["count"] == here(User.objects.all()).count()


# --- the legacy import ------------------------------------------------------------------------------------------------

def test_the_legacy_import_acts_as_an_account_of_the_installations_committee(world, other, settings):
    """``manage.py import_legacy`` writes the imported history as ``system-import`` (``legacy_import.import_user``),
    made on first use and then found by its user name over the whole database. B's installation imported first, so
    the account is B's (``User.committee``); A's import then finds it and writes A's proposals, events and audit entries
    in the name of B's account — which A's audit log no longer shows (``pages.audit.views.here`` keeps the entries of
    A's actors) and which cannot sign in here. ``--user tiwei`` likewise takes a staff account of any committee.
    Expected: the import acts as an account of the installation's committee (one system account per committee)."""
    from tian.importers.legacy_import import import_user
    settings.TIAN_COMMITTEE_ID = other.committee.pk
    import_user()  # B's import, first
    settings.TIAN_COMMITTEE_ID = world.committee.pk
    assert import_user().committee_id == world.committee.pk


# --- the demo committee loaded beside a real one ----------------------------------------------------------------------

def _load_demo_beside(world):
    """``manage.py load_demo`` run on a database that already holds a real committee (朝天, A; its office's accounts
    and the committee named otherwise than the demo's): the demo committee is made as a second one."""
    from tian.demo.committee import load_people_and_organisations
    from tian.organisations.models import Committee
    Committee.objects.filter(pk=world.committee.pk).update(name="政协某市某区委员会")  # not the demo's name
    User.objects.filter(pk=world.staff.pk).update(username="ct_tiwei")
    User.objects.filter(pk=world.admin.pk).update(username="ct_admin")
    return load_people_and_organisations()


def test_the_demo_loaded_beside_a_committee_does_not_give_it_the_demos_office(world, settings):
    """The demo's office staff and administrator (``tiwei`` / ``admin``, bound to nothing) are made by
    ``user_create``, which places an account bound to nothing in the installation's committee
    (``accounts.services._place``): loaded into a database that holds a real committee (A, the first, or
    ``TIAN_COMMITTEE_ID``), the demo's ``tiwei`` and ``admin`` — with the published demo password and TOTP key
    (``make run`` prints both) — are A's proposal office and administrator, and sign in on A's installation.
    Expected: the demo's accounts belong to the demo committee."""
    from tian.demo.committee import DEMO_PASSWORD
    result = _load_demo_beside(world)
    demo = result["committee"]
    assert demo.pk != world.committee.pk
    tiwei = User.objects.get(username="tiwei")
    assert tiwei.committee_id == demo.pk
    assert not _signs_in("tiwei", DEMO_PASSWORD), "the demo's office signs in on A's installation"


def test_the_demo_does_not_give_the_other_committees_staff_its_published_second_factor(world, settings):
    """``load_demo`` gives a TOTP device with the demo's published key (``DEMO_TOTP_KEY``) to every account of the
    database whose role asks for two-factor sign-in and who has not set one up
    (``demo/committee.load_people_and_organisations``: ``User.objects.filter(role_grants__role__in=…)``): A's proposal
    office, administrator and supervisors, not yet enrolled, now have a confirmed second factor anyone who read the
    demo's instructions can type (and they are no longer asked to set up their own). Expected: the demo's own
    accounts only."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tian.demo.committee import DEMO_TOTP_KEY
    _load_demo_beside(world)
    given = TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, user__in=[world.staff, world.admin, world.supervisor])
    assert list(given.values_list("user__username", flat=True)) == []


# --- the audit log ----------------------------------------------------------------------------------------------------

def test_the_audit_log_does_not_show_failed_sign_ins_to_another_committees_accounts(world, other, client_for,
                                                                                   settings):
    """B's handler mistypes their password on B's own installation. The refused sign-in is written with no actor
    (``audit.log.entry``: nobody is signed in), naming the account ``lz_unit`` and the client's address. A's audit log
    keeps every entry of no actor (``pages.audit.views.here``: "a failed sign-in of an unknown name stays"), so A's
    administrator reads B's accounts' names, when they sign in and from where. Expected: an entry naming an account
    of another committee is that committee's (as a sign-in of that account is); only a name no account has stays."""
    settings.TIAN_COMMITTEE_ID = other.committee.pk
    Client().post(reverse("accounts:login"), {"username": "lz_unit", "password": "wrong-password-1"})
    settings.TIAN_COMMITTEE_ID = world.committee.pk
    content = _content(client_for(world.admin).get(reverse("audit:search")))
    assert "lz_unit" not in content
