"""Two server processes on one database (and, where CACHE_URL names one, one shared cache — Redis in CI): a change
made through one, or by any other process, shows on the very next request to the other.

The servers are real processes (``manage.py runserver``) reading the test database, so this runs on PostgreSQL,
whose test database other processes can open (SQLite's is in this process's memory)."""

import datetime
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tian.accounts.services import token_create
from tian.core.calendar import is_workday
from tian.core.models import CalendarDay
from tian.organisations.models import Unit

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
    after = _get(second + page, session=unit_session)
    assert "已签收" in after

    # A unit renamed (by any process): both servers show the new name on their next request.
    Unit.objects.filter(pk=world.units["区教科局"].pk).update(name="区教育局")
    Unit.objects.get(pk=world.units["区教科局"].pk).save()  # the management page saves the row
    for server in servers:
        assert "区教育局" in _get(server + page, session=unit_session), server

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
