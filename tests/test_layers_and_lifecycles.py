"""Issue #20, points 3 and 4 (layers that point one way; every lifecycle declared once), checked as an outside
tester would check the words of the issue (``tests/test_architecture.py`` holds the import contract itself). Each
test was a finding of the sixteenth session's review, failing on the code it was written against; the docstring of
each names the words it holds the code to."""

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIAN = ROOT / "tian"


def _modules(skip_migrations=True):
    for path in sorted(TIAN.rglob("*.py")):
        if skip_migrations and "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _where(path: Path, node) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def _dotted(node) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _layers() -> list[list[str]]:
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = contract["contracts"][0]["layers"]
    return [[name.strip().removeprefix("tian.") for name in re.split(r"[|:]", layer)] for layer in layers]


def _rank() -> dict[str, int]:
    """The app's layer, 0 at the top."""
    return {app: index for index, layer in enumerate(_layers()) for app in layer}


# --- Point 3: function-local imports -------------------------------------------------------------------------------

def _local_project_imports():
    """Every import of a project module inside a function, migrations included, relative ones included."""
    for path, tree in _modules(skip_migrations=False):
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom):
                    project = node.level > 0 or (node.module or "").startswith("tian")
                elif isinstance(node, ast.Import):
                    project = any(a.name.startswith("tian") for a in node.names)
                else:
                    continue
                if project:
                    yield path, node, lines


def test_every_function_local_project_import_says_why():
    """Issue #20.3: "function-local imports of project modules are gone except where a comment says why". The search
    migrations import ``tian.search.backends`` inside their functions with no comment at all."""
    silent = []
    for path, node, lines in _local_project_imports():
        same_line = lines[node.lineno - 1].split("#", 1)[1] if "#" in lines[node.lineno - 1] else ""
        same_line = re.sub(r"noqa(:\s*[A-Z0-9, ]+)?", "", same_line).strip(" -")
        above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
        if not same_line and not above.startswith("#"):
            silent.append(_where(path, node))
    assert silent == []


def test_function_local_project_imports_are_at_most_a_handful():
    """Issue #20.3: "(at most a handful)", counted over the whole package: the ``AppConfig.ready`` imports alone, one
    an app that connects receivers (``test_architecture``), each with a comment saying why."""
    found = [_where(path, node) for path, node, _lines in _local_project_imports()]
    assert len(found) <= 7, found


# --- Point 3: the base imports no domain app --------------------------------------------------------------------

def test_the_base_app_depends_on_no_domain_app_through_its_migrations():
    """Issue #20.3: "the base (``core`` …) imports no domain app". ``core/migrations/0001_initial.py`` depends on
    ``deadlines``' migration 0003, so the base cannot be migrated, or installed, without a domain app."""
    domain = {app for layer in _layers() for app in layer} - {"core"}
    found = []
    for path in sorted((TIAN / "core" / "migrations").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple) and len(node.elts) == 2 and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts) \
                    and node.elts[0].value in domain:
                found.append(f"{_where(path, node)} -> {node.elts[0].value}")
    assert found == []


# --- Point 3: the role home pages' own app ---------------------------------------------------------------------

def test_the_role_home_pages_are_named_as_the_app_that_holds_them():
    """Issue #20.3: "Role home pages and navigation live in a top-level app (e.g. ``dashboard``)". The views moved,
    but their URL namespace is still ``core`` (``dashboard/urls.py``: ``app_name = "core"``), so every caller,
    ``accounts/roles.ROLE_HOME`` included, still names the home pages as the base's."""
    from django.urls import resolve

    assert {resolve(path).namespace for path in ("/home/staff/", "/home/unit/", "/home/member/")} == {"dashboard"}


# --- Point 4: states and statuses, declared once -----------------------------------------------------------------

STATE_VALUES = {"draft", "submitted", "returned", "withdrawn", "declined", "merged", "registered", "assigned",
                "handling", "replied", "rehandling", "closed", "signed", "reassignment_requested", "removed",
                "cosigning", "supervision", "released", "invited", "accepted", "expired"}


def test_no_state_or_status_is_written_as_a_string_in_python():
    """Issue #20.4: named states are asked of the declarations, not written out. ``proposals/selectors.py`` writes
    ``assignments__status="removed"`` (restating ``Assignment.ACTIVE`` in the scope every page reads), and
    ``generate_data`` (``demo/synthetic.py``) writes ``status="signed"``/``"assigned"``/``"accepted"``."""
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg and re.search(r"(^|__)(state|status)(__in)?$", node.arg):
                values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple | ast.Set) else (
                    [node.value.body, node.value.orelse] if isinstance(node.value, ast.IfExp) else [node.value])
                if any(isinstance(v, ast.Constant) and v.value in STATE_VALUES for v in values):
                    found.append(f"{_where(path, node)} {ast.unparse(node)}")
    assert found == []


GROUP_MEMBERS = ("State.", "Reply.Status.", "Assignment.Status.")
DECLARING = {TIAN / "proposals" / "models.py", TIAN / "proposals" / "workflow.py", TIAN / "handling" / "models.py",
             TIAN / "handling" / "lifecycle.py"}


def test_groups_of_states_are_named_once_and_not_written_out():
    """Issue #20.4: "named groups of states ("in handling", "finished", "merge targets") are defined once". Written
    out instead: ``search/views.py`` (``exclude(state__in=[State.DRAFT, State.WITHDRAWN])``, the "ever submitted"
    pair, also restated in ``Proposal.ever_submitted``), ``similar_clusters``, ``generate_data``
    (``(State.REPLIED, State.CLOSED, State.REHANDLING)`` — ``ANSWERED`` plus rehandling), and the reply-status groups
    ``disclosure/policy.py`` defines away from the reply's own (``ASKED_TO_COSIGN``)."""
    found = []
    for path, tree in _modules():
        parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.List | ast.Tuple | ast.Set):
                continue
            members = [_dotted(e) for e in node.elts]
            if sum(1 for m in members if m.startswith(GROUP_MEMBERS)) < 2:
                continue
            parent = parents.get(node)
            used_as_group = (isinstance(parent, ast.Compare) and node in parent.comparators
                             and isinstance(parent.ops[0], ast.In | ast.NotIn)) \
                or (isinstance(parent, ast.keyword) and (parent.arg or "").endswith("__in")) \
                or (isinstance(parent, ast.Call) and _dotted(parent.func) in ("frozenset", "set"))
            # The declarations themselves name the groups (a module-level NAME = frozenset({...})) and the
            # transitions' sources.
            declared = path in DECLARING and not any(
                isinstance(a, ast.FunctionDef) for a in _ancestors(node, parents))
            if used_as_group and not declared:
                found.append(f"{_where(path, node)} {ast.unparse(node)}")
    assert found == []


def _ancestors(node, parents):
    while node in parents:
        node = parents[node]
        yield node


def test_unit_roles_that_reply_are_not_restated_as_strings():
    """Issue #20.4: named groups defined once. ``proposals/workflow.py`` restates ``handling.models.REPLYING_ROLES``
    as ``{"lead", "separate"}`` and the assisting role as ``"assisting"`` (the permissions of the workflow)."""
    roles = {"lead", "assisting", "separate"}
    found = []
    for path, tree in _modules():
        if path == TIAN / "handling" / "models.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Set | ast.Tuple | ast.List) and node.elts and all(
                    isinstance(e, ast.Constant) and e.value in roles for e in node.elts):
                found.append(f"{_where(path, node)} {ast.unparse(node)}")
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) and node.left.value in roles \
                    and isinstance(node.ops[0], ast.In | ast.NotIn):
                found.append(f"{_where(path, node)} {ast.unparse(node)}")
    assert found == []


def test_the_proposal_lifecycle_declares_every_state_it_reaches():
    """Issue #20.4: "Every lifecycle declared once" — the proposal's too. No transition of ``proposals/workflow.py``
    leads to ``replied``: ``handling.services.release`` moves the proposal there with a state written in the
    service (``_move(..., State.REPLIED)``), outside the declaration."""
    from tian.proposals.models import State
    from tian.proposals.workflow import TRANSITIONS

    targets = {t.target for t in TRANSITIONS.values() if t.target}
    assert set(State) - {State.DRAFT} - targets == set()


# --- Point 4: one filter definition ------------------------------------------------------------------------------

def test_lists_filter_proposals_only_through_the_shared_filters():
    """Issue #20.4: "one filter definition serves the staff list, search, the portal, the API and the Excel export".
    The staff list (and its Excel export, ``office.filtered_proposals``) and the API's lists each write their own
    text filter, ``Q(title__icontains=…) | Q(lead_member__name=…) | Q(collective__name=…)``, twice, with different
    meanings (the API's goes through ``title_matches``, the staff list's does not; the shared ``proposer`` filter
    counts co-signers and merged proposals, these count the lead proposer only)."""
    found = []
    for path, tree in _modules():
        if path == TIAN / "search" / "filters.py" or path.is_relative_to(TIAN / "pages" / "audit"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg in ("title__icontains", "lead_member__name",
                                                             "collective__name"):
                found.append(f"{_where(path, node)} {ast.unparse(node)}")
    assert found == []


# --- Point 4: pages, API and services read one assignment lifecycle ----------------------------------------------

@pytest.mark.django_db
def test_the_unit_page_offers_what_the_assignment_lifecycle_and_the_api_offer(world, client_for, assigned):
    """Issue #20.4: the assignment lifecycle is "read by services, pages, API and permissions". Before signing for,
    the lifecycle (``record_contact`` from ``Assignment.ACTIVE``), the service and the API's ``links`` offer
    recording a contact; the unit's page adds a rule of its own (``assignment.status == Assignment.Status.SIGNED``,
    ``pages/handling/views.py``) and does not."""
    from django.urls import reverse

    from tian.handling.services import unit_steps

    assignment = assigned.assignments.get(unit=world.units["区民政局"])
    offered_by_lifecycle = "record_contact" in unit_steps(world.lead_handler, assigned, assignment)
    page = client_for(world.lead_handler).get(reverse("handling:work", args=[assigned.pk]))
    assert page.status_code == 200
    assert page.context["can_contact"] == offered_by_lifecycle


def test_every_roles_home_tiles_are_built_in_the_dashboard():
    """Issue #20.3: "Role home pages and navigation live in a top-level app": the tiles of every role's home page are
    built there, from the selectors below (the unit's and the overseers' were built in ``pages/handling/home.py`` and
    ``supervision/home.py``)."""
    outside = [_where(path, node) for path, tree in _modules() if not path.is_relative_to(TIAN / "dashboard")
               for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.endswith("_tiles")]
    assert outside == []
