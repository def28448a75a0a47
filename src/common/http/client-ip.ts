import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * The caller's IP as Fastify resolves it (honouring TRUST_PROXY), or null when that is not an IP
 * address: behind a trusted proxy it comes from X-Forwarded-For, which the client can write.
 */
export function clientIp(request: FastifyRequest): string | null {
  const ip = request.ip;
  return ip && isIP(ip) ? ip : null;
}
