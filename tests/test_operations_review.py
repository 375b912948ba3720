"""Review of the operations documentation (README.md, docs/operations.md) against what the commands and settings do.

Each test follows a procedure as the documentation writes it and checks what an operator would see: the command's
message, the rows in the database, the files on disk. Commands run through ``call_command``; where a command needs
a database of its own (backup and restore), as a process of ``manage.py`` on a temporary SQLite file.
"""

import datetime
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tian.accounts import services as account_services
from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.importers.transfer import MODELS
from tian.organisations.models import Committee
from tian.proposals.models import Event, Proposal

ROOT = Path(__file__).resolve().parent.parent
KEY = "tests-only-review-operations-" + "0123456789" * 4


def _quiet(*args, **options):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def _fresh_installation():
    """What the other installation holds before ``import_committee``: migrations applied, no committee. Every row the
    export lists goes, and so does everything the committee's rows take with them (accounts' devices, rules …)."""
    from tian.audit.models import AuditEntry

    AuditEntry.objects.all().delete()
    for label, _path in reversed(MODELS):
        apps.get_model(label).objects.all().delete()
    User.objects.all().delete()


def _manage(env, *args, check=True):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    if check:
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "HTTPS_ONLY", "CACHE_URL", "MEDIA_ROOT",
                        "DJANGO_ALLOW_ASYNC_UNSAFE", "TWO_FACTOR_REQUIRED_ROLES", "SMS_BACKEND"}}
    env.update({"DJANGO_SETTINGS_MODULE": "tian.settings", "DEBUG": "1", "SECRET_KEY": KEY,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'tian.sqlite3'}", "CACHE_URL": f"file://{tmp_path / 'cache'}",
                "MEDIA_ROOT": str(tmp_path / "media"), **extra})
    return env


# --- export_committee / import_committee: "A whole committee" (docs/operations.md, "Bringing data in and taking it out")


def test_export_committee_into_a_folder_that_does_not_exist_says_so(world, tmp_path):
    """`export_committee OUT.json` with a mistyped folder. An operator expects the command's own one-line message
    (a CommandError, as every other refusal of these commands is), not a Python traceback (FileNotFoundError from
    ``open``)."""
    with pytest.raises(CommandError):
        _quiet("export_committee", str(tmp_path / "no-such-folder" / "committee.json"))


@pytest.mark.parametrize("content", ["[]", '{"format": "tian-committee-export", "version": 1}'],
                         ids=["dumpdata-list", "export-without-models"])
def test_import_committee_of_a_file_that_is_not_an_export_says_so(db, tmp_path, content):
    """`import_committee IN.json` given a JSON file that is not an export (Django's ``dumpdata`` writes a list; a cut
    or hand-edited export lacks its parts). Expected: "not a TiAn committee export" as a CommandError, the message the
    command already gives for a wrong format; today an AttributeError / KeyError traceback
    (``transfer.import_committee`` calls ``data.get`` and ``data["committee"]`` unchecked)."""
    path = tmp_path / "committee.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        _quiet("import_committee", str(path))


def test_import_committee_beside_the_same_calendar_correction(world, assigned, tmp_path):
    """The working calendar is the database's (docs/operations.md, Scale): both installations entered the new year's
    holiday (工作日历调整, as the docs ask when the package does not know the year yet). Importing the committee into
    an installation that has that correction too must not fail with a traceback (today: IntegrityError, UNIQUE
    constraint failed: core_calendarday.date — the clash check looks at ids only); the committee comes in and the day
    stays a holiday."""
    from tian.core.models import CalendarDay

    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), is_workday=False, note="元旦")
    path = tmp_path / "committee.json"
    _quiet("export_committee", str(path))
    _fresh_installation()
    CalendarDay.objects.all().delete()
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), is_workday=False, note="元旦")  # entered here too
    _quiet("import_committee", str(path))
    assert Proposal.objects.filter(title=assigned.title).exists()
    assert not CalendarDay.objects.get(date=datetime.date(2027, 1, 1)).is_workday


def test_import_committee_after_the_first_administrator_corrected_the_calendar(world, assigned, tmp_path):
    """Deploy, step 6: the first administrator is made with `createsuperuser` and given the administrator role; such
    an account belongs to no committee. They correct the calendar (a local holiday on a unit's deadline): the deadline
    moves, and the proposal's history names them (``deadlines.services._corrector`` keeps an account of no committee).
    export_committee exports the accounts of the committee only, so the event names an account the file lacks, and
    import_committee on the other installation writes a row that points at no account: the database refuses the
    commit (SQLite and PostgreSQL check foreign keys at commit), so the documented move fails with an IntegrityError
    traceback. Expected: the move succeeds and every row refers to accounts that exist."""
    from tian.core.calendar_days import calendar_days_set
    from tian.handling.models import Assignment

    operator = User.objects.create_superuser(username="operator", password="A-long-secret-9", email="")
    account_services.user_roles_set(user=operator, roles=[Role.ADMIN], by=None)
    operator = User.objects.get(pk=operator.pk)
    deadline = Assignment.objects.filter(proposal=assigned).first().deadline
    calendar_days_set(days={deadline: (False, "本地假日")}, by=operator, source="list")
    assert Event.objects.filter(proposal=assigned, action="deadline.moved").exists()
    path = tmp_path / "committee.json"
    _quiet("export_committee", str(path))
    _fresh_installation()
    _quiet("import_committee", str(path))
    dangling = Event.objects.exclude(actor=None).exclude(actor_id__in=User.objects.values("pk"))
    refused = list(dangling.values_list("action", "actor_id"))
    dangling.delete()  # the test's own clean-up: a real commit would have been refused here
    connection.check_constraints()
    assert refused == [], f"events name accounts the import did not bring: {refused}"


def test_import_committee_never_overwrites_another_committee_of_the_database(world, assigned, tmp_path):
    """docs/operations.md: import into "the other installation (…, with migrations applied and without that
    committee)" — and a database may hold several committees (Scale). Ids are kept, and rows of another installation
    count from 1 as this one's do: here the database already serves committee 某县 whose committee row has the id the
    file's committee has. ``import_committee`` saves each row by its id, which *updates* a row of that id: 某县's
    committee is renamed to the imported one and its people and proposals are now the imported committee's. Expected:
    the other committee is left as it was (the import refused, or made beside it)."""
    path = tmp_path / "committee.json"
    _quiet("export_committee", str(path))
    same_id = world.committee.pk
    _fresh_installation()
    Committee.objects.create(pk=same_id, name="政协某县委员会", region="某县", short_name="某县政协")
    try:
        _quiet("import_committee", str(path))
    except CommandError:
        pass  # a refusal is fine
    assert Committee.objects.filter(name="政协某县委员会").exists(), list(Committee.objects.values_list("pk", "name"))


def test_moving_a_committee_keeps_its_audit_log(world, tmp_path):
    """The audit log must be kept AUDIT_RETENTION_DAYS (at least 183 days; docs/operations.md, Security settings), and
    the docs list only notifications and the task queue as not moved. export_committee leaves the committee's audit
    entries (``audit.AuditEntry``) out, so after a move the committee's record of who changed which account and whose
    proposal is gone. Expected: the entries of the committee's people come along."""
    from tian.audit.models import AuditEntry

    account_services.user_update(user=world.member, roles=[Role.MEMBER], by=world.staff, full_name="刘安泽(委员)")
    before = AuditEntry.objects.filter(actor=world.staff).count()
    assert before
    path = tmp_path / "committee.json"
    _quiet("export_committee", str(path))
    _fresh_installation()
    _quiet("import_committee", str(path))
    assert AuditEntry.objects.filter(actor__username="tiwei").count() == before


def test_moving_a_committee_keeps_the_staffs_second_factor(world, tmp_path):
    """Office staff must sign in with an authenticator app (TWO_FACTOR_REQUIRED_ROLES). After a move the staff's
    device (django-otp's TOTPDevice) is not in the file, so the staff account has no second factor on the new
    installation and its next sign-in offers to set up a new app with the password alone: whoever holds a staff
    password enrols their own phone. Expected: the staff account keeps its confirmed authenticator."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tian.accounts import twofactor

    TOTPDevice.objects.create(user=world.staff, name=twofactor.DEVICE_NAME, confirmed=True)
    path = tmp_path / "committee.json"
    _quiet("export_committee", str(path))
    _fresh_installation()
    _quiet("import_committee", str(path))
    assert twofactor.enabled(User.objects.get(username="tiwei"))


def test_moving_a_committee_keeps_its_suggestion_rules_and_unit_mappings(world, tmp_path):
    """docs/suggestions.md: staff write rules for a committee with no history (``UnitRule``) and map units renamed,
    merged or split at an institutional reform (``UnitMapping``). Both are the committee's own data, typed by its staff,
    and are not in the export: after a move the suggestions lose them silently. Expected: both come along."""
    from tian.suggest.models import UnitMapping, UnitRule

    UnitRule.objects.create(committee=world.committee, keywords="养老 低保", unit=world.units["区民政局"])
    mapping = UnitMapping.objects.create(committee=world.committee, old_unit=world.units["区妇联"], note="机构改革")
    mapping.new_units.add(world.units["区民政局"])
    path = tmp_path / "committee.json"
    _quiet("export_committee", str(path))
    _fresh_installation()
    _quiet("import_committee", str(path))
    assert UnitRule.objects.filter(keywords="养老 低保", unit__name="区民政局").exists()
    assert UnitMapping.objects.filter(old_unit__name="区妇联", new_units__name="区民政局").exists()


# --- backup and restore (docs/operations.md, "Backup and restore")


def test_backup_into_a_path_that_is_a_file_says_so(db, tmp_path):
    """`backup DIR` where DIR is (mistakenly) a file, or lies under one: the command should answer with its own message
    (CommandError), not a FileExistsError / NotADirectoryError traceback (``core.backup.backup`` creates the folder
    unguarded and the command catches BackupError only)."""
    existing = tmp_path / "tian.tar.gz"
    existing.write_bytes(b"x")
    for target in (existing, existing / "backups"):
        with pytest.raises(CommandError):
            _quiet("backup", str(target))


def test_backup_and_restore_with_the_uploads_folder_behind_a_symbolic_link(tmp_path):
    """MEDIA_ROOT is often a link to a data volume (/srv/tian/media -> /data/tian-media). `backup` promises "the
    database … and the uploaded files"; ``tarfile.add`` stores the link itself, not what it points to, so the archive
    holds no attachment at all, silently; and `restore FILE` then refuses that archive as "damaged or not a TiAn
    backup" ('media' is a link to an absolute path). Expected: the archive holds the files, and a restore puts an
    attachment deleted since the backup back."""
    data = tmp_path / "volume"
    (data / "attachments").mkdir(parents=True)
    (data / "attachments" / "a.pdf").write_bytes(b"%PDF-1.4 kept")
    media = tmp_path / "media"
    media.symlink_to(data)
    env = _env(tmp_path, MEDIA_ROOT=str(media))
    archive = _manage(env, "backup", str(tmp_path / "backups")).stdout.strip()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    (data / "attachments" / "a.pdf").unlink()
    restored = _manage(env, "restore", archive, check=False)
    assert "media/attachments/a.pdf" in names, names
    assert restored.returncode == 0, restored.stderr[-1500:]
    assert (data / "attachments" / "a.pdf").read_bytes() == b"%PDF-1.4 kept"


# --- the first administrator (docs/operations.md, Deploy, step 6)


def test_the_first_administrator_can_give_itself_the_role_in_the_admin(world, client_for):
    """Step 6: "Create the first administrator: `python manage.py createsuperuser`, then give the account the
    administrator role in the admin (Users → roles) or with `python manage.py shell`." The admin site lets in only
    accounts that already hold the administrator role (``accounts.admin._admin_only``), so the new superuser is sent
    to the admin's sign-in page and cannot reach its roles. Expected: its own account page in the admin opens, with
    the roles to fill in."""
    call_command("createsuperuser", interactive=False, username="root", email="root@example.gov.cn",
                 stdout=io.StringIO())
    root = User.objects.get(username="root")
    assert root.is_superuser and not root.roles
    page = client_for(root).get(f"/admin/accounts/user/{root.pk}/change/")
    assert page.status_code == 200, page.get("Location")
    assert b"role_grants-TOTAL_FORMS" in page.content


# --- settings: "bad values stop the process with a message naming the variable" (README.md, Configuration)


def test_a_misspelt_two_factor_role_stops_the_process(tmp_path):
    """TWO_FACTOR_REQUIRED_ROLES=staf,supervisor,admin (a typo). The roles are taken as written, so office staff
    silently sign in with the password alone. README: bad values stop the process with a message naming the variable;
    this one weakens sign-in without a word."""
    result = _manage(_env(tmp_path, TWO_FACTOR_REQUIRED_ROLES="staf,supervisor,admin"), "check", check=False)
    assert result.returncode != 0
    assert "TWO_FACTOR_REQUIRED_ROLES" in result.stdout + result.stderr


def test_a_misspelt_sms_backend_stops_the_process(tmp_path):
    """SMS_BACKEND names a class that does not exist. Nothing says so at start (settings, `check`, `migrate`); every
    SMS then fails in the worker with an ImportError, is retried and given up after three days. README: bad values
    stop the process with a message naming the variable."""
    result = _manage(_env(tmp_path, SMS_BACKEND="tian.core.sms.HttpGatewaySMSBackend"), "check", check=False)
    assert result.returncode != 0
    assert "SMS_BACKEND" in result.stdout + result.stderr


def test_the_documented_default_of_csrf_trusted_origins(tmp_path):
    """README.md's table: "`ALLOWED_HOSTS`, `CSRF_TRUSTED_ORIGINS` | comma-separated | `127.0.0.1,localhost`". The
    settings give CSRF_TRUSTED_ORIGINS no default entry (an empty list); Django would refuse `127.0.0.1` there anyway (an
    origin needs its scheme). The documentation and the code must say the same (mend the table)."""
    row = next(line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
               if "`CSRF_TRUSTED_ORIGINS`" in line and line.startswith("|"))
    documented = row.rstrip(" |").rsplit("|", 1)[1].strip().strip("`")
    result = subprocess.run([sys.executable, "-c", "import tian.settings as s; print(','.join(s.CSRF_TRUSTED_ORIGINS))"],
                            cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("" if documented == "—" else documented)  # —: none


# --- guards on what works today


def test_the_demo_logins_are_those_the_readme_lists(db):
    """README.md's table of demo logins, printed by `load_demo` (what `make run` shows), with the one password."""
    from tian.demo.committee import load_people_and_organisations

    result = load_people_and_organisations()
    logins = {str(role.value): username for role, username in result["logins"]}
    assert logins == {"admin": "admin", "staff": "tiwei", "member": "刘安泽", "unit_handler": "区民政局",
                      "supervisor": "区政府办公室", "lead_official": "杨金军", "collective": "民革朝天区支部"}
    assert result["password"] == "tian-demo-2023"
    for name in ("徐丽娟", "区教科局"):  # the README's other examples sign in by name too
        assert User.objects.filter(username=name).exists()


def test_the_reminder_scan_prints_its_counts_and_sends_nothing_twice(world, assigned):
    """The cron line's command: safe to run as often as you like."""
    from django.utils import timezone

    from tian.handling.models import Assignment

    Assignment.objects.filter(proposal=assigned).update(deadline=timezone.localdate())
    first = _quiet("send_reminders")
    second = _quiet("send_reminders")
    assert first.startswith("reminders sent: ") and "follow-ups created: " in first and "deliveries retried: " in first
    assert not first.startswith("reminders sent: 0,")
    assert second.startswith("reminders sent: 0, follow-ups created: 0,")


def test_restore_of_something_that_is_not_a_backup_says_so(db, tmp_path):
    """`restore FILE` with a wrong file or a folder: a one-line message, and nothing replaced."""
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not an archive")
    for target in (wrong, tmp_path, tmp_path / "missing.tar.gz"):
        with pytest.raises(CommandError):
            _quiet("restore", str(target))


def test_the_export_round_trip_keeps_the_committees_history(world, assigned, tmp_path, settings):
    """Ids kept, events, assignments and the accounts' committee come back; exporting again gives the same file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "committee.json"
    _quiet("export_committee", str(path))
    events = Event.objects.filter(proposal=assigned).count()
    _fresh_installation()
    _quiet("import_committee", str(path))
    assert Event.objects.filter(proposal_id=assigned.pk).count() == events
    assert User.objects.get(username="tiwei").committee.name == world.committee.name
    again = tmp_path / "again.json"
    _quiet("export_committee", str(again))
    assert json.loads(again.read_text(encoding="utf-8")) == json.loads(path.read_text(encoding="utf-8"))


def test_generate_data_makes_a_committee_of_its_own(world):
    """README: "`generate_data --proposals N --seed S` | a large synthetic committee for benchmarks" (and its help:
    "Generate a large synthetic committee"). It fills the database's *first* committee instead
    (``demo.synthetic.generate``: ``Committee.objects.order_by("pk").first()``): run on an installation in use, 2,000
    invented members, their accounts, 200 units and N proposals land in the real committee, mixed with its people.
    The accounts it makes (``syn-m…``, ``syn-u…``) share the password written in the source and belong to no committee
    (bulk-created, ``User.committee`` unset), so they sign in on every installation of the database. Expected: the real
    committee's members stay as they were (the synthetic ones in a committee of their own, or the command refuses a
    database that holds a committee)."""
    from tian.organisations.models import Member

    members = Member.objects.filter(committee=world.committee).count()
    try:
        _quiet("generate_data", "--proposals", "5", "--seed", "3")
    except CommandError:
        pass  # a refusal is fine
    assert Member.objects.filter(committee=world.committee).count() == members


def test_export_committee_with_an_attachment_missing_on_disk_says_which(world, assigned, tmp_path, settings):
    """An attachment whose file is no longer in MEDIA_ROOT (a media folder restored older than the database, a file
    removed by hand). export_committee stops with a FileNotFoundError traceback from the middle of the export
    (``transfer.export_committee`` opens each file unguarded). Expected: a CommandError naming the proposal's
    attachment, so that the operator can put the file back or remove the row."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tian.proposals.models import Attachment

    settings.MEDIA_ROOT = tmp_path / "media"
    attachment = Attachment.objects.create(proposal=assigned, file=SimpleUploadedFile("附件.pdf", b"%PDF-1.4"),
                                           name="附件.pdf", size=8, uploaded_by=world.member)
    Path(attachment.file.path).unlink()
    with pytest.raises(CommandError, match="附件.pdf"):
        _quiet("export_committee", str(tmp_path / "committee.json"))



def test_a_committee_id_that_names_no_committee_lets_no_other_committee_in(world, client_for, settings):
    """docs/operations.md, Several committees in one database: each installation sets TIAN_COMMITTEE_ID to its
    committee's id. A mistyped id (a committee that does not exist) does not stop the process (README: "bad values stop
    the process with a message naming the variable"); the installation then serves no committee, and
    ``accounts.backends.serves_here`` reads "no committee here" as "every account belongs here": committee B's unit
    handler signs in, and A's administrator's account list (``accounts.views.here``) lists B's accounts. Expected: the
    variable refused with its name at start, or at least no account of another committee let in or listed."""
    from django.test import Client

    from tian.organisations.models import Unit

    other = Committee.objects.create(name="政协广元市利州区委员会", region="广元市利州区", short_name="利州政协")
    unit = Unit.objects.create(committee=other, name="利州住建局", full_name="广元市利州区住房和城乡建设局")
    account_services.user_create(username="lz_unit", full_name="利州经办人", password="A-long-secret-9",
                                 roles=[Role.UNIT_HANDLER], unit=unit, validate=False, by=None)
    settings.TIAN_COMMITTEE_ID = other.pk + 1000  # a typo: no such committee
    listed = "lz_unit" in client_for(world.admin).get("/accounts/users/").content.decode()
    stranger = Client()
    stranger.post("/accounts/login/", {"username": "lz_unit", "password": "A-long-secret-9"})
    assert not listed, "another committee's account is listed"
    assert "_auth_user_id" not in stranger.session, "another committee's handler signed in"
