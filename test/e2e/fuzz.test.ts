// The short form of `npm run fuzz` (scripts/fuzz.ts): the corpus of past failures, then generated
// cases, against a real `aloft server` over HTTP. Nothing may answer 5xx, hang or crash.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FuzzCase } from '../../scripts/fuzz/cases';
import { runFuzz } from '../../scripts/fuzz/run';
import { startServer, type Harness } from './server-harness';

describe('npm run fuzz, short', () => {
  let h: Harness;
  beforeAll(async () => { h = await startServer(); });
  afterAll(async () => { await h.stop(); });

  it('answers the corpus, 400 generated requests and 400 messages without a 5xx, a hang or a crash', async () => {
    const corpus = JSON.parse(readFileSync(join(__dirname, '../fixtures/fuzz-corpus.json'), 'utf8')) as FuzzCase[];
    const report = await runFuzz({ url: h.url, seed: 7, cases: 400, messages: 400, hangMs: 5000, maxSeconds: 100, corpus });
    expect(report.failures).toEqual([]);
    expect(report.cases).toBe(800 + corpus.length);
    expect(Object.keys(report.byKind).sort()).toEqual(['expression', 'flow', 'inputs', 'message', 'route', 'webhook']);
    // Memory is read the same way after the warm-up (the first fifth of the generated cases) and at the end.
    expect(report.memory.map((m) => m.cases)).toEqual([corpus.length + 80, report.cases]);
    expect(report.rssGrowthMb).toBe(report.rssEndMb - report.rssWarmMb);
  }, 120_000);
});
