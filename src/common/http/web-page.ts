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
 * Serves the web page (built by `npm run build` into `dist/web`) at `/`. Only the files found at
 * start get a route, so every other path still gets the API's 404 body.
 * Returns false when the page is not built, so the API still starts.
 */
export async function serveWebPage(app: NestFastifyApplication, root: string): Promise<boolean> {
  if (!existsSync(join(root, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    decorateReply: false,
    // The source maps stay out: the page needs none to run.
    globIgnore: ['**/*.map'],
    setHeaders: (reply) => {
      reply.header('Content-Security-Policy', WEB_PAGE_CSP);
    },
  });
  return true;
}
