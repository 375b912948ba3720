"""Settings read the environment through typed helpers that fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tian.env import ImproperlyConfiguredEnv, envbool, envint, envlist, parse_database_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value,expected", [("1", True), ("yes", True), ("On", True), ("0", False), ("false", False)])
def test_envbool_reads_common_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("TIAN_FLAG", value)
    assert envbool("TIAN_FLAG", not expected) is expected


def test_envbool_rejects_a_typo(monkeypatch):
    monkeypatch.setenv("TIAN_FLAG", "ture")
    with pytest.raises(ImproperlyConfiguredEnv, match="TIAN_FLAG"):
        envbool("TIAN_FLAG", False)


def test_envint_rejects_text_and_out_of_range(monkeypatch):
    monkeypatch.setenv("TIAN_N", "abc")
    with pytest.raises(ImproperlyConfiguredEnv, match="not an integer"):
        envint("TIAN_N", 1)
    monkeypatch.setenv("TIAN_N", "70000")
    with pytest.raises(ImproperlyConfiguredEnv, match="maximum"):
        envint("TIAN_N", 1, maximum=65535)


def test_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("TIAN_SECRET_FILE", str(secret))
    from tian.env import envstr

    assert envstr("TIAN_SECRET") == "from-a-file"


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("TIAN_HOSTS", "a.example, b.example,,")
    assert envlist("TIAN_HOSTS", []) == ["a.example", "b.example"]


def test_database_url_postgres():
    db = parse_database_url("postgres://tian:p%40ss@db.local:5433/tian?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == ("tian", "tian", "p@ss", "db.local", "5433")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_database_url_sqlite_and_bad_scheme():
    assert parse_database_url("sqlite:////var/lib/tian/db.sqlite3")["NAME"] == "/var/lib/tian/db.sqlite3"
    with pytest.raises(ImproperlyConfiguredEnv, match="unsupported scheme"):
        parse_database_url("mysql://root@localhost/tian")
    with pytest.raises(ImproperlyConfiguredEnv, match="names no database"):
        parse_database_url("postgres://localhost")


def _load_settings(env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import tian.settings as s; print(s.DATABASES['default']['ENGINE'], s.TIME_ZONE, s.LANGUAGE_CODE)"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_missing_secret_key_refuses_to_start_when_debug_is_off():
    result = _load_settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_bad_debug_value_refuses_to_start():
    result = _load_settings({"DEBUG": "maybe", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_defaults_are_sqlite_shanghai_and_chinese():
    result = _load_settings({"SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "Asia/Shanghai", "zh-hans"]


def test_database_url_switches_to_postgresql():
    result = _load_settings({"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tian"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.postgresql"
