// Sends fuzz cases to a server and counts what must never happen: 5xx answers, hangs, crashes (an
// uncaught exception or rejection in this process, where the server runs), and RSS growth.
import { fuzzCase, SEED_FLOWS, type FuzzCase, type FuzzKind } from './cases';
import { isRefusal, messageCase } from './messages';

export interface FuzzOptions {
  url: string;
  seed: number;
  cases: number;
  /** A request without an answer after this long is a hang. */
  hangMs: number;
  /** The run stops after this long, whatever the count. */
  maxSeconds: number;
  /** Cases replayed first: past failures kept as regressions. */
  corpus?: readonly FuzzCase[];
  /** Worker messages, Firestore events and Pub/Sub trigger messages, decoded in this process. */
  messages: number;
}

export interface FuzzFailure {
  kind: FuzzKind | 'message';
  what: '5xx' | 'hang' | 'crash';
  status?: number;
  index?: number;
  case: FuzzCase | { message: string; seed: number; index: number };
  answer?: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  byKind: Record<string, number>;
  status5xx: number;
  hangs: number;
  crashes: number;
  rssStartMb: number;
  rssEndMb: number;
  /**
   * RSS after the warm-up: the corpus, then the first fifth of the generated cases, at most 2,000. They
   * compile code and fill caches (SQLite's page cache, parsed templates, V8's heap reserve) once.
   * Growth counts from here to the end, both measured the same way (`steady`): with the server's
   * executions ended, after a full GC, the median of three readings.
   */
  rssWarmMb: number;
  rssGrowthMb: number;
  /** The JS heap in use after a full GC, at start and end: growth here is memory kept, not an allocator's reserve. */
  heapStartMb: number;
  heapWarmMb: number;
  heapEndMb: number;
  seconds: number;
  /** process.memoryUsage() after a full GC, in MB: every 1,000 cases, after the warm-up and at the end (`steady`). */
  memory: MemorySample[];
  failures: FuzzFailure[];
}

export interface MemorySample {
  cases: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

async function send(url: string, c: FuzzCase, hangMs: number): Promise<{ status: number; text: string } | 'hang'> {
  let body: BodyInit | undefined = c.body;
  if (c.form) {
    const form = new FormData();
    for (const [k, v] of Object.entries(c.form)) {
      if (typeof v === 'string') form.append(k, v);
      else form.append(k, new Blob([v.file]), v.name);
    }
    body = form;
  }
  try {
    const res = await fetch(`${url}${c.path}`, { method: c.method, headers: c.headers, body: c.method === 'GET' ? undefined : body, signal: AbortSignal.timeout(hangMs) });
    const text = await res.text();
    return { status: res.status, text };
  } catch (err) {
    if ((err as Error)?.name === 'TimeoutError') return 'hang';
    // A request the client refuses to build (a header it rejects) tests nothing on the server.
    return { status: 0, text: String((err as Error)?.message ?? err) };
  }
}

const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Memory at a quiet moment, measured the same way each time: once the server has no active execution
 * (at most 15 s: a fuzzed flow may pause), after a full GC, the median of three readings 200 ms apart
 * (RSS moves by several MB between two readings as V8 and the allocator give pages back).
 */
async function steady(url: string, cases: number): Promise<MemorySample> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const active = await fetch(`${url}/api/v1/executions/search?size=1&state=CREATED,RUNNING,QUEUED,RETRYING,KILLING,RESTARTED`)
      .then((r) => r.json() as Promise<{ results?: unknown[] }>).catch(() => undefined);
    if (!active?.results?.length) break;
    await sleep(200);
  }
  const readings: MemorySample[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(200);
    readings.push(sample(cases));
  }
  return readings.sort((a, b) => a.rss - b.rss)[1];
}

function sample(cases: number): MemorySample {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { cases, rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const crashes: unknown[] = [];
  const onCrash = (err: unknown): void => { crashes.push(err); };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const started = Date.now();
  const report: FuzzReport = {
    seed: o.seed, cases: 0, byKind: {}, status5xx: 0, hangs: 0, crashes: 0, rssStartMb: 0, rssEndMb: 0, rssWarmMb: 0, rssGrowthMb: 0, heapStartMb: 0, heapWarmMb: 0, heapEndMb: 0, seconds: 0, memory: [], failures: [],
  };
  try {
    for (const yaml of SEED_FLOWS) {
      const r = await send(o.url, { kind: 'flow', method: 'POST', path: '/api/v1/flows', headers: { 'content-type': 'application/x-yaml' }, body: yaml }, o.hangMs);
      if (r === 'hang' || r.status !== 200) throw new Error(`the seed flow was refused: ${r === 'hang' ? 'hang' : r.text}`);
    }
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    report.rssStartMb = mb(process.memoryUsage().rss);
    report.heapStartMb = mb(process.memoryUsage().heapUsed);
    const warmUp = Math.min(2000, Math.floor(o.cases / 5));
    // Generated one at a time: holding 10,000 cases (bodies up to 600 KB) would count the fuzzer's own
    // memory as the server's RSS growth.
    const corpus = o.corpus ?? [];
    const all = function* (): Generator<{ c: FuzzCase; index?: number }> {
      for (const c of corpus) yield { c };
      for (let i = 0; i < o.cases; i++) yield { c: fuzzCase(o.seed, i), index: i };
    };
    for (const { c, index } of all()) {
      if ((Date.now() - started) / 1000 > o.maxSeconds) break;
      if (index === warmUp) {
        const warm = await steady(o.url, report.cases);
        report.memory.push(warm);
        report.rssWarmMb = warm.rss;
        report.heapWarmMb = warm.heapUsed;
      } else if (report.cases > 0 && report.cases % 1000 === 0) report.memory.push(sample(report.cases));
      report.cases++;
      report.byKind[c.kind] = (report.byKind[c.kind] ?? 0) + 1;
      const before = crashes.length;
      const r = await send(o.url, c, o.hangMs);
      const fail = (what: FuzzFailure['what'], status?: number, answer?: string): void => {
        if (report.failures.length < 50) report.failures.push({ kind: c.kind, what, ...(status ? { status } : {}), ...(index !== undefined ? { index } : {}), case: shorten(c), ...(answer ? { answer: answer.slice(0, 300) } : {}) });
      };
      if (r === 'hang') { report.hangs++; fail('hang'); } else if (r.status >= 500) { report.status5xx++; fail('5xx', r.status, r.text); }
      if (crashes.length > before) { report.crashes += crashes.length - before; fail('crash', undefined, String((crashes[crashes.length - 1] as Error)?.stack ?? crashes[crashes.length - 1])); }
    }
    for (let i = 0; i < o.messages; i++) {
      if ((Date.now() - started) / 1000 > o.maxSeconds) break;
      const m = messageCase(o.seed, i);
      report.cases++;
      report.byKind.message = (report.byKind.message ?? 0) + 1;
      const t0 = Date.now();
      try {
        m.run();
      } catch (err) {
        if (!isRefusal(err)) {
          report.crashes++;
          if (report.failures.length < 50) report.failures.push({ kind: 'message', what: 'crash', case: { message: m.name, seed: o.seed, index: i }, answer: String((err as Error)?.stack ?? err).slice(0, 300) });
        }
      }
      if (Date.now() - t0 > o.hangMs) {
        report.hangs++;
        if (report.failures.length < 50) report.failures.push({ kind: 'message', what: 'hang', case: { message: m.name, seed: o.seed, index: i } });
      }
    }
    const end = await steady(o.url, report.cases);
    report.memory.push(end);
    report.rssEndMb = end.rss;
    report.heapEndMb = end.heapUsed;
    report.rssGrowthMb = report.rssEndMb - (report.rssWarmMb || report.rssStartMb);
  } finally {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
  }
  return report;
}

/** A failure as kept in the corpus: long bodies cut (the seed and index regenerate them whole). */
function shorten(c: FuzzCase): FuzzCase {
  return c.body && c.body.length > 2000 ? { ...c, body: `${c.body.slice(0, 2000)}` } : c;
}
