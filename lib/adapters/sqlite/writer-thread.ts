// The data directory's writer: a worker thread that owns the write connection. The main thread hands
// it one message per group commit (the statements of that batch, their parameters already
// serialised); the thread runs them in one transaction, commits, and acknowledges. The main thread
// then goes on with the next turns while SQLite executes and commits: the burst's statement work and
// COMMITs no longer share the main thread's core (docs/durability.md).
//
// The thread's side is plain JavaScript run with `eval`, so that it loads the same way under the
// bench's bundle, jest and dist/. Acknowledgements are posted as messages (the main thread's event
// loop wakes on them) and also stored in shared memory, so that close() can wait for the last one
// synchronously.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** Slots of the shared Int32Array. */
const Slot = { READY: 0, ACKED: 1, FAILED: 2, CLOSED: 3 } as const;

/** What the thread answers: a batch committed (or failed), its start, its close. */
export type WriterAnswer =
  | { ready: true }
  | { seq: number }
  | { seq: number; error: WriterError }
  | { opened: false; error: WriterError }
  | { closed: true };

export interface WriterError {
  message: string;
  code?: string;
}

/**
 * A part of a batch: statements first seen in it (prepared in order), then `[statement, argc, ...args]`
 * runs. The writer runs the parts of a batch in one transaction and commits at the part with `commit`.
 */
export interface WriterBatch {
  seq: number;
  sql: string[];
  ops: unknown[];
  commit: boolean;
}

const THREAD_SOURCE = `
const { workerData } = require('worker_threads');
const { port, state, file, pragmas, driver, timeoutMs } = workerData;
const Database = require(driver);
const signal = (i, v) => { Atomics.store(state, i, v); Atomics.notify(state, i); };
const describe = (e) => ({ message: String(e && e.message || e), code: e && typeof e.code === 'string' ? e.code : undefined });
let db, begin, commit;
const stmts = [];
try {
  db = new Database(file, { timeout: timeoutMs });
  for (const p of pragmas) db.pragma(p);
  begin = db.prepare('BEGIN IMMEDIATE');
  commit = db.prepare('COMMIT');
} catch (e) {
  try { if (db) db.close(); } catch {}
  port.postMessage({ opened: false, error: describe(e) });
  signal(${Slot.READY}, -1);
  signal(${Slot.FAILED}, -1);
  Atomics.notify(state, ${Slot.ACKED});
  signal(${Slot.CLOSED}, 1);
  port.close();
  db = undefined;
}
let failed = false;
if (db) {
  port.postMessage({ ready: true });
  signal(${Slot.READY}, 1);
  port.on('message', (m) => {
    if (m.close) {
      try { db.close(); } catch {}
      signal(${Slot.CLOSED}, 1);
      port.close();
      return;
    }
    if (failed) return;
    try {
      for (const s of m.sql) stmts.push(db.prepare(s));
      if (!db.inTransaction) begin.run();
      const ops = m.ops;
      for (let i = 0; i < ops.length;) {
        const st = stmts[ops[i]];
        const n = ops[i + 1];
        i += 2;
        if (n === 1) st.run(ops[i]);
        else if (n === 2) st.run(ops[i], ops[i + 1]);
        else st.run(...ops.slice(i, i + n));
        i += n;
      }
      if (!m.commit) return;
      commit.run();
      signal(${Slot.ACKED}, m.seq);
      port.postMessage({ seq: m.seq });
    } catch (e) {
      failed = true;
      try { if (db.inTransaction) db.exec('ROLLBACK'); } catch {}
      signal(${Slot.FAILED}, m.seq);
      // waitFor() sleeps on ACKED: wake it, or it would sleep out its whole timeout.
      Atomics.notify(state, ${Slot.ACKED});
      port.postMessage({ seq: m.seq, error: describe(e) });
    }
  });
}
`;

export interface WriterOptions {
  file: string;
  /** Pragmas run on the write connection before anything else (e.g. 'synchronous = NORMAL'). */
  pragmas: string[];
  /** SQLite's busy timeout on the write connection. */
  timeoutMs: number;
  /** Called on the main thread for each batch's answer, in order. */
  onAnswer(answer: WriterAnswer): void;
  /** Called when the thread dies without answering (an uncaught error, a terminate). */
  onExit(message: string): void;
}

/** The thread's young generation: its garbage is the parts it was handed, dead once run. */
// 4 MB instead of V8's default (up to 48): 20 MB less peak RSS in bench:burst, no more CPU measured.
const YOUNG_MB = 4;

/** How long close() waits for the thread before giving up (it never waits for ever). */
const WAIT_MS = 60_000;

export class WriterThread {
  private readonly state = new Int32Array(new SharedArrayBuffer(16));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private inFlight = 0;
  private exited = false;

  /** Starts the thread, which opens its connection. */
  constructor(private readonly opts: WriterOptions) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB },
      workerData: { port: port2, state: this.state, file: opts.file, pragmas: opts.pragmas, driver: require.resolve('better-sqlite3'), timeoutMs: opts.timeoutMs },
      transferList: [port2],
    });
    // The thread never keeps the process alive; the port does while a batch waits for its answer.
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', (err) => this.died(`the writer thread failed: ${err.message}`));
    this.worker.on('exit', () => this.died('the writer thread stopped'));
    // Not waited for: the thread starts while the stores replay on this one, and batches posted
    // before it runs wait in its port. Its connection opens the file this thread already opened and
    // migrated, under the directory's lock; should it fail all the same, the first batch fails.
    this.port.on('message', (answer: WriterAnswer) => this.answered(answer));
  }

  /** Hands the thread a part of a batch; the answer to its last part comes through `onAnswer`. */
  post(batch: WriterBatch): void {
    if (batch.commit && this.inFlight++ === 0) this.port.ref();
    this.port.postMessage(batch);
  }

  /** The last batch the thread committed (shared memory: current even before its message is handled). */
  get acked(): number {
    return Atomics.load(this.state, Slot.ACKED);
  }

  /**
   * Waits (blocking the thread) until batch `seq` is committed or a batch failed, then hands every
   * answer that arrived to `onAnswer` at once. False when the thread did not answer in time.
   */
  waitFor(seq: number): boolean {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const acked = Atomics.load(this.state, Slot.ACKED);
      if (acked >= seq || Atomics.load(this.state, Slot.FAILED) !== 0 || this.exited) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        // An answer that did arrive (a batch's SQLite error) goes first: its message is the failure's.
        this.drain();
        return false;
      }
      Atomics.wait(this.state, Slot.ACKED, acked, left);
    }
    this.drain();
    return true;
  }

  /** Closes the write connection (after every batch posted) and stops the thread. */
  close(): void {
    if (!this.exited) {
      this.port.postMessage({ close: true });
      Atomics.wait(this.state, Slot.CLOSED, 0, WAIT_MS);
    }
    this.drain();
    this.port.close();
    this.exited = true;
  }

  private drain(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) this.answered(m.message as WriterAnswer);
  }

  private answered(answer: WriterAnswer): void {
    if ('ready' in answer) return;
    if ('opened' in answer) {
      this.exited = true;
      this.port.unref();
      this.opts.onExit(`the writer could not open the database (${answer.error.message})`);
      return;
    }
    if ('seq' in answer && --this.inFlight === 0) this.port.unref();
    // After a failure the thread answers no later batch: nothing more is awaited from it.
    if ('error' in answer) {
      this.inFlight = 0;
      this.port.unref();
    }
    this.opts.onAnswer(answer);
  }

  private died(message: string): void {
    if (this.exited) return;
    this.exited = true;
    this.port.unref();
    this.opts.onExit(message);
  }
}
