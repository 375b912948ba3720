"""Latency of the unit suggestions (``suggest_units``), measured in-process against the database of DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tian_h6_100k .venv/bin/python scripts/bench_suggest.py

The committee must have a model (``manage.py train_unit_model``). The first call loads the model (once per process
and version) and is not counted; then ``--repeat`` proposals are suggested for, each once: the registered ones (those
waiting to be assigned, as the clerk meets them), topped up with the newest others. It prints p50/p95/max in
milliseconds with the number of SQL queries of one call, and the row of the table in docs/suggestions.md ("Speed").
"""

import argparse
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

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tian.proposals.models import Proposal, State  # noqa: E402
from tian.search.text import warm  # noqa: E402
from tian.suggest.selectors import current_model, suggest_units  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--long", action="store_true", help="give each proposal the text of ten (about 2,500 "
                        "characters, a real proposal's length; the synthetic ones are short), not saved")
    args = parser.parse_args()
    warm()
    registered = list(Proposal.objects.filter(state=State.REGISTERED).order_by("-pk").select_related("committee")
                      [:args.repeat])
    proposals = registered + list(Proposal.objects.exclude(title="").exclude(state=State.REGISTERED).order_by("-pk")
                                  .select_related("committee")[:args.repeat - len(registered)])
    if args.long:
        bodies = [p.full_body for p in proposals]
        for i, proposal in enumerate(proposals):
            proposal.body = "\n".join((bodies * 2)[i:i + 10])
    started = time.perf_counter()
    row, _model = current_model(proposals[0].committee_id)
    if row is None:
        sys.exit("no model: run manage.py train_unit_model first")
    loading = (time.perf_counter() - started) * 1000
    suggest_units(proposals[-1])  # the first call's one-time costs (jieba's caches, the connection) are not counted
    times = []
    for proposal in proposals:
        started = time.perf_counter()
        suggest_units(proposal)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        suggest_units(proposals[0])
    times.sort()
    print(f"{connection.vendor}, model v{row.version} from {row.trained_from} proposals, "
          f"{Proposal.objects.count()} proposals; loading the model {loading:.0f} ms")
    p50, p95 = statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)]
    print(f"suggest_units  p50 {p50:.1f}  p95 {p95:.1f}  max {times[-1]:.1f} ms  ({len(times)} proposals, "
          f"{len(registered)} registered; {len(queries)} queries)")
    texts = statistics.median(len(p.full_body) for p in proposals)
    print(f"| {connection.vendor}, {Proposal.objects.count():,} proposals, texts of {texts:,.0f} characters | {row.trained_from:,} | {p50:.1f} | "
          f"{p95:.1f} | {times[-1]:.1f} | {len(queries)} | {loading:.0f} |")


if __name__ == "__main__":
    main()
