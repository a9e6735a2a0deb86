-- wrk: print p95 latency (ms), requests per second and non-2xx responses on the last line.
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout
  io.write(string.format("RESULT %.2f %.1f %d\n", latency:percentile(95) / 1000, summary.requests / secs, bad))
end
