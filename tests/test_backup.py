"""backup and restore, a round trip on a real database file (SQLite) and, where it runs, PostgreSQL."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def shell(env, code):
    return manage(env, "shell", "-c", code)


def round_trip(env, tmp_path):
    manage(env, "migrate", "-v0")
    shell(env, "from tian.organisations.models import Committee; "
               "Committee.objects.create(name='备份测试委员会', region='测试区', short_name='测试')")
    media = Path(env["MEDIA_ROOT"])
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "a.pdf").write_bytes(b"%PDF-1.4 kept")
    previous = os.umask(0o022)  # the usual umask, which makes new files 0644 and folders 0755
    try:
        archive = manage(env, "backup", str(tmp_path / "backups")).strip()
    finally:
        os.umask(previous)
    # The archive holds everyone's data and the password hashes: only its owner may read it, from the start.
    assert Path(archive).stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "backups").stat().st_mode & 0o777 == 0o700
    shell(env, "from tian.organisations.models import Committee; Committee.objects.all().delete()")
    (media / "attachments" / "a.pdf").unlink()
    manage(env, "restore", archive)
    out = shell(env, "from tian.organisations.models import Committee; print(list(Committee.objects.values_list('name', flat=True)))")
    assert "备份测试委员会" in out
    assert (media / "attachments" / "a.pdf").read_bytes() == b"%PDF-1.4 kept"


def test_sqlite_round_trip(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tian.settings", "DEBUG": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'tian.sqlite3'}", "MEDIA_ROOT": str(tmp_path / "media")}
    round_trip(env, tmp_path)


@pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""), reason="runs in the PostgreSQL pass")
def test_postgresql_round_trip(tmp_path):
    name = f"tian_backup_{uuid.uuid4().hex[:8]}"
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    subprocess.run(["psql", f"{base}/postgres", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    try:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tian.settings", "DEBUG": "1",
               "DATABASE_URL": f"{base}/{name}", "MEDIA_ROOT": str(tmp_path / "media")}
        round_trip(env, tmp_path)
    finally:
        subprocess.run(["psql", f"{base}/postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                       capture_output=True)
