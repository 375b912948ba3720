-- Shared by the wrk scripts of make bench: the one-line JSON summary scripts/bench.py reads.
-- ``completed``: proposals that reached the next state (submission, registration), or nil for a page.
function bench_report(summary, latency, completed)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local extra = completed and string.format(', "completed": %d', completed) or ""
  io.write(string.format('BENCH {"requests": %d, "seconds": %.3f, "non2xx": %d, "errors": %d, ' ..
    '"p50": %.2f, "p95": %.2f, "p99": %.2f%s}\n', summary.requests, summary.duration / 1e6,
    summary.errors.status, errors, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, extra))
end
