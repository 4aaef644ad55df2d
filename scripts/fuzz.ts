// `npm run fuzz`: generated requests, flows, inputs, webhook bodies and expressions against an
// in-process `aloft server` on 127.0.0.1, then worker messages, Firestore events and Pub/Sub trigger
// messages decoded in process. Prints one JSON report; exits 1 on any 5xx, hang or crash, or RSS growth
// over 50 MB. It runs on a durable data directory, as `aloft server` does (--memory: in memory).
// Options: --cases N (10000), --messages N (5000), --seed S (1), --seconds T (300), --record
// (append failed requests to the corpus, which is replayed first on every run).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataDir } from '../lib/runtime/embedded/data-dir';
import { LocalServer } from '../lib/wiring/local-server';
import { projectRoot } from './chaos/server-process';
import type { FuzzCase } from './fuzz/cases';
import { runFuzz } from './fuzz/run';

// Resolved from the checkout: run-ts bundles this script under node_modules/.cache.
const CORPUS = join(projectRoot(), 'test', 'fixtures', 'fuzz-corpus.json');
const MAX_RSS_GROWTH_MB = 50;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-fuzz-'));
  // The durable store, as `aloft server` runs by default; --memory keeps everything in memory, so RSS
  // grows with every stored execution and log.
  const adapters = process.argv.includes('--memory') ? undefined : await openDataDir(join(dataDir, 'data'));
  const server = new LocalServer({
    env: { ALOFT_DATA_DIR: dataDir, ALOFT_SCHEDULER_INTERVAL_MS: '0' }, port: 0, pubsub: null, log: () => undefined, ...(adapters ? { adapters } : {}),
  });
  const { url } = await server.listen();
  try {
    const corpus: FuzzCase[] = existsSync(CORPUS) ? JSON.parse(readFileSync(CORPUS, 'utf8')) : [];
    const report = await runFuzz({ url, seed: arg('seed', 1), cases: arg('cases', 10_000), messages: arg('messages', 5000), hangMs: 5000, maxSeconds: arg('seconds', 300), corpus });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (process.argv.includes('--record') && report.failures.length > 0) {
      const requests = report.failures.map((f) => f.case).filter((c): c is FuzzCase => 'path' in c);
      writeFileSync(CORPUS, `${JSON.stringify([...corpus, ...requests], null, 2)}\n`);
    }
    return report.status5xx + report.hangs + report.crashes > 0 || report.rssGrowthMb > MAX_RSS_GROWTH_MB ? 1 : 0;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (err) => { process.stderr.write(`${(err as Error).stack ?? err}\n`); process.exit(2); });
