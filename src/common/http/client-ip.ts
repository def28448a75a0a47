import { isIP } from 'node:net';
import type { Request } from 'express';

/**
 * The caller's IP as Express resolves it (honouring TRUST_PROXY), or null when that is not an IP
 * address: behind a trusted proxy it comes from X-Forwarded-For, which the client can write.
 */
export function clientIp(request: Request): string | null {
  const ip = request.ip;
  return ip && isIP(ip) ? ip : null;
}
