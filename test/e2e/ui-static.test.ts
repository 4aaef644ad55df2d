// The web UI as `aloft server` serves it at /ui: the built files (dist/ui, from `npm run build`), their
// headers, nothing outside the folder, and the first page's JavaScript within its 400 KB gzipped budget.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defaultUiDir } from '../../lib/api/ui-static';
import { startServer, type Harness } from './server-harness';

const BUDGET_GZIP_BYTES = 400 * 1024;

describe('the web UI at /ui', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    const found = defaultUiDir();
    if (!found) throw new Error('dist/ui is missing: run npm run build (npm ci runs it)');
    dir = found;
    h = await startServer({ auth: { tokens: [{ token: 'ui-token-123', scope: 'admin' }] } });
  });
  afterAll(async () => { await h?.stop(); });

  it('serves the page without a token, with a policy that keeps every load on this origin', async () => {
    for (const path of ['/ui', '/ui/']) {
      const page = await h.call('GET', path);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(page.body).toContain('<div id="app"></div>');
    }
    // The API itself still needs the token.
    expect((await h.call('GET', '/api/v1/flows/search')).status).toBe(401);
  });

  it('serves the hashed assets the page names, cached for good', async () => {
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await h.call('GET', script!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('answers 404 for a missing file and for a path that climbs out of the folder', async () => {
    const missing = await h.call('GET', '/ui/assets/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND', message: 'no file /ui/assets/nope.js' });
    for (const path of ['/ui/%2e%2e/%2e%2e/package.json', '/ui/..%2f..%2fpackage.json']) {
      const r = await h.call('GET', path);
      expect(r.status).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain('"name":"aloft"');
    }
  });

  it('loads nothing from the internet and keeps the first page\'s JavaScript under 400 KB gzipped', () => {
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const firstPage = [...html.matchAll(/(?:src|href)="\/ui\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(firstPage.length).toBeGreaterThan(0);
    const gzipped = firstPage.reduce((sum, f) => sum + gzipSync(readFileSync(join(dir, f))).length, 0);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    for (const css of [...html.matchAll(/href="\/ui\/(assets\/[^"]+\.css)"/g)].map((m) => m[1])) {
      expect(readFileSync(join(dir, css), 'utf8')).not.toMatch(/url\((["']?)(https?:)?\/\//);
    }
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
  });

  it('builds the flow JSON Schema into dist/flow.schema.json, the same document the API serves', async () => {
    const built = JSON.parse(readFileSync(join(dir, '..', 'flow.schema.json'), 'utf8'));
    const served = await h.call('GET', '/api/v1/plugins/schemas/flow', { headers: { authorization: 'Bearer ui-token-123' } });
    expect(served.status).toBe(200);
    expect(built).toEqual(served.body);
  });
});
