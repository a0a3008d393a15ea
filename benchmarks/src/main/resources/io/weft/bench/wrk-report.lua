-- Ends a wrk run with one line the benchmark harness reads: completed requests, errors, latency in microseconds.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "weft-bench-wrk requests=%.0f duration_us=%.0f socket_errors=%.0f non2xx=%.0f p50_us=%.0f p99_us=%.0f\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
