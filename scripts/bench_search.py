"""Latency of search and similar proposals, measured in-process against the database of DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tian_bench_100000 .venv/bin/python scripts/bench_search.py
    DATABASE_URL=sqlite:///var/bench/sqlite-100000.sqlite3 .venv/bin/python scripts/bench_search.py

It only reads (the index must have been built: ``manage.py rebuild_search_index``). Each query runs once to
warm up and then ``--repeat`` times; the script prints p50/p95/max in milliseconds for:

- search as the staff search page runs it (``visible_proposals(staff)`` with the page's filters applied);
- search as the public portal runs it (disclosed proposals), and the whole public search page (test client),
  with its number of SQL queries;
- similar proposals as the live panel runs them (title and body of existing proposals, staff scope), and as
  the merge candidates at review (same year, submitted to handling).

The queries: two-character words (托育), common words (建设), several words, and a word found nowhere; or, with
``--mixed N``, the first N of the distinct queries make bench draws from the dataset (scripts/bench_queries.py).
"""

import argparse
import hashlib
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tian.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
os.environ.setdefault("HTTPS_ONLY", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Pages are rendered without collectstatic having run: plain static URLs instead of the manifest's.
settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from tian.accounts.models import User  # noqa: E402
from tian.organisations.selectors import current_committee  # noqa: E402
from tian.portal.selectors import disclosed_proposals  # noqa: E402
from tian.proposals.models import Proposal, State  # noqa: E402
from tian.proposals.selectors import visible_proposals  # noqa: E402
from tian.search.filters import apply_filters  # noqa: E402
from tian.search.query import search_proposals, similar_proposals  # noqa: E402
from tian.search.views import merge_candidates  # noqa: E402

QUERIES = [
    "托育", "医保", "停车", "养老",  # two characters
    "建设", "发展", "服务",  # in most proposals
    "农村 饮水 安全", "未成年人 保护", "老旧小区改造", "垃圾分类 农村", "乡村振兴 人才",  # several words
    "量子计算",  # nowhere
]


def timed(function, repeat: int) -> list[float]:
    function()  # warm-up: caches, the first query plan
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(name: str, samples: list[float], extra: str = "") -> None:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"{name:<34} n={len(samples):<4} p50 {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   "
          f"max {samples[-1]:7.1f} ms {extra}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query (after one warm-up)")
    parser.add_argument("--similar", type=int, default=40, help="how many proposals to look up as similar")
    parser.add_argument("--verbose", action="store_true", help="also print the figures of each query")
    parser.add_argument("--mixed", type=int, default=0,
                        help="search the first N queries make bench draws from the dataset instead of the fixed ones")
    args = parser.parse_args()
    queries = QUERIES
    if args.mixed:
        sys.path.insert(0, str(ROOT / "scripts"))
        from bench_queries import search_queries

        # make bench's kept list (the same at every size) where there is one, else drawn from this dataset.
        fingerprint = hashlib.sha256((ROOT / "tian" / "demo" / "synthetic.py").read_bytes()).hexdigest()[:12]
        keep = ROOT / "var" / "bench" / f"search-queries-{fingerprint}"
        queries = search_queries(keep=keep if keep.with_suffix(".txt").exists() else None)[0][:args.mixed]

    committee = current_committee()
    staff = User.objects.filter(role_grants__role="staff").order_by("pk").first()
    total = Proposal.objects.count()
    print(f"{connection.vendor}, {total} proposals, {disclosed_proposals(committee).count()} disclosed", flush=True)

    def staff_scope():
        return apply_filters(visible_proposals(staff).filter(committee=committee).exclude(state=State.DRAFT), {},
                             committee)

    def public_scope():
        return disclosed_proposals(committee)

    # The portal says that its scope holds disclosed proposals only (the engine then looks among their documents).
    for name, scope, disclosed in (("search, staff page", staff_scope, False),
                                   ("search, public portal", public_scope, True)):
        samples = []
        for query in queries:
            these = timed(lambda q=query, s=scope, d=disclosed: search_proposals(s(), q, limit=20, disclosed=d),
                          args.repeat)
            if args.verbose:
                summary(f"  {query}", these, f"({search_proposals(scope(), query, disclosed=disclosed).total} found)")
            samples += these
        summary(name, samples)

    client = Client()
    samples, counts = [], set()
    for query in queries:
        url = reverse("portal:search") + f"?q={query}"
        samples += timed(lambda u=url: client.get(u), args.repeat)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.add(len(captured))
    summary("public search page (whole view)", samples, f"SQL queries per page: {sorted(counts)}")

    # Proposals spread over the whole table, as the panel and the review would look them up.
    ids = list(Proposal.objects.exclude(state=State.DRAFT).order_by("pk").values_list("pk", flat=True))
    step = max(len(ids) // args.similar, 1)
    sample = list(Proposal.objects.filter(pk__in=ids[::step][:args.similar]))
    panel_scope = visible_proposals(staff).exclude(state__in=[State.DRAFT, State.WITHDRAWN])
    panel, review = [], []
    for proposal in sample:
        panel += timed(lambda p=proposal: similar_proposals(panel_scope, p.title, p.full_body, exclude_pk=p.pk),
                       args.repeat)
        review += timed(lambda p=proposal: merge_candidates(staff, p), args.repeat)
    summary("similar, live panel", panel)
    summary("similar, merge candidates", review)


if __name__ == "__main__":
    main()
