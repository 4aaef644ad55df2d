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
   * RSS after the warm-up cases (the first tenth, at most 1,000): they compile code and fill caches
   * (SQLite's page cache, parsed templates, V8's heap reserve) once. Growth counts from here.
   */
  rssWarmMb: number;
  rssGrowthMb: number;
  /** The JS heap in use after a full GC, at start and end: growth here is memory kept, not an allocator's reserve. */
  heapStartMb: number;
  heapWarmMb: number;
  heapEndMb: number;
  seconds: number;
  failures: FuzzFailure[];
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

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const crashes: unknown[] = [];
  const onCrash = (err: unknown): void => { crashes.push(err); };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const started = Date.now();
  const report: FuzzReport = {
    seed: o.seed, cases: 0, byKind: {}, status5xx: 0, hangs: 0, crashes: 0, rssStartMb: 0, rssEndMb: 0, rssWarmMb: 0, rssGrowthMb: 0, heapStartMb: 0, heapWarmMb: 0, heapEndMb: 0, seconds: 0, failures: [],
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
    const warmUp = Math.min(1000, Math.floor(o.cases / 10));
    // Generated one at a time: holding 10,000 cases (bodies up to 600 KB) would count the fuzzer's own
    // memory as the server's RSS growth.
    const corpus = o.corpus ?? [];
    const all = function* (): Generator<{ c: FuzzCase; index?: number }> {
      for (const c of corpus) yield { c };
      for (let i = 0; i < o.cases; i++) yield { c: fuzzCase(o.seed, i), index: i };
    };
    for (const { c, index } of all()) {
      if ((Date.now() - started) / 1000 > o.maxSeconds) break;
      report.cases++;
      if (report.cases === warmUp + 1) {
        gc?.();
        report.rssWarmMb = mb(process.memoryUsage().rss);
        report.heapWarmMb = mb(process.memoryUsage().heapUsed);
      }
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
    gc?.();
    report.rssEndMb = mb(process.memoryUsage().rss);
    report.heapEndMb = mb(process.memoryUsage().heapUsed);
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
