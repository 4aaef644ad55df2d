// LogStore on Firestore: executions/{executionId}/logs/{batchId}, one document per appended batch of
// an execution's lines (a worker flushes its buffer as one append), so a task logging thousands of
// lines costs a handful of writes. Documents sort by commit time (`appendedAt`, set by the server) and
// then by id, which orders the documents of one batch. The executor's trigger watches `inbox` only,
// so log writes never wake it.
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { z } from 'zod';
import { LogLine, logLevelRank, type LogFilter, type LogStore } from '../../ports/log-store';
import { firestoreLib } from './clients';
import { MAX_WRITES, chunks, parseJsonField, toAloftError } from './firestore-constraints';

export interface FirestoreLogStoreOptions {
  firestore: Firestore;
  collectionPrefix?: string;
  /** Bytes of lines per document, below Firestore's 1 MiB. Default 512 KiB. */
  maxDocBytes?: number;
  /** A longer message is cut, with a note of its length. Default 64 KiB. */
  maxMessageBytes?: number;
}

const Lines = z.array(LogLine);

export class FirestoreLogStore implements LogStore {
  private readonly db: Firestore;
  private readonly prefix: string;
  private readonly maxDocBytes: number;
  private readonly maxMessageBytes: number;

  constructor(opts: FirestoreLogStoreOptions) {
    this.db = opts.firestore;
    this.prefix = opts.collectionPrefix ?? '';
    this.maxDocBytes = opts.maxDocBytes ?? 512 * 1024;
    this.maxMessageBytes = opts.maxMessageBytes ?? 64 * 1024;
  }

  private logs(executionId: string) {
    return this.db.collection(`${this.prefix}executions`).doc(executionId).collection('logs');
  }

  async append(lines: readonly LogLine[]): Promise<void> {
    if (lines.length === 0) return;
    const byExecution = new Map<string, string[]>();
    for (const line of lines) {
      const text = JSON.stringify(LogLine.parse(this.bounded(line)));
      const list = byExecution.get(line.executionId);
      if (list) list.push(text);
      else byExecution.set(line.executionId, [text]);
    }
    const writes: Array<{ executionId: string; data: string; count: number }> = [];
    for (const [executionId, texts] of byExecution) {
      let part: string[] = [];
      let bytes = 0;
      for (const t of texts) {
        const size = Buffer.byteLength(t) + 1;
        if (part.length > 0 && bytes + size > this.maxDocBytes) {
          writes.push({ executionId, data: `[${part.join(',')}]`, count: part.length });
          part = [];
          bytes = 0;
        }
        part.push(t);
        bytes += size;
      }
      if (part.length > 0) writes.push({ executionId, data: `[${part.join(',')}]`, count: part.length });
    }
    // One batch for one append keeps its documents in one commit: same `appendedAt`, ordered by id.
    const batchId = randomUUID().replace(/-/g, '').slice(0, 12);
    try {
      let n = 0;
      for (const part of chunks(writes, MAX_WRITES)) {
        const batch = this.db.batch();
        for (const w of part) {
          batch.create(this.logs(w.executionId).doc(`${batchId}-${String(n++).padStart(6, '0')}`), {
            appendedAt: firestoreLib().FieldValue.serverTimestamp(), count: w.count, lines: w.data,
          });
        }
        await batch.commit();
      }
    } catch (err) {
      throw toAloftError(err, 'appending log lines');
    }
  }

  async list(executionId: string, filter: LogFilter = {}): Promise<LogLine[]> {
    const min = filter.minLevel ? logLevelRank(filter.minLevel) : 0;
    try {
      const snap = await this.logs(executionId).orderBy('appendedAt').orderBy(firestoreLib().FieldPath.documentId()).get();
      const out: LogLine[] = [];
      for (const d of snap.docs) {
        for (const l of parseJsonField(Lines, d.get('lines'), d.ref.path)) {
          if ((filter.taskRunId === undefined || l.taskRunId === filter.taskRunId) && logLevelRank(l.level) >= min) out.push(l);
        }
      }
      return out;
    } catch (err) {
      throw toAloftError(err, `reading the logs of execution ${executionId}`);
    }
  }

  async delete(executionId: string): Promise<void> {
    try {
      await this.db.recursiveDelete(this.logs(executionId));
    } catch (err) {
      throw toAloftError(err, `deleting the logs of execution ${executionId}`);
    }
  }

  private bounded(line: LogLine): LogLine {
    const bytes = Buffer.byteLength(line.message);
    if (bytes <= this.maxMessageBytes) return line;
    const cut = Buffer.from(line.message).subarray(0, this.maxMessageBytes).toString('utf8').replace(/\uFFFD$/, '');
    return { ...line, message: `${cut}… (cut: the line was ${bytes} bytes)` };
  }
}
