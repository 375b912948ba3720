"""Settings read the environment through typed helpers that fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tian.env import ImproperlyConfiguredEnv, envbool, envint, envlist, parse_database_url

ROOT = Path(__file__).resolve().parent.parent
KEY = "tests-only-settings-key-" + "0123456789" * 4  # long and varied enough for production settings


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
    result = _load_settings({"DEBUG": "maybe", "SECRET_KEY": KEY})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_defaults_are_sqlite_shanghai_and_chinese():
    result = _load_settings({"SECRET_KEY": KEY})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "Asia/Shanghai", "zh-hans"]


def test_database_url_switches_to_postgresql():
    result = _load_settings({"SECRET_KEY": KEY, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tian"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


@pytest.mark.parametrize("key", ["abcde", "x" * 60, "django-insecure-" + "0123456789" * 5])
def test_a_weak_secret_key_refuses_to_start_when_debug_is_off(key):
    result = _load_settings({"SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY (or the file SECRET_KEY_FILE names) is too weak" in result.stderr
    assert "at least 50 characters" in result.stderr


def test_a_short_secret_key_is_accepted_in_development():
    assert _load_settings({"SECRET_KEY": "abcde", "DEBUG": "1"}).returncode == 0


def _setting(env, name):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "HTTPS_ONLY"}}
    clean.update({"SECRET_KEY": KEY, **env})
    result = subprocess.run([sys.executable, "-c", f"import tian.settings as s; print(getattr(s, {name!r}, None))"],
                            cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_plain_http_is_redirected_to_https_unless_told_otherwise():
    assert _setting({}, "SECURE_SSL_REDIRECT") == "True"
    assert _setting({"SECURE_SSL_REDIRECT": "0"}, "SECURE_SSL_REDIRECT") == "False"
    assert _setting({"HTTPS_ONLY": "0"}, "SECURE_SSL_REDIRECT") == "False"
    assert _setting({"DEBUG": "1"}, "SECURE_SSL_REDIRECT") == "None"  # Django's default (off) in development


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    """docs/operations.md, "Deploy", step 3 (with PostgreSQL's URL replaced by a SQLite file)."""
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests for Playwright in this process, never in a deployment.
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "HTTPS_ONLY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"SECRET_KEY": KEY, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "ALLOWED_HOSTS": "tian.example.gov.cn", "CSRF_TRUSTED_ORIGINS": "https://tian.example.gov.cn",
                "BEHIND_PROXY": "1", "DJANGO_SETTINGS_MODULE": "tian.settings"})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_committee_served_comes_from_the_environment():
    """docs/operations.md, "Several committees in one database": each installation sets TIAN_COMMITTEE_ID."""
    assert _setting({}, "TIAN_COMMITTEE_ID") == "None"
    assert _setting({"TIAN_COMMITTEE_ID": "7"}, "TIAN_COMMITTEE_ID") == "7"
