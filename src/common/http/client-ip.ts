import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** An IPv4-mapped IPv6 address once canonical: `::ffff:` and the IPv4 as two hex groups. */
const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * The caller's address as Fastify resolves it (honouring TRUST_PROXY), for sessions, logs and
 * auth events, or null when it is not an IP address: behind a trusted proxy it comes from
 * X-Forwarded-For, which the client can write. See `normalizeIp` for its form.
 */
export function clientIp(request: FastifyRequest): string | null {
  return normalizeIp(request.ip);
}

/**
 * The key that per-address limits count against: the IPv4 address, or the /64 an IPv6 address
 * belongs to (`2001:db8:1:2::/64`), since one host usually holds a whole /64 and could otherwise
 * take a fresh address for every request.
 */
export function clientAddressKey(request: FastifyRequest): string {
  const ip = clientIp(request);
  if (ip === null) return 'unknown';
  if (isIPv4(ip)) return ip;
  return `${canonicalIPv6(`${ipv6Groups(ip).slice(0, 4).join(':')}::`)}/64`;
}

/**
 * One spelling per address, short enough for any column: an IPv4-mapped IPv6 address becomes the
 * IPv4 address it carries, an IPv6 zone id (`%eth0`, meaningful only on the host that wrote it,
 * and of any length) is dropped, and IPv6 takes its canonical form (lower case, `::` compressed).
 */
function normalizeIp(address: string | undefined): string | null {
  if (!address) return null;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return null;
  const canonical = canonicalIPv6(address.split('%', 1)[0]);
  const mapped = IPV4_MAPPED.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The WHATWG URL parser writes IPv6 hosts in the canonical form of RFC 5952. */
function canonicalIPv6(address: string): string {
  return new URL(`http://[${address}]`).hostname.slice(1, -1);
}

/** The eight groups of a canonical IPv6 address (which has no embedded IPv4 part). */
function ipv6Groups(canonical: string): string[] {
  const [head, tail] = canonical.split('::');
  const left = head ? head.split(':') : [];
  if (tail === undefined) return left;
  const right = tail ? tail.split(':') : [];
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
}
