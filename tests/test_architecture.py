"""The code reads the way it works (issue #20): no function-local imports of project modules except in
``AppConfig.ready`` (Django's place for wiring that needs the models loaded), and no template compares a state or
status with a string (pages ask the workflow, the lifecycles or the models' named groups)."""

import ast
import re
from pathlib import Path

TIAN = Path(__file__).resolve().parent.parent / "tian"


def _local_project_imports(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if (module or "").startswith("tian") or any(n.startswith("tian") for n in names):
                found.append(f"{path.relative_to(TIAN.parent)}:{node.lineno} in {function.name}()")
    return found


def test_project_modules_are_imported_at_the_top_except_in_app_ready():
    offenders = [where for path in TIAN.rglob("*.py") if "migrations" not in path.parts
                 for where in _local_project_imports(path) if not where.endswith("in ready()")]
    assert offenders == []


def test_each_app_ready_imports_at_most_a_handful_of_modules():
    # Each connects its own app's receivers or followers of what happens below it (the audit log and the deadlines
    # to the calendar's corrections, search, suggestions and notifications to events, the statistics' warming, the
    # calendar's per-request reset): one module an app, seven apps.
    readies = [where for path in TIAN.rglob("apps.py") for where in _local_project_imports(path)]
    assert len(readies) <= 7, readies


def test_no_template_compares_a_state_or_status_with_a_string():
    comparison = re.compile(r"\b(state|status|effective_status)\s*(==|!=)\s*['\"]")
    offenders = [f"{path.relative_to(TIAN)}:{n}" for path in (TIAN / "templates").rglob("*.html")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if comparison.search(line)]
    assert offenders == []
