// Streams a Vertex AI job's log entries into the task's logs, once each and in order, across dropped
// streams and function invocations.
// - Cloud Logging's TailLogEntries only sends entries ingested after it opened, so every (re)start
//   first reads what came before with ListLogEntries (from the cursor, or from the job's creation),
//   holding the tail's entries until that read is done.
// - The cursor is the newest timestamp delivered and the insert ids delivered at that timestamp: an
//   entry at or before it is a duplicate. It travels in the continuation.
// - A dropped stream is reopened, and the read from the cursor fills the gap.
// - `stop` closes the stream and reads what is left up to now, so that the job's last lines are in.
import type { LogLevel, TaskLogger } from '../../types';
import type { LoggingApi } from './clients';
import type { TailEntry } from './log-entries';

export interface LogCursor {
  /** Nanoseconds since the epoch, as a decimal string (beyond a double's precision). */
  ns: string;
  /** Insert ids already delivered at exactly `ns`. */
  ids: string[];
}

const LIST_PAGE = 1000;
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5000;

/** Cloud Logging severities to the task's levels, as Kestra's LogTailService maps them. */
export function levelOfSeverity(severity: string | number | null | undefined): LogLevel {
  const name = typeof severity === 'number' ? NUMERIC[Math.floor(severity / 100)] : severity;
  switch (name) {
    case 'DEBUG': return 'DEBUG';
    case 'WARNING': return 'WARN';
    case 'ERROR': case 'CRITICAL': case 'ALERT': case 'EMERGENCY': return 'ERROR';
    default: return 'INFO';
  }
}
const NUMERIC = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];

/** RFC 3339 with nanoseconds, as Logging filters take it. */
export function rfc3339(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(ns % 1_000_000_000n).padStart(9, '0')}Z`;
}

export interface LogTailOptions {
  api: LoggingApi;
  projectId: string;
  /** The job's entries, e.g. resource.labels.job_id="1" AND resource.type="ml_job". */
  filter: string;
  logger: TaskLogger;
  cursor?: LogCursor;
  /** Where the first read starts when there is no cursor (the job's creation). */
  sinceNs: bigint;
}

const NS_PER_S = 1_000_000_000n;

/** Whether (s1, n1) comes before (<0), at (0) or after (>0) (s2, n2): plain numbers, no BigInt per line. */
const compare = (s1: number, n1: number, s2: number, n2: number): number => (s1 !== s2 ? s1 - s2 : n1 - n2);

export class LogTail {
  /** The cursor's timestamp as seconds and nanoseconds. */
  private cursorS: number;
  private cursorN: number;
  private readonly cursorIds: Set<string>;
  private stream: ReturnType<LoggingApi['tailLogEntries']> | undefined;
  private held: TailEntry[] | undefined;
  private stopped = false;
  private reconnectMs = RECONNECT_FIRST_MS;
  private reconnect: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  /** Lines delivered to the task's logs by this tail. */
  delivered = 0;

  constructor(private readonly o: LogTailOptions) {
    const ns = o.cursor ? BigInt(o.cursor.ns) : o.sinceNs - 1n;
    this.cursorS = Number(ns / NS_PER_S);
    this.cursorN = Number(ns % NS_PER_S);
    this.cursorIds = new Set(o.cursor?.ids ?? []);
  }

  get cursor(): LogCursor {
    return { ns: String(this.cursorNs), ids: [...this.cursorIds] };
  }

  private get cursorNs(): bigint {
    return BigInt(this.cursorS) * NS_PER_S + BigInt(this.cursorN);
  }

  start(): void {
    if (this.stopped) return;
    this.held = [];
    const stream = (this.stream = this.o.api.tailLogEntries());
    stream.on('data', (res: { entries: TailEntry[] }) => {
      if (stream !== this.stream) return;
      this.reconnectMs = RECONNECT_FIRST_MS;
      if (this.held) this.held.push(...res.entries);
      else this.accept(res.entries);
    });
    const lost = (err?: Error): void => {
      if (stream !== this.stream || this.stopped) return;
      this.stream = undefined;
      this.o.logger.debug(`Log stream ended (${err?.message ?? 'closed'}); resuming from the last line delivered`);
      this.reconnect = setTimeout(() => { this.reconnect = undefined; this.start(); }, this.reconnectMs);
      this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MAX_MS);
    };
    stream.on('error', lost);
    stream.on('end', () => lost());
    stream.write({ resourceNames: [`projects/${this.o.projectId}`], filter: this.o.filter });
    this.reading = this.reading.then(() => this.catchUp()).catch((err: unknown) => {
      this.o.logger.debug(`Could not read the job's earlier log lines: ${(err as Error).message}`);
    }).finally(() => {
      const held = this.held ?? [];
      this.held = undefined;
      this.accept(held);
    });
  }

  /** Closes the stream and delivers every line ingested so far; returns the cursor. */
  async stop(): Promise<LogCursor> {
    this.stopped = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    const stream = this.stream;
    this.stream = undefined;
    if (stream) {
      stream.removeAllListeners('data');
      stream.on('error', () => undefined);
      stream.end();
      stream.cancel?.();
    }
    await this.reading;
    const held = this.held ?? [];
    this.held = undefined;
    this.accept(held);
    await this.catchUp();
    return this.cursor;
  }

  /** Reads with ListLogEntries from the cursor up to now, oldest first. */
  private async catchUp(): Promise<void> {
    const filter = `${this.o.filter} AND timestamp>="${rfc3339(this.cursorNs < 0n ? 0n : this.cursorNs)}"`;
    let pageToken: string | undefined;
    do {
      const page = await this.o.api.listLogEntries({
        resourceNames: [`projects/${this.o.projectId}`], filter, orderBy: 'timestamp asc', pageSize: LIST_PAGE, ...(pageToken ? { pageToken } : {}),
      });
      this.accept(page.entries);
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
  }

  private accept(entries: TailEntry[]): void {
    // Batches come sorted almost always: sorted (a copy) only when one is not.
    let sorted = entries;
    for (let i = 1; i < entries.length; i++) {
      if (compare(entries[i].seconds, entries[i].nanos, entries[i - 1].seconds, entries[i - 1].nanos) < 0) {
        sorted = [...entries].sort((a, b) => compare(a.seconds, a.nanos, b.seconds, b.nanos));
        break;
      }
    }
    for (const e of sorted) {
      const order = compare(e.seconds, e.nanos, this.cursorS, this.cursorN);
      if (order < 0 || (order === 0 && this.cursorIds.has(e.insertId))) continue;
      if (order > 0) {
        this.cursorS = e.seconds;
        this.cursorN = e.nanos;
        this.cursorIds.clear();
      }
      this.cursorIds.add(e.insertId);
      this.o.logger.log(levelOfSeverity(e.severity), e.message);
      this.delivered++;
    }
  }
}
