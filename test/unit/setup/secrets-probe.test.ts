// The secrets probe itself (test/setup/secrets-probe.js): it must see a leak, or the suite-wide check
// it feeds proves nothing. Each case points the probe at a folder of its own, so these deliberate
// leaks do not fail the run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvSecrets } from '../../../lib/adapters/local/secrets';
import { MemoryLogStore } from '../../../lib/adapters/local/log-store';

const PROBE = join(__dirname, '../../setup/secrets-probe.js');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function hitsIn(dir: string): Array<{ sink: string; around: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

describe('the secrets probe', () => {
  let dir: string;
  // Every copy of the probe in this process reads this override (test/setup/secrets-probe.js).
  // Node's own module object (an import gives a copy of its properties).
  const shared = createRequire(__filename)('node:http') as { __aloftHitsOverride?: string };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aloft-probe-'));
    shared.__aloftHitsOverride = dir;
  });
  afterEach(() => {
    delete shared.__aloftHitsOverride;
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees a child process print one line of a multi-line SECRET_ variable, and never writes the secret itself', () => {
    const secret = 'first-line-of-it\nsecond-line-of-it';
    const r = spawnSync(process.execPath, ['--require', PROBE, '-e', 'process.stdout.write("token: second-line-of-it\\n")'], {
      env: { PATH: process.env.PATH, ALOFT_TEST_SECRET_HITS: dir, SECRET_MULTI: b64(secret) }, encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const hits = hitsIn(dir);
    expect(hits.map((h) => h.sink)).toEqual(['stdout']);
    expect(hits[0].around).toBe('token: <secret of 17 chars>\n');
    expect(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8')).not.toContain('second-line-of-it');
  });

  it('sees a secret that a Secrets adapter returned reach a log store', async () => {
    const value = await new EnvSecrets({ SECRET_DB: b64('s3cr3t-db-password') }).get('DB');
    await new MemoryLogStore().append([{ executionId: 'e', flowId: 'f', namespace: 'n', level: 'INFO', message: `connecting with ${value}`, timestamp: new Date(0).toISOString() } as never]);
    expect(hitsIn(dir).map((h) => h.sink)).toEqual(['MemoryLogStore.append']);
  });

  it('sees a secret in the body of an answer to an /api/ request, and not in other answers', async () => {
    await new EnvSecrets({ SECRET_API: b64('api-answer-secret') }).get('API');
    const server = createServer((_req, res) => res.end('{"value":"api-answer-secret"}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      await (await fetch(`http://127.0.0.1:${port}/fake/service`)).text();
      expect(hitsIn(dir)).toEqual([]);
      await (await fetch(`http://127.0.0.1:${port}/api/v1/executions/x`)).text();
      expect(hitsIn(dir).map((h) => h.sink)).toEqual(['api GET /api/v1/executions/x']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
