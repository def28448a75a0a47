import type { RequestPrincipal } from '../identity';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller of a protected route: the authentication guard sets it, and nothing else does. */
    user?: RequestPrincipal;
  }
}
