import type { FastifyRequest } from 'fastify';

/** As long as the sessions column, and plenty for any real browser or client. */
export const MAX_USER_AGENT_LENGTH = 512;

/**
 * The caller's User-Agent cut to `MAX_USER_AGENT_LENGTH` characters, or null without one. Node
 * reads header values as Latin-1, one UTF-16 unit per character, so `slice` cuts characters.
 */
export function userAgentOf(request: FastifyRequest): string | null {
  const userAgent = request.headers['user-agent'];
  return userAgent ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null;
}
