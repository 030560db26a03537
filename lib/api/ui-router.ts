// GET /ui/: the dashboard's static files, built by vite into dist/ui at install time (ui/).
// Public (the pages hold no data; the API they call checks the session). Hashed assets are
// cached forever, index.html never; any other path under /ui/ that is no file is index.html
// (the client routes it). Not in the OpenAPI document: these are files, not the API.
import { readFile } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { resolveInside } from '../contained-file.ts';
import { errors } from '../errors.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Everything the pages load comes from the daemon itself; no inline script, no framing. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface UiRouterDeps {
  /** The built dashboard (dist/ui); resolved (realpath) or not, it is resolved once here. */
  dir: string;
}

export function createUiRouter(deps: UiRouterDeps): Router {
  const router = new Router();
  let root: string | undefined;

  async function rootDir(): Promise<string> {
    if (root) return root;
    const resolved = await resolveInside(deps.dir, undefined);
    if (!resolved.ok) throw errors.notFound('dashboard build', `${deps.dir} (${resolved.message}: run npm run build)`);
    return (root = resolved.real);
  }

  /** The file a request path names, when it is one inside the build; undefined otherwise. */
  async function findFile(rel: string): Promise<string | undefined> {
    const base = await rootDir();
    // ".." segments and encoded separators are refused before the file system sees them;
    // resolveInside then catches a symlink that leads out.
    if (rel.split('/').some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('\0'))) return undefined;
    const resolved = await resolveInside(join(base, ...rel.split('/').filter(Boolean)), base);
    return resolved.ok && resolved.real !== base ? resolved.real : undefined;
  }

  async function send(ctx: Context, file: string, cache: string): Promise<void> {
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      throw errors.notFound('dashboard file', ctx.path);
    }
    ctx.set('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    ctx.set('cache-control', cache);
    ctx.body = body;
  }

  router.get('/ui{/*rest}', async (ctx) => {
    ctx.set('content-security-policy', UI_CSP);
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('x-frame-options', 'DENY');
    ctx.set('referrer-policy', 'no-referrer');
    if (ctx.path === '/ui') {
      ctx.status = 302;
      ctx.redirect('/ui/');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path.slice('/ui/'.length));
    } catch {
      throw errors.notFound('dashboard file', ctx.path);
    }
    const file = rel === '' ? undefined : await findFile(rel);
    if (file && !file.endsWith(`${sep}index.html`)) {
      const hashed = rel.startsWith('assets/');
      return send(ctx, file, hashed ? IMMUTABLE : 'no-cache');
    }
    // A missing asset is a 404, not the page: a script answered with HTML would only confuse.
    if (rel.startsWith('assets/') || extname(rel) !== '') throw errors.notFound('dashboard file', ctx.path);
    return send(ctx, join(await rootDir(), 'index.html'), 'no-cache');
  });
  return router;
}
