"""make bench: TiAn under gunicorn (production settings) on SQLite and PostgreSQL, with 1,000 and 100,000
synthetic proposals, loaded by wrk at concurrency 32 from this machine only (127.0.0.1). Prints and writes
docs/benchmarks.md: throughput, p50/p95/p99, SQL queries per request, the 100k/1k ratio of p95 and the ratio
to a bare Django view (the framework floor).

BENCH_SIZES=1000,100000 BENCH_SECONDS=10 BENCH_DATABASES=sqlite,postgresql override the defaults; BENCH_ROWS (names of
rows, comma-separated, e.g. "statistics of a session,proposal submission (API)") runs those rows alone, in their order.

The cache is Django's, as in production: Redis for PostgreSQL (BENCH_REDIS_URL, default redis://127.0.0.1:6379/9,
given to gunicorn's workers and the task worker as CACHE_URL), the default file cache (a folder of the run's own)
for SQLite. Either starts empty for each dataset: the Redis database is flushed before the set-up.

The searches (signed in as staff, and the public's) are not one query repeated: each request takes the next of
some 280 distinct queries drawn from the dataset (scripts/bench_queries.py: common and rare words, one and two
words), and member home is loaded as 200 members in turn, each signed in with a session of their own and with
co-signing invitations open (scripts/bench_cycle.lua).

Generating 100,000 proposals and indexing them takes minutes, so a dataset is kept (var/bench/ for SQLite, the
database tian_bench_<size> for PostgreSQL) with a marker naming the generator's fingerprint, and reused while
the generator is unchanged; the schema is migrated and the search index rebuilt on reuse all the same.
BENCH_FRESH=1 always regenerates. ``python scripts/bench.py --prepare-only`` builds the datasets and stops;
``--no-report`` (a smoke run) prints the tables without writing var/bench/results.json or docs/benchmarks.md.
"""

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = 8899
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,100000").split(",")]
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
DATABASES = os.environ.get("BENCH_DATABASES", "postgresql,sqlite").split(",")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
HOME_MEMBERS = int(os.environ.get("BENCH_HOME_MEMBERS", "200"))
ROWS = [name for name in os.environ.get("BENCH_ROWS", "").split(",") if name]
KEEP = ROOT / "var" / "bench"
# An earlier run to compare with (BENCH_BEFORE, default var/bench/before.json): {"about": {"commit", "run", "mix"},
# "results": {"database|size|page": {"rate", "p95", …}}}. The report then has a before-and-after table.
BEFORE = Path(os.environ.get("BENCH_BEFORE", str(KEEP / "before.json")))


def fingerprint(*files: str) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def data_fingerprint() -> str:
    """What a kept dataset depends on: the generator (the schema is migrated on reuse)."""
    return fingerprint("tian/demo/synthetic.py")


def index_fingerprint() -> str:
    """What a kept search index depends on: segmentation, keywords and the engines."""
    return fingerprint("tian/search/text.py", "tian/search/index.py", "tian/search/backends.py")

SETUP = r"""
import json
import os
import sys
from pathlib import Path
from urllib.parse import quote
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tian.accounts.models import User
from tian.accounts.services import token_create
from tian.proposals.models import Proposal, State

def session_for(user):
    s = SessionStore(); s["_auth_user_id"] = str(user.pk)
    s["_auth_user_backend"] = "tian.accounts.backends.UserBackend"; s["_auth_user_hash"] = user.get_session_auth_hash()
    s.create(); return s.session_key

staff = User.objects.filter(role_grants__role="staff").first()
member = User.objects.filter(member__led_proposals__isnull=False, role_grants__role="member").first()
unit = User.objects.filter(unit__assignments__proposal__state="handling", role_grants__role="unit_handler").first()
some = Proposal.objects.filter(state=State.HANDLING).order_by("pk").first()
pages = {
  "floor (bare view)": ("/bench/floor/", None),
  "staff proposal list": ("/proposals/?state=handling&page=2", staff),
  "proposal detail": (f"/proposals/{some.pk}/", staff),
  "unit inbox": ("/unit/", unit),
  "member home": ("/home/member/", member),
  "public portal list": ("/public/", None),
  "public search": ("/public/search/?q=", None),
  "signed-in search (staff)": ("/search/?q=", staff),
  "statistics of a session": (f"/stats/?session={some.session_id}", staff),
  "statistics of a term": (f"/stats/?term={some.session.term_id}", staff),
}
from tian.organisations.selectors import current_committee
from tian.proposals import services
from tian.proposals.models import TopicCategory
sys.path.insert(0, os.environ["BENCH_SCRIPTS"])
from bench_queries import search_queries
committee = current_committee()
category = TopicCategory.objects.filter(committee=committee).order_by("pk").first()
text = "近年来我区城乡社区养老服务需求快速增长，建议统筹布局社区养老服务站点，完善运营补贴和服务质量评价机制。"
out = {}  # in the order the rows run: the pages, then submission and registration
# The searches: distinct queries drawn from the dataset's proposals as generated (before the set-up adds its
# own below), in the order wrk asks them.
searches, makeup = search_queries(keep=Path(os.environ["BENCH_QUERIES_KEEP"]))
submission = {
    "path": "/api/v1/proposals", "token": token_create(user=member, name="bench")[1], "queries": None,
    "script": "bench_submit.lua", "body": json.dumps({"title": "关于完善社区养老服务的建议", "body": text,
                                                       "category": category.pk, "disclosure_consent": True})}
# Registration numbers each submitted proposal once: a pool of submitted proposals, more than can be registered.
# Made before the pages are first requested, so that what they keep (statistics included) is current when loaded.
ids = []
for i in range(int(os.environ["BENCH_POOL"])):
    p = services.proposal_create_draft(by=member, committee=committee, lead_member=member.member,
                                       title=f"关于完善社区养老服务的建议（{i}）", body=text, category=category,
                                       disclosure_consent=True)
    ids.append(services.proposal_submit(proposal=p, by=member).pk)
with open(os.environ["BENCH_IDS_FILE"], "w") as f:
    f.write("\n".join(map(str, ids)))

# Member home as many members load it: members spread over the table, each with a session of their own and
# open invitations to co-sign (each drafts a proposal and invites the next three).
work = os.environ["BENCH_WORK"]
members = list(User.objects.filter(member__led_proposals__isnull=False, role_grants__role="member", is_active=True)
               .select_related("member").distinct().order_by("pk"))
home_users = members[::max(len(members) // int(os.environ["BENCH_HOME_MEMBERS"]), 1)][:int(os.environ["BENCH_HOME_MEMBERS"])]
for j, user in enumerate(home_users):
    draft = services.proposal_create_draft(by=user, committee=committee, lead_member=user.member,
                                           title=f"关于完善社区养老服务的建议（联名{j}）", body=text, category=category,
                                           disclosure_consent=True)
    invited = [home_users[(j + k) % len(home_users)].member for k in (1, 2, 3)]
    services.cosign_invite(proposal=draft, by=user, members=[m for m in invited if m.pk != user.member_id])
with open(f"{work}/member-cookies.txt", "w") as f:
    f.write("\n".join(f"sessionid={session_for(user)}" for user in home_users))
with open(f"{work}/search-queries.txt", "w") as f:
    f.write("\n".join(searches))
mixes = {"member home": (["/home/member/" for _ in home_users[:5]], home_users[:5],
                         {"script": "bench_cycle.lua", "cookies_file": f"{work}/member-cookies.txt",
                          "mix": {"members": len(home_users)}}),
         "public search": ([f"/public/search/?q={quote(q)}" for q in searches[:12]], [None] * 12,
                           {"script": "bench_cycle.lua", "queries_file": f"{work}/search-queries.txt", "mix": makeup}),
         "signed-in search (staff)": ([f"/search/?q={quote(q)}" for q in searches[:12]], [staff] * 12,
                                      {"script": "bench_cycle.lua", "queries_file": f"{work}/search-queries.txt",
                                       "mix": makeup})}

def count_queries(path, user):
    client = Client()
    if user: client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)

for name, (path, user) in pages.items():
    queries = None
    spec = {}
    if name in mixes:  # the most and fewest queries of the first few members or searches
        paths, users, spec = mixes[name]
        counted = [count_queries(p, u) for p, u in zip(paths, users)]
        queries, spec["queries_min"] = max(counted), min(counted)
    elif not path.startswith("/bench/"):
        queries = count_queries(path, user)
    out[name] = {"path": path, "cookie": f"sessionid={session_for(user)}" if user else None, "queries": queries,
                 **spec}
out["proposal submission (API)"] = submission
out["registration (API)"] = {"path": "/api/v1/proposals", "token": token_create(user=staff, name="bench")[1],
                             "queries": None, "script": "bench_register.lua", "ids_file": os.environ["BENCH_IDS_FILE"]}
print("JSON" + json.dumps(out))
"""


def run(cmd, env, **kwargs):
    try:
        return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kwargs)
    except subprocess.CalledProcessError as e:  # say what went wrong, not only that it did
        sys.stderr.write(e.stderr[-4000:] if e.stderr else "")
        raise


def cold_cache(database: str, work: Path) -> str:
    """The CACHE_URL of a dataset's run, empty: Redis for PostgreSQL (its database flushed), files of the run's
    own for SQLite (Django's default backend)."""
    if database != "postgresql":
        return f"file://{work / 'cache'}"
    import redis

    try:
        redis.Redis.from_url(REDIS).flushdb()
    except redis.exceptions.ConnectionError as error:
        sys.exit(f"Redis at {REDIS} is not reachable ({error}): apt-get install redis-server, or set BENCH_REDIS_URL")
    return REDIS


def prepare(database: str, size: int, work: Path, prepare_only: bool = False) -> dict:
    env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(40), "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,testserver",
           "HTTPS_ONLY": "0", "STATIC_ROOT": str(work / "static"), "TASKS_BACKEND":
           "django_tasks.backends.immediate.ImmediateBackend", "AXES_FAILURE_LIMIT": "1000",
           "BENCH_FLOOR": "1", "API_RATE_AUTHENTICATED": "1000000/m", "CACHE_URL": f"file://{work / 'cache'}"}
    KEEP.mkdir(parents=True, exist_ok=True)
    marker = KEEP / f"{database}-{size}.ready"
    index_marker = KEEP / f"{database}-{size}.indexed"
    reuse = marker.exists() and marker.read_text() == data_fingerprint() and not os.environ.get("BENCH_FRESH")
    indexed = reuse and index_marker.exists() and index_marker.read_text() == index_fingerprint()
    if database == "sqlite":
        path = KEEP / f"sqlite-{size}.sqlite3"
        if not reuse:
            for stale in KEEP.glob(f"sqlite-{size}.sqlite3*"):
                stale.unlink()
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        name = f"tian_bench_{size}"
        if not reuse:
            for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], check=True,
                               capture_output=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    marker.unlink(missing_ok=True)
    if not indexed:
        index_marker.unlink(missing_ok=True)
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    started = time.monotonic()
    if reuse:
        print(f"  data: {size} proposals kept from an earlier run", flush=True)
    else:
        run([PYTHON, "manage.py", "generate_data", "--proposals", str(size), "--seed", "1"], env)
        print(f"  data: {size} proposals in {time.monotonic() - started:.0f}s", flush=True)
    marker.write_text(data_fingerprint())
    if indexed:
        print("  index: kept from an earlier run", flush=True)
    else:
        started = time.monotonic()
        run([PYTHON, "manage.py", "rebuild_search_index"], env)
        print(f"  index: {size} proposals in {time.monotonic() - started:.0f}s", flush=True)
        index_marker.write_text(index_fingerprint())
    # Planner statistics, as autovacuum gathers them on a PostgreSQL database in use (SQLite has none unless
    # someone runs ANALYZE, and with them it plans the mostly-NULL merged_into lookup as a scan).
    if database == "postgresql":
        run([PYTHON, "manage.py", "shell", "-c",
             "from django.db import connection; connection.cursor().execute('ANALYZE')"], env)
    if prepare_only:
        return env, {}
    # The load (submissions, sessions) goes to a copy, so that the kept dataset stays as generated.
    if database == "sqlite":
        shutil.copyfile(KEEP / f"sqlite-{size}.sqlite3", work / "bench.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        for sql in (f"DROP DATABASE IF EXISTS {name}_run", f"CREATE DATABASE {name}_run TEMPLATE {name}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], check=True, capture_output=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}_run"
    # Every run starts from an empty cache; the set-up then reads each page once or twice, as before.
    env["CACHE_URL"] = cold_cache(database, work)
    setup = run([PYTHON, "manage.py", "shell", "-c", SETUP],
                {**env, "BENCH_POOL": str(150 * SECONDS), "BENCH_IDS_FILE": str(work / "submitted-ids.txt"),
                 "BENCH_WORK": str(work), "BENCH_SCRIPTS": str(ROOT / "scripts"),
                 # The searches drawn first from a dataset of this generator, for every dataset of it.
                 "BENCH_QUERIES_KEEP": str(KEEP / f"search-queries-{data_fingerprint()[:12]}"),
                 "BENCH_HOME_MEMBERS": str(HOME_MEMBERS)})
    pages = json.loads(setup.stdout.split("JSON", 1)[1])
    # The set-up has just written its pool (1,500 proposals with their events and tasks). On a database in use
    # autovacuum works such a burst off in the background; left to it here, it does so during the measured rows.
    if database == "postgresql":
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", f"{name}_run", "-c", "VACUUM (ANALYZE)"],
                       check=True, capture_output=True)
    return env, pages


def drain():
    """Wait until the server has worked off what the last page left queued (wrk stops sending, but requests
    already accepted or waiting in the listen queue are still served), so that a slow page's backlog is not
    measured as the next page's latency. The queue is first come, first served: one bare request returning
    means everything before it has been served."""
    started = time.monotonic()
    while time.monotonic() - started < 300:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/floor/", timeout=300)  # noqa: S310
            return
        except OSError:
            time.sleep(1)


WORKER_IDLE = """
import time
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
started = time.monotonic()
while time.monotonic() - started < 600:
    if not DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists():
        break
    time.sleep(0.5)
print("WAITED", round(time.monotonic() - started, 1))
"""


def worker_idle(env) -> float:
    """Wait until the task worker has done what was queued (indexing and notifications of the proposals
    submitted by the set-up or a row): its backlog is not the load of the next page measured. Returns the
    seconds waited."""
    out = run([PYTHON, "manage.py", "shell", "-c", WORKER_IDLE], env).stdout
    return float(out.split("WAITED", 1)[1].split()[0])


def wrk(url, spec, seconds, connections=32):
    env = dict(os.environ)
    for key, var in (("cookie", "BENCH_COOKIE"), ("token", "BENCH_TOKEN"), ("method", "BENCH_METHOD"),
                     ("body", "BENCH_BODY"), ("ids_file", "BENCH_IDS_FILE"), ("path", "BENCH_PATH"),
                     ("queries_file", "BENCH_QUERIES_FILE"), ("cookies_file", "BENCH_COOKIES_FILE")):
        if spec.get(key):
            env[var] = spec[key]
    env["BENCH_SCRIPTS"] = str(ROOT / "scripts")
    script = ROOT / "scripts" / spec.get("script", "bench.lua")
    threads = 2 if connections > 1 else 1
    env["BENCH_THREADS"] = str(threads)
    result = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
                            env=env, capture_output=True, text=True, check=True)
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH "))
    data = json.loads(line[6:])
    data["rps"] = round(data["requests"] / data["seconds"], 1)
    return data


# Issue #20, point 5: the four pages at 150 ms as before, and the two slowest brought to 300 ms.
TARGET_P95 = {"staff proposal list": 150, "proposal detail": 150, "unit inbox": 150, "public portal list": 150,
              "member home": 300, "public search": 300}
ONE_USER = ("statistics of a session", "statistics of a term")  # also measured with a single connection


def main():
    prepare_only = "--prepare-only" in sys.argv
    if not shutil.which("wrk") and not prepare_only:
        sys.exit("wrk is not installed (apt-get install wrk)")
    stored = KEEP / "results.json"
    results = {}
    if stored.exists() and "--no-report" not in sys.argv:  # earlier runs (other databases or sizes) stay in the report
        results = {tuple(k.split("|")): v for k, v in json.loads(stored.read_text()).items()}
    for database in DATABASES:
        for size in SIZES:
            print(f"== {database}, {size} proposals", flush=True)
            with tempfile.TemporaryDirectory() as work:
                env, pages = prepare(database, size, Path(work), prepare_only)
                if prepare_only:
                    continue
                # As in production (docs/operations.md): background work (indexing, notifications) goes to the
                # task queue and one worker beside the web server does it, at a lower CPU priority, so that
                # on a busy server people's requests come first and the worker catches up afterwards.
                served = {**env, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
                server = subprocess.Popen([GUNICORN, "-w", "4", "-b", f"127.0.0.1:{PORT}", "tian.wsgi"],
                                          env=served, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                worker = subprocess.Popen(["nice", "-n", "10", PYTHON, "manage.py", "db_worker"], env=served, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    for _ in range(50):
                        try:
                            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/public/", timeout=2)  # noqa: S310
                            break
                        except OSError:
                            time.sleep(0.5)
                    worker_idle(served)
                    runs = [(name, spec, 32) for name, spec in pages.items()]
                    runs += [(f"{name} (one user)", pages[name], 1) for name in ONE_USER if name in pages]
                    if ROWS:
                        runs = [run for run in runs if run[0] in ROWS]
                    for name, spec, connections in runs:
                        data = wrk(f"http://127.0.0.1:{PORT}{spec['path']}", spec, SECONDS, connections)
                        drain()
                        # What the page left the worker to do (indexing, notifications) is done before the next.
                        data["worker_catch_up"] = worker_idle(served)
                        data["queries"] = spec.get("queries")
                        if spec.get("queries_min") is not None:
                            data["queries_min"] = spec["queries_min"]
                        if spec.get("mix"):
                            data["mix"] = spec["mix"]
                        results[(database, str(size), name)] = data
                        print(f"  {name:36} {data['rps']:8.1f}/s p50 {data['p50']:7.1f} p95 {data['p95']:7.1f} "
                              f"p99 {data['p99']:7.1f} ms  queries {data['queries']}  non-2xx {data['non2xx']}"
                              + (f"  completed {data['completed']}" if "completed" in data else "")
                              + (f"  mix: {data['mix'].get('distinct') or data['mix'].get('members')}"
                                 if "mix" in data else ""),
                              flush=True)
                finally:
                    for process in (server, worker):
                        process.terminate()
                        process.wait(timeout=30)
                if "--no-report" not in sys.argv:
                    stored.write_text(json.dumps({"|".join(k): v for k, v in results.items()}, ensure_ascii=False))
    if prepare_only:
        return
    if "--no-report" in sys.argv:
        print("\n".join(report_tables(results)))
    else:
        write_report(results)


def report_tables(results) -> list[str]:
    lines = [f"gunicorn with 4 workers, production settings, wrk with 32 connections (and 1 for the “one user” rows) "
             f"for {SECONDS}s per page, loopback only; Django's cache in Redis for PostgreSQL, in files for SQLite, "
             "empty at the start of each dataset's run. Latencies in ms; “per s” counts requests, or for submission "
             "and registration the proposals that reached the next state. Queries “a–b”: the fewest and most of "
             "the first members or searches of the row's mix.", ""]
    databases = [d for d in ("postgresql", "sqlite") if any(k[0] == d for k in results)]
    sizes = sorted({int(k[1]) for k in results})
    for database in databases:
        lines += [f"### {database}", "", "| page | size | per s | p50 | p95 | p99 | queries | non-2xx/errors | "
                  "p95 ÷ floor |", "|---|---|---|---|---|---|---|---|---|"]
        for size in sizes:
            floor = results.get((database, str(size), "floor (bare view)"), {}).get("p95") or 1
            for (db, sz, name), r in results.items():
                if db == database and sz == str(size):
                    rate = round(r["completed"] / r["seconds"], 1) if "completed" in r else r["rps"]
                    queries = "—" if r["queries"] is None else str(r["queries"])
                    if r.get("queries_min") is not None and r["queries_min"] != r["queries"]:
                        queries = f"{r['queries_min']}–{r['queries']}"
                    lines.append(f"| {name} | {size:,} | {rate} | {r['p50']} | {r['p95']} | {r['p99']} | "
                                 f"{queries} | {r['non2xx']}/{r['errors']} | {r['p95'] / floor:.1f} |")
            late = [(name, r["worker_catch_up"]) for (db, sz, name), r in results.items()
                    if db == database and sz == str(size) and "completed" in r and r.get("worker_catch_up")]
            for name, seconds in late:
                lines.append(f"| ↳ task worker still busy after {name} | {size:,} | {seconds} s | | | | | | |")
        if len(sizes) > 1:
            small, large = str(sizes[0]), str(sizes[-1])
            lines += ["", f"p95 at {sizes[-1]:,} ÷ p95 at {sizes[0]:,} (target ≤ 1.5):", ""]
            for (db, sz, name), r in results.items():
                if db == database and sz == large and (db, small, name) in results and name != "floor (bare view)":
                    base = results[(db, small, name)]["p95"] or 1
                    ratio = r["p95"] / base
                    lines.append(f"- {name}: {ratio:.2f}" + ("" if ratio <= 1.5 else " — **missed**"))
        lines += [""] + mixes(results, database) + before_after(results, database) + targets(results, database, sizes)
        lines += [""]
    return lines


def mixes(results, database) -> list[str]:
    """What the rows that cycle through a list asked for: how many distinct searches, how many members."""
    out = []
    for (db, size, name), r in results.items():
        mix = r.get("mix")
        if db != database or not mix:
            continue
        if "members" in mix:
            out.append(f"- {name}, {int(size):,}: {mix['members']} members in turn, each with a session of their "
                       "own and open co-signing invitations")
        elif "distinct" in mix:
            kinds = mix.get("kinds", {})
            bands = ", ".join(f"{count} {band}" for band, count in (
                ("common", sum(v for k, v in kinds.items() if k == "one word, common")),
                ("medium", sum(v for k, v in kinds.items() if k == "one word, medium")),
                ("rare", sum(v for k, v in kinds.items() if k == "one word, rare"))))
            asked = r["requests"] / mix["distinct"] if mix["distinct"] else 0
            out.append(f"- {name}, {int(size):,}: {mix['distinct']} distinct queries drawn from the dataset, in turn "
                       f"({mix['one_word']} of one word: {bands}; {mix['two_words']} of two), each asked "
                       f"{asked:.1f} times on average")
    if out:
        out = ["Rows loaded as a mix (scripts/bench_queries.py, scripts/bench_cycle.lua):", "", *out, ""]
    return out


def before_after(results, database) -> list[str]:
    """p95 and throughput of this run beside the earlier run of BEFORE, page by page."""
    if not BEFORE.exists():
        return []
    before = json.loads(BEFORE.read_text())
    about, earlier = before.get("about", {}), before.get("results", {})
    rows = []
    for (db, size, name), r in results.items():
        old = earlier.get(f"{db}|{size}|{name}")
        if db != database or not old or name == "floor (bare view)":
            continue
        rate = round(r["completed"] / r["seconds"], 1) if "completed" in r else r["rps"]
        rows.append(f"| {name} | {int(size):,} | {old['rate']} → {rate} | {old['p95']} → {r['p95']} | "
                    f"{r['p95'] / (old['p95'] or 1):.2f} |")
    if not rows:
        return []
    mix = "; ".join(f"{page}: {what}" for page, what in about.get("mix", {}).items())
    return [f"Before (commit {about.get('commit', '?')}, run of {about.get('run', '?')}) and after (this run):", "",
            "| page | size | per s | p95 (ms) | p95 after ÷ before |", "|---|---|---|---|---|", *rows, "",
            *([f"Before, {mix}; after, the mixes above."] if mix else []), ""]


def targets(results, database, sizes) -> list[str]:
    """The performance issue's targets, checked against this run (they are stated for PostgreSQL)."""
    large = str(sizes[-1])
    out = [f"Targets at {sizes[-1]:,} proposals:", ""]

    def mark(ok):
        return "met" if ok else "**missed**"

    for name, limit in TARGET_P95.items():
        r = results.get((database, large, name))
        if r:
            out.append(f"- {name}: p95 {r['p95']} ms at concurrency 32 (≤ {limit}) — {mark(r['p95'] <= limit)}")
    counted = {name: r["queries"] for (db, sz, name), r in results.items()
               if db == database and sz == large and r.get("queries") is not None}
    if counted:
        worst = max(counted, key=counted.get)
        out.append(f"- queries per page ≤ 15: most {counted[worst]} ({worst}) — {mark(counted[worst] <= 15)}")
    r = results.get((database, large, "statistics of a term (one user)"))
    if r:
        out.append(f"- statistics of a term, one user: p95 {r['p95']} ms (≤ 500) — {mark(r['p95'] <= 500)}")
    r = results.get((database, large, "proposal submission (API)"))
    if r:
        rate = r["completed"] / r["seconds"]
        ok = rate >= 50 and r["non2xx"] == 0 and r["errors"] == 0
        out.append(f"- sustained submission: {rate:.1f} proposals/s, {r['non2xx']} non-2xx, {r['errors']} errors "
                   f"(≥ 50/s, no errors) — {mark(ok)}")
    return out


def write_report(results):
    """Replace the generated part of docs/benchmarks.md (between the markers); the analysis around it stays."""
    path = ROOT / "docs" / "benchmarks.md"
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in text:
        text = f"{text.rstrip()}\n\n{start}\n{end}\n"
    generated = "\n".join(report_tables(results))
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    path.write_text(f"{head}{start}\n{generated}\n{end}{tail}")
    print(generated)


if __name__ == "__main__":
    main()
