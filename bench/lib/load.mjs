// One bounded autocannon run against a loopback URL; returns the figures we report. And its
// equivalent for requests autocannon cannot make (each built from the answer to the last).
import { performance } from 'node:perf_hooks';
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

/**
 * `connections` loops for `duration` seconds, each awaiting `step(loop)` (one request, its
 * index 0…connections-1) before the next; `step` resolves true for a success. A loop's next
 * request may depend on the answer to its last, so a loop stops at its first failure, which shows
 * in `failures` and in fewer requests/s. The figures of `load`: successes per second over the
 * whole run (the requests in flight at the end included), latency p50 and p99 in ms.
 */
export async function loopLoad({ connections = 50, duration = 10, step }) {
  const latencies = [];
  let failures = 0;
  const started = performance.now();
  const end = started + duration * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, loop) => {
      while (performance.now() < end) {
        const sent = performance.now();
        const ok = await step(loop);
        latencies.push(performance.now() - sent);
        if (!ok) {
          failures++;
          return;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (share) =>
    round(sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]);
  return {
    rps: (latencies.length - failures) / seconds,
    p50: at(0.5),
    p99: at(0.99),
    requests: latencies.length,
    failures,
  };
}

/** Tenths of a millisecond: autocannon's latencies are whole ones, these need not be. */
const round = (ms) => (ms === undefined ? null : Math.round(ms * 10) / 10);

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
