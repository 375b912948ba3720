"""Issue #20 in its own words, as an outside tester reads them (points 1, 3, 4 and 6; point 2 is
tests/test_two_processes.py and tests/test_freshness.py, point 5 a benchmark): what the suite holds nowhere else in
these words."""

import ast
import inspect
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from django.core.cache import cache

from tian.stats import freshness

ROOT = Path(__file__).resolve().parent.parent
TIAN = ROOT / "tian"


def _modules():
    for path in sorted(TIAN.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _where(path, node) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


# --- Point 1: "no code reads Django's private internals" -----------------------------------------------------------

def _django_private_names() -> set[str]:
    """Single-underscore names Django's own base classes define (methods and attributes a subclass could override
    or read)."""
    from django import forms
    from django.contrib import admin
    from django.contrib.sessions.backends.base import SessionBase
    from django.core.cache.backends.base import BaseCache
    from django.core.management.base import BaseCommand
    from django.db import models
    from django.db.models.query import QuerySet
    from django.db.models.sql.query import Query
    from django.http import HttpRequest, HttpResponse
    from django.views import View

    classes = [forms.BaseForm, forms.models.BaseModelForm, forms.BaseFormSet, forms.Field, forms.Widget,
               models.Model, QuerySet, models.Manager, Query, admin.ModelAdmin, admin.AdminSite, SessionBase,
               BaseCache, BaseCommand, HttpRequest, HttpResponse, View, models.Field]
    names = set()
    for cls in classes:
        for klass in inspect.getmro(cls):
            if klass.__module__.startswith("django"):
                names |= {n for n in vars(klass) if n.startswith("_") and not n.startswith("__")}
    return names


def test_no_project_class_overrides_a_private_method_of_django():
    """Issue #20.1: "no code reads Django's private internals": no class of TiAn overrides a private method of
    Django's (``ProposalForm`` and the managed-list forms overrode ``BaseModelForm._get_validation_exclusions`` and
    ``_post_clean``, whose behaviour is Django's to change in any release)."""
    private = _django_private_names()
    found = []
    for path, tree in _modules():
        for cls in ast.walk(tree):
            if not isinstance(cls, ast.ClassDef):
                continue
            for node in cls.body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in private:
                    found.append(f"{_where(path, node)} {cls.name}.{node.name}")
    assert found == [], found


# --- Point 1: statistics "computed once per scope under a cache.add lock or by a task" ---------------------------

def _computations_while_another_computes(call) -> list[str]:
    """Start computing a scope's figures in a thread (held until released), then ask for the same scope; the names
    of the computations that ran."""
    ran, started, release = [], threading.Event(), threading.Event()

    def slow():
        ran.append("first")
        started.set()
        release.wait(10)
        return {"proposals": 1}

    def second():
        ran.append("second")
        return {"proposals": 1}

    worker = threading.Thread(target=call, args=(slow,))
    worker.start()
    try:
        assert started.wait(10)
        call(second)
    finally:
        release.set()
        worker.join(10)
    return ran


def test_a_scopes_figures_are_computed_once_while_a_request_computes_them(monkeypatch):
    """Issue #20.1: "statistics are computed once per scope under a ``cache.add`` lock or by a task, never by a
    request polling". While one request computes a scope's figures (held in a thread), a second request for the
    same scope computes nothing and does not wait: with no earlier figures it hears they are being computed (the
    page says so; a download is asked again), and the first computation's lock stays the first's."""
    cache.clear()
    monkeypatch.setattr(freshness, "stamp", lambda committee_id: (1, 1, "2025-01-01", (0, None, None)))
    shown = []

    def page(compute):
        shown.append(freshness.kept(("page", "session", 1), compute, committee_id=None, previous_ok=True))

    assert _computations_while_another_computes(page) == ["first"]
    assert shown[-1].value == {"proposals": 1}  # the first, finished: the second had been told "being computed"
    assert shown[0].being_computed

    def download(compute):
        try:
            freshness.cached(("figures", "session", 1), compute, committee_id=None)
        except freshness.BeingComputed:
            shown.append("being computed")

    assert _computations_while_another_computes(download) == ["first"] and shown[-1] == "being computed"


# --- Point 1: kept as protection -------------------------------------------------------------------------------

def _settings_in_a_process(cache_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DEBUG"] = "1"
    if cache_url is not None:
        env["CACHE_URL"] = cache_url
    script = ("import json; from tian import settings as s; "
              "print(json.dumps({'backend': s.CACHES['default']['BACKEND'], "
              "'location': s.CACHES['default'].get('LOCATION'), 'session': s.SESSION_ENGINE}))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_settings_take_their_cache_from_cache_url_and_sessions_are_cached_db():
    """PROTECTION, issue #20.1: "``CACHES`` comes from ``CACHE_URL``: ``redis://…`` uses Django's built-in Redis
    cache; the embedded default … needs no service (file-based or database cache)"; "Sessions use a standard
    backend (``cached_db``)". Read from the settings module as a process starts, not from the parser alone."""
    redis = _settings_in_a_process("redis://127.0.0.1:6379/3")
    assert redis["backend"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["location"] == "redis://127.0.0.1:6379/3"
    default = _settings_in_a_process(None)
    assert default["backend"] in {"django.core.cache.backends.filebased.FileBasedCache",
                                  "django.core.cache.backends.db.DatabaseCache"}
    for found in (redis, default):
        assert found["session"] == "django.contrib.sessions.backends.cached_db"


GONE = ["core/compiled.py", "core/layout.py", "proposals/derived.py", "proposals/revisions.py",
        "core/after_response.py", "accounts/sessions.py"]


def test_the_hand_made_machinery_is_gone():
    """PROTECTION, issue #20.1: "``core/compiled.py``, ``core/layout.py``'s stand-ins, ``proposals/derived.py``,
    ``proposals/revisions.py``, ``core/after_response.py``, ``accounts/sessions.py`` and the claim rows go"; #20.2:
    "The test that asserted stale content (``tests/test_kept_pages.py``) goes"."""
    from django.apps import apps

    assert [name for name in GONE if (TIAN / name).exists()] == []
    assert not (ROOT / "tests" / "test_kept_pages.py").exists()
    assert "KeptFigures" not in {model.__name__ for model in apps.get_models()}


def test_no_model_signal_moves_a_version():
    """PROTECTION, issue #20.1: "Version bumps happen in the one place every change already passes … not in signal
    handlers of every model": no receiver of a model's save or delete moves a version of kept content."""
    from django.db.models import signals

    from tian.core import versions

    bumping, inspected = [], 0
    for signal in (signals.pre_save, signals.post_save, signals.pre_delete, signals.post_delete,
                   signals.m2m_changed):
        for entry in signal.receivers:
            receiver = entry[1]
            function = receiver() if not inspect.isfunction(receiver) and not inspect.ismethod(receiver) \
                and callable(receiver) else receiver
            if function is None or not getattr(function, "__module__", "").startswith("tian"):
                continue
            inspected += 1
            source = inspect.getsource(function)
            if re.search(r"\b(bump|names_changed|touch)\(", source) or versions.Version.__name__ in source:
                bumping.append(f"{function.__module__}.{function.__qualname__}")
    assert inspected and bumping == []


# --- Point 3: kept as protection -------------------------------------------------------------------------------

def test_make_lint_and_make_test_run_the_import_contract():
    """PROTECTION, issue #20.3: "an import-linter contract (in ``pyproject.toml``, run by ``make lint`` and by
    ``make test``)", with no upward import excused."""
    import tomllib

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("lint", "test"):
        recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M)
        assert recipe and "lint-imports" in recipe.group(1), target
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert contract["root_package"] == "tian"
    layers = contract["contracts"][0]
    assert layers["type"] == "layers" and layers["layers"][-1] == "tian.core"
    assert not layers.get("ignore_imports")


def test_home_pages_and_demo_have_their_own_apps():
    """PROTECTION, issue #20.3: "Role home pages and navigation live in a top-level app (e.g. ``dashboard``), the
    demo committee and ``generate_data`` in their own app (e.g. ``demo``)"."""
    from django.core.management import get_commands
    from django.urls import resolve

    commands = get_commands()
    assert commands.get("generate_data") == "tian.demo" and commands.get("load_demo") == "tian.demo"
    assert resolve("/home/staff/").func.__module__.startswith("tian.dashboard")
    assert (TIAN / "dashboard" / "navigation.py").exists()
