"""Where a page's time goes, in-process: member home and public search, against the database of DATABASE_URL and
the cache of CACHE_URL (Redis, as make bench serves PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tian_bench_100000_profile \\
    CACHE_URL=redis://127.0.0.1:6379/9 .venv/bin/python scripts/bench_profile.py --invite 3

Each page is requested through Django's test client as several readers: ``--members`` members spread over the
table (as make bench picks them), and the first ``--queries`` searches of scripts/bench_queries.py. Two passes:
*first*, straight after the cache is emptied (each member's or query's first request), and *again* (the same
requests once more). For each pass it prints the time per request and how it divides: SQL statements (their
time as the database driver waits for them, inside and outside template rendering), template rendering (without
the SQL it triggers), jieba's segmentation of the query, highlighting, Django's cache (calls and time) and the
rest (middleware, sessions, the view's Python, building querysets and model instances). Then the functions
that cost most (cProfile, the *again* pass, cumulative and own time) — cProfile slows Python down, so its
figures are for shares, the first table's for time.

``--invite N`` first gives each profiled member N open invitations to co-sign (drafts of other members), as
make bench does; it writes, so it refuses a database whose name does not end in _run or _profile (the kept
datasets stay as generated). Use a copy: CREATE DATABASE tian_bench_100000_profile TEMPLATE tian_bench_100000.
"""

import argparse
import cProfile
import hashlib
import io
import logging
import os
import pstats
import re
import secrets
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tian.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
os.environ.setdefault("HTTPS_ONLY", "0")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Pages are rendered without collectstatic having run: plain static URLs instead of the manifest's.
settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

import django.template.backends.django as template_backend  # noqa: E402
from bench_queries import search_queries  # noqa: E402
from django.core.cache import cache, caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from tian.accounts.models import User  # noqa: E402
from tian.search import text  # noqa: E402


class Clock:
    """Time spent in each part of a request, the outermost call of each part only."""

    def __init__(self):
        self.parts: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.depth: dict[str, int] = {}
        self.rendering = 0

    def reset(self):
        self.parts, self.calls = {}, {}

    @contextmanager
    def part(self, name: str):
        outer = not self.depth.get(name)
        self.depth[name] = self.depth.get(name, 0) + 1
        started = time.perf_counter()
        try:
            yield
        finally:
            self.depth[name] -= 1
            if outer:
                self.parts[name] = self.parts.get(name, 0.0) + time.perf_counter() - started
                self.calls[name] = self.calls.get(name, 0) + 1


CLOCK = Clock()


def wrap(owner, attribute: str, name: str, *, rendering: bool = False):
    original = getattr(owner, attribute)

    def timed(*args, **kwargs):
        with CLOCK.part(name):
            if rendering:
                CLOCK.rendering += 1
            try:
                return original(*args, **kwargs)
            finally:
                if rendering:
                    CLOCK.rendering -= 1

    setattr(owner, attribute, timed)


STATEMENTS: dict[str, list[float]] = {}  # statement shape -> durations, over a pass


def sql(execute, statement, params, many, context):
    started = time.perf_counter()
    try:
        with CLOCK.part("SQL in rendering" if CLOCK.rendering else "SQL"):
            return execute(statement, params, many, context)
    finally:
        shape = re.sub(r"\b\d+\b", "N", " ".join(statement.split()))
        STATEMENTS.setdefault(shape, []).append(time.perf_counter() - started)


wrap(template_backend.Template, "render", "rendering", rendering=True)
wrap(text, "query_terms", "jieba (query terms)")
wrap(text, "highlight", "highlighting")
# The backend's own calls (BaseCache.get_or_set is a get, the caller's computing, then an add: only the two
# calls count as the cache's time).
for method in ("get", "set", "add", "get_many", "set_many", "delete", "incr", "touch", "has_key"):
    if method in vars(type(caches["default"])):
        wrap(type(caches["default"]), method, "cache")


def request(client: Client, path: str) -> dict:
    CLOCK.reset()
    cpu, started = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(sql):
        response = client.get(path)
    wall = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    parts = dict(CLOCK.parts)
    calls = dict(CLOCK.calls)
    parts["rendering"] = parts.get("rendering", 0.0) - parts.get("SQL in rendering", 0.0)
    return {"wall": wall, "cpu": time.process_time() - cpu, "parts": parts, "calls": calls}


PARTS = ["SQL", "SQL in rendering", "rendering", "jieba (query terms)", "highlighting", "cache"]


def report(name: str, samples: list[dict]) -> None:
    wall = [s["wall"] * 1000 for s in samples]
    print(f"  {name}: n={len(samples)}  wall p50 {statistics.median(wall):6.1f} ms  mean {statistics.mean(wall):6.1f}"
          f"  max {max(wall):6.1f}  (process CPU mean {statistics.mean(s['cpu'] for s in samples) * 1000:6.1f} ms)")
    mean_wall = statistics.mean(wall)
    accounted = 0.0
    for part in PARTS:
        values = [s["parts"].get(part, 0.0) * 1000 for s in samples]
        calls = [s["calls"].get(part, 0) for s in samples]
        mean = statistics.mean(values)
        accounted += mean
        if mean or any(calls):
            print(f"    {part:<22} {mean:7.2f} ms  {100 * mean / mean_wall:5.1f} %   calls/request "
                  f"{min(calls)}–{max(calls)}")
    rest = mean_wall - accounted
    print(f"    {'rest (view, ORM, mw)':<22} {rest:7.2f} ms  {100 * rest / mean_wall:5.1f} %")


def statements(requests: int, limit: int = 8) -> None:
    """The statements that took most of a pass's SQL time, per request."""
    ranked = sorted(STATEMENTS.items(), key=lambda item: -sum(item[1]))[:limit]
    for shape, times in ranked:
        print(f"      {1000 * sum(times) / requests:7.2f} ms/request  {len(times) / requests:4.1f}×  "
              f"mean {1000 * statistics.mean(times):6.2f} ms  {shape[:150]}")


def top(profile: cProfile.Profile, sort: str, limit: int, only: str | None = None) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats(sort).print_stats(*([only] if only else []), limit)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return "\n".join(line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/lib/", "")
                     for line in lines[start:] if line.strip())


def invite(users: list[User], per_member: int) -> None:
    """Open invitations to co-sign for each profiled member: drafts by the next members, as make bench makes."""
    from tian.organisations.selectors import current_committee
    from tian.proposals import services
    from tian.proposals.models import CoSignature, TopicCategory

    name = connection.settings_dict["NAME"]
    if not (str(name).endswith("_run") or str(name).endswith("_profile")):
        sys.exit(f"--invite writes: use a copy of the dataset (…_profile or …_run), not {name}")
    committee = current_committee()
    category = TopicCategory.objects.filter(committee=committee).order_by("pk").first()
    body = "近年来我区城乡社区养老服务需求快速增长，建议统筹布局社区养老服务站点，完善运营补贴和服务质量评价机制。"
    for j, user in enumerate(users):
        have = CoSignature.objects.filter(member_id=user.member_id, status=CoSignature.Status.INVITED).count()
        for k in range(have, per_member):
            inviter = users[(j + k + 1) % len(users)]
            draft = services.proposal_create_draft(by=inviter, committee=committee, lead_member=inviter.member,
                                                   title=f"关于完善社区养老服务的建议（联名{j}-{k}）", body=body,
                                                   category=category, disclosure_consent=True)
            services.cosign_invite(proposal=draft, by=inviter, members=[user.member])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--invite", type=int, default=0, help="open invitations to give each member (writes)")
    parser.add_argument("--top", type=int, default=25, help="functions listed from the profile")
    parser.add_argument("--page", choices=["member", "search", "both"], default="both")
    args = parser.parse_args()
    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.ERROR)

    members = list(User.objects.filter(member__led_proposals__isnull=False, role_grants__role="member",
                                       is_active=True).select_related("member").distinct().order_by("pk"))
    users = members[::max(len(members) // args.members, 1)][:args.members]
    if args.invite:
        invite(users, args.invite)
    # make bench's list, where it has kept one (the same queries at every size), else drawn from this dataset.
    fingerprint = hashlib.sha256((ROOT / "tian" / "demo" / "synthetic.py").read_bytes()).hexdigest()[:12]
    keep = ROOT / "var" / "bench" / f"search-queries-{fingerprint}"
    searches, makeup = search_queries(keep=keep if keep.with_suffix(".txt").exists() else None)
    searches = searches[:args.queries]
    print(f"{connection.vendor} {connection.settings_dict['NAME']}, cache {settings.CACHES['default']['BACKEND']}, "
          f"{len(users)} members, {len(searches)} searches of {makeup['distinct']}", flush=True)

    pages = []
    if args.page in ("member", "both"):
        clients = []
        for user in users:
            client = Client()
            client.force_login(user)
            clients.append(client)
        pages.append(("member home", [(client, "/home/member/") for client in clients]))
    if args.page in ("search", "both"):
        client = Client()
        pages.append(("public search", [(client, f"/public/search/?q={quote(q)}") for q in searches]))

    # One request of each kind before anything is measured: jieba's dictionary, the first query plans, the
    # template loader's cache (what each gunicorn worker pays once).
    text.query_terms("建设")
    for _name, requests in pages:
        requests[0][0].get("/public/")
    for name, requests in pages:
        print(f"\n== {name}", flush=True)
        cache.clear()
        STATEMENTS.clear()
        first = [request(client, path) for client, path in requests]
        report("first (cache emptied before the pass)", first)
        print("    statements that took most time:")
        statements(len(requests))
        STATEMENTS.clear()
        again = [request(client, path) for client, path in requests]
        report("again", again)
        print("    statements that took most time:")
        statements(len(requests))
        profile = cProfile.Profile()
        profile.enable()
        for client, path in requests:
            client.get(path)
        profile.disable()
        print(f"\n  cProfile of the 'again' pass ({len(requests)} requests), by cumulative time (TiAn, templates, "
              "the SQL compiler, jieba):")
        print(top(profile, "cumulative", args.top, r"tian/|django/template/(base|loader_tags|defaulttags)|"
                                                   r"sql/compiler|jieba"))
        print("\n  by own time:")
        print(top(profile, "tottime", args.top))
        cache.clear()
        profile = cProfile.Profile()
        profile.enable()
        for client, path in requests:
            client.get(path)
        profile.disable()
        print(f"\n  cProfile of a 'first' pass ({len(requests)} requests, cache emptied), by own time:")
        print(top(profile, "tottime", args.top))


if __name__ == "__main__":
    main()
