import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The page's own policy, stricter than helmet's default for the API: its scripts and styles
 * come from this origin only (no inline script, no inline style), it talks to this origin only
 * (fetch and the event stream), and nothing may frame it. Without helmet's
 * `upgrade-insecure-requests`, which would break the page on plain HTTP beyond localhost.
 */
export const WEB_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The pages that mailed links open (`PUBLIC_URL/verify-email#token=…`): each is the page itself,
 * which reads the token from the fragment.
 */
export const WEB_PAGE_LANDINGS = ['/verify-email', '/reset-password', '/confirm-email'] as const;

/**
 * Serves the web page (built by `npm run build` into `dist/web`) at `/` and at its landings.
 * Only those paths and the files found at start get a route, so every other path still gets the
 * API's 404 body. Returns false when the page is not built, so the API still starts.
 */
export async function serveWebPage(app: NestFastifyApplication, root: string): Promise<boolean> {
  if (!existsSync(join(root, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    // reply.sendFile serves the page at its landings, with the same headers.
    decorateReply: true,
    // The source maps stay out: the page needs none to run.
    globIgnore: ['**/*.map'],
    setHeaders: (reply) => {
      reply.header('Content-Security-Policy', WEB_PAGE_CSP);
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  for (const landing of WEB_PAGE_LANDINGS) {
    fastify.get(landing, (_request, reply) => reply.sendFile('index.html'));
  }
  return true;
}
