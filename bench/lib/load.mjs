// One bounded autocannon run against a loopback URL; returns the figures we report.
import autocannon from 'autocannon';

export async function load({
  url,
  headers = {},
  connections = 50,
  duration = 10,
  method = 'GET',
  body,
}) {
  assertLoopback(url);
  const result = await autocannon({ url, headers, connections, duration, method, body });
  const non2xx = result.non2xx + result.errors + result.timeouts;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: non2xx,
  };
}

/** Load goes to this machine only. */
export function assertLoopback(url) {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url)) {
    throw new Error(`refusing to send load to a non-loopback address: ${url}`);
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
