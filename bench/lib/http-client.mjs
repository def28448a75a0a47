// A keep-alive JSON client for load scripts that must see every response (status, parsed body,
// latency), where autocannon only counts them. Loopback addresses only.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { assertLoopback } from './load.mjs';

/**
 * `sockets` bounds the connections the client opens; a request that gets no byte for
 * `timeoutMs` fails with error TIMEOUT instead of waiting forever.
 */
export function jsonClient(base, { sockets = 1, timeoutMs = 30_000 } = {}) {
  assertLoopback(base);
  const { hostname, port } = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });

  /** Resolves, never rejects: `{ status, body, requestId, ms }` or `{ error, ms }`. */
  function request({ method = 'GET', path, token, body }) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = {};
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    const started = performance.now();
    return new Promise((resolve) => {
      const finish = (fields) => resolve({ ...fields, ms: performance.now() - started });
      const failed = (error) => finish({ error: error.code ?? error.message });
      const req = http.request(
        { agent, hostname, port, method, path, headers, timeout: timeoutMs },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('error', failed);
          res.on('end', () =>
            finish({
              status: res.statusCode,
              body: parse(Buffer.concat(chunks).toString()),
              requestId: res.headers['x-request-id'],
            }),
          );
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
      );
      req.on('error', failed);
      req.end(payload);
    });
  }

  return { request, close: () => agent.destroy() };
}

function parse(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}
