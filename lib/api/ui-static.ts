// The web UI's files (dist/ui, built by scripts/build.mjs) at /ui. They hold no data, so they need no
// token; the API calls the UI makes carry it. The content security policy keeps every load on this origin.
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { AloftError, ErrorCode } from '../model/errors';

export const UI_PATH = '/ui';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.map': 'application/json',
};

const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** dist/ui beside the bundled CLI (dist/cli.js), or under the repository when running from lib/. */
export function defaultUiDir(): string | undefined {
  return [join(__dirname, 'ui'), join(__dirname, '..', '..', 'dist', 'ui')].find((d) => existsSync(join(d, 'index.html')));
}

export const isUiPath = (pathname: string): boolean => pathname === UI_PATH || pathname.startsWith(`${UI_PATH}/`);

/** Sends the file at `pathname` (under /ui); /ui and /ui/ are the page. NOT_FOUND for anything else. */
export async function serveUi(uiDir: string | undefined, pathname: string, res: ServerResponse): Promise<void> {
  if (!uiDir) throw new AloftError(ErrorCode.NOT_FOUND, 'the web UI is not built: run npm run build');
  const rel = pathname.slice(UI_PATH.length).replace(/^\/+/, '') || 'index.html';
  const root = resolve(uiDir);
  const file = resolve(root, rel);
  if (!file.startsWith(root + sep)) throw new AloftError(ErrorCode.NOT_FOUND, `no file ${pathname}`);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new AloftError(ErrorCode.NOT_FOUND, `no file ${pathname}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(info.size),
    // Vite names assets by their content; the page itself must be fetched again to see a new build.
    'cache-control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
  });
  await new Promise<void>((done, fail) => createReadStream(file).on('error', fail).pipe(res).on('finish', done));
}
