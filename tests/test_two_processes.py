"""Two server processes on one database (and, where CACHE_URL names one, one shared cache — Redis in CI): a change
made through one, or by any other process, shows on the very next request to the other.

The servers are real processes (``manage.py runserver``) reading the test database, so this runs on PostgreSQL,
whose test database other processes can open (SQLite's is in this process's memory)."""

import datetime
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tian.accounts import services as accounts
from tian.accounts.roles import Role
from tian.accounts.services import token_create
from tian.core.calendar import is_workday
from tian.core.models import CalendarDay
from tian.organisations.forms import managed_form_class
from tian.pages.manage.registry import MANAGED
from tian.proposals.models import TopicCategory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def servers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the servers open the test database from other processes: PostgreSQL")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"DJANGO_SETTINGS_MODULE": "tian.settings_test", "DATABASE_URL": _database_url(),
                # The servers share the cache CI gives (Redis), or else one in files of their own.
                "CACHE_URL": os.environ.get("CACHE_URL") or f"file://{tmp_path / 'cache'}"})
    processes, urls = [], []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    urllib.request.urlopen(url + "/public/", timeout=5)  # noqa: S310 - our own server on loopback
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def _get(url: str, *, session: str | None = None, token: str | None = None) -> str:
    request = urllib.request.Request(url)  # noqa: S310 - our own server on loopback
    if session:
        request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server on loopback
        return response.read().decode()


def _post(url: str, *, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        url, data=b"{}", method="POST", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server on loopback
        return response.status


def _edited_through(server: str, world, slug: str, obj, *, session: str, **changes) -> None:
    """Edit a row of the managed lists through a server's management page, as an administrator does: the page's
    form with its CSRF token, posted back with the changes."""
    path = reverse("organisations:edit", args=[slug, obj.pk])
    request = urllib.request.Request(server + path)  # noqa: S310 - our own server on loopback
    request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server on loopback
        page = response.read().decode()
        csrf_cookie = re.search(rf"{settings.CSRF_COOKIE_NAME}=([^;]+)", response.headers["Set-Cookie"]).group(1)
    form = managed_form_class(MANAGED[slug], world.committee)(instance=obj)
    data = [("csrfmiddlewaretoken", re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))]
    for name in form.fields:
        value = changes.get(name, form[name].value())
        if value is None or value is False:
            continue
        data += [(name, str(v)) for v in value] if isinstance(value, list) else [(name, str(value))]
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        server + path, data=urllib.parse.urlencode(data).encode(), method="POST",
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf_cookie}",
                 "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server on loopback
        assert urllib.parse.urlsplit(response.url).path == reverse("organisations:list", args=[slug]), response.url


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _days_left(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"剩余 (\d+) 个工作日", page)]


def test_a_change_through_one_server_shows_at_once_on_the_other(world, assigned, servers):
    first, second = servers
    unit_session = _session_of(world.lead_handler)
    inbox, page = reverse("handling:inbox"), assigned.get_absolute_url()
    # Both servers have read (and kept) the unit's inbox and the proposal page.
    for server in servers:
        assert "关于加强全区未成年人关爱保护工作的建议" in _get(server + inbox, session=unit_session)
        _get(server + page, session=unit_session)
    before = _get(second + inbox, session=unit_session)
    assert "待签收" in before

    # A state change through the first server: the unit signs for the proposal.
    token = token_create(user=world.lead_handler, name="test")[1]
    assignment = assigned.assignments.get(unit=world.units["区民政局"])
    assert _post(f"{first}/api/v1/assignments/{assignment.pk}/sign", token=token) == 200
    assert "已签收" in _get(second + page, session=unit_session)
    assert "待签收" not in _get(second + inbox, session=unit_session)

    # A calendar correction: every deadline moves at once on both servers.
    counts = [_days_left(_get(server + inbox, session=unit_session)) for server in servers]
    assert all(counts), counts
    day = timezone.localdate()
    while True:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            break
    CalendarDay.objects.create(date=day, is_workday=False, note="临时调整")
    for server, before_counts in zip(servers, counts, strict=True):
        assert _days_left(_get(server + inbox, session=unit_session)) == [n - 1 for n in before_counts], server


def test_a_change_of_a_users_unit_shows_at_once_on_both_servers(world, assigned, servers):
    session = _session_of(world.other_handler)
    page = assigned.get_absolute_url()
    for server in servers:  # not this unit's proposal: "not found" on both
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(server + page, session=session)
        assert refused.value.code == 404
    world.other_handler.unit = world.units["区民政局"]
    world.other_handler.save()
    for server in servers:
        assert "关于加强全区未成年人关爱保护工作的建议" in _get(server + page, session=session), server


def test_renames_through_one_server_show_at_once_on_the_other(world, assigned, servers):
    first, second = servers
    admin, staff, unit = (_session_of(world.admin), _session_of(world.staff), _session_of(world.lead_handler))
    api = token_create(user=world.staff, name="test")[1]
    page = assigned.get_absolute_url()
    reads = {  # what each reader sees of the proposal on a server
        "proposal page": lambda server: _get(server + page, session=staff),
        "unit's page": lambda server: _get(server + page, session=unit),
        "office's list": lambda server: _get(server + reverse("proposals:list") + "?page=1", session=staff),
        "unit inbox": lambda server: _get(server + reverse("handling:inbox"), session=unit),
        "statistics": lambda server: _get(server + reverse("stats:index") + f"?year={assigned.year}", session=staff),
        "API": lambda server: json.dumps(json.loads(_get(server + f"/api/v1/proposals/{assigned.pk}", token=api)),
                                         ensure_ascii=False),
    }
    for server in servers:  # every page read, and kept, by both servers
        for read in reads.values():
            read(server)
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    for slug, obj, new, shown in [
            ("units", world.units["区民政局"], "区民政和社会事务局", list(reads)),
            ("supervising-offices", world.offices["区政府办公室"], "区人民政府办公室",
             ["proposal page", "unit's page", "API"]),
            ("lead-officials", world.lead_official, "杨金君", ["proposal page", "unit's page", "API"]),
            ("members", world.member.member, "刘安哲", ["proposal page", "office's list", "statistics", "API"]),
            ("topic-categories", category, "社会事业", ["proposal page", "office's list", "statistics", "API"])]:
        _edited_through(first, world, slug, obj, session=admin, name=new)
        for name in shown:
            assert new in reads[name](second), (slug, name)
    # A user's name (the office's account registered and assigned the proposal: its history shows it).
    accounts.user_update(user=world.staff, roles=[Role.STAFF], full_name="提案委员会办公室", by=world.admin)
    for server in servers:
        assert "提案委员会办公室" in _get(server + page, session=unit), server


def test_a_change_of_a_users_roles_shows_at_once_on_both_servers(world, assigned, servers):
    session = _session_of(world.staff)
    office_list = reverse("proposals:list") + "?page=1"
    for server in servers:
        assert assigned.title in _get(server + office_list, session=session), server
    accounts.user_update(user=world.staff, roles=[], by=world.admin)
    for server in servers:
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(server + office_list, session=session)
        assert refused.value.code == 403, server
