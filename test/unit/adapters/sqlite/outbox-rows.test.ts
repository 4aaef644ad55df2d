import Database from 'better-sqlite3';
import type { SqlWriter } from '../../../../lib/adapters/sqlite/database';
import { migrate } from '../../../../lib/adapters/sqlite/migrations';
import { OutboxRows } from '../../../../lib/adapters/sqlite/outbox-rows';
import type { OutboxEntry } from '../../../../lib/ports/state-store';

const entry = (id: string, createdAt = '2024-03-14T10:00:00.000Z'): OutboxEntry => ({
  id, executionId: 'e', effect: { type: 'EndExecution' } as unknown as OutboxEntry['effect'], createdAt,
});
/** Statements run at once on one connection (the data directory runs them on its writer thread). */
const direct = (raw: Database.Database): SqlWriter => ({
  db: raw,
  statement: (sql: string) => {
    const stmt = raw.prepare(sql);
    return { run: (...params: unknown[]) => { stmt.run(...params); } };
  },
});
const LATER = new Date('2030-01-01T00:00:00.000Z');

describe('OutboxRows', () => {
  let raw: Database.Database;
  const ids = (rows: OutboxRows): string[] => rows.unpublished(LATER, 100).map((e) => e.id);
  const seqs = (): number[] => raw.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all() as number[];
  beforeEach(() => {
    raw = new Database(':memory:');
    migrate(raw, ':memory:');
  });
  afterEach(() => raw.close());

  it('never writes an entry acknowledged before the flush', () => {
    const rows = new OutboxRows(direct(raw));
    rows.add(entry('a'));
    rows.add(entry('b'));
    rows.ack([entry('a')]);
    expect(rows.changed()).toBe(true);
    rows.flush();
    expect(ids(rows)).toEqual(['b']);
    expect(rows.changed()).toBe(false);
  });

  it('deletes acknowledged rows by seq, gaps included, and leaves the others', () => {
    const rows = new OutboxRows(direct(raw));
    for (const id of ['a', 'b', 'c', 'd', 'e']) rows.add(entry(id));
    rows.flush();
    rows.ack([entry('d'), entry('a'), entry('b')]);
    rows.flush();
    expect(seqs()).toEqual([3, 5]);
    expect(ids(rows)).toEqual(['c', 'e']);
  });

  it('continues the seqs of an existing table and deletes an entry it read back, once', () => {
    const first = new OutboxRows(direct(raw));
    first.add(entry('a'));
    first.add(entry('b'));
    first.flush();
    const reopened = new OutboxRows(direct(raw));
    reopened.add(entry('c'));
    reopened.flush();
    expect(seqs()).toEqual([1, 2, 3]);
    const back = reopened.unpublished(LATER, 1);
    reopened.ack(back);
    reopened.ack(back);
    reopened.flush();
    expect(ids(reopened)).toEqual(['b', 'c']);
  });

  it('deletes an entry it never saw by its id', () => {
    const writer = new OutboxRows(direct(raw));
    writer.add(entry('a'));
    writer.flush();
    const other = new OutboxRows(direct(raw));
    other.ack([entry('a')]);
    other.flush();
    expect(seqs()).toEqual([]);
  });

  it('returns only entries created before the cut-off, oldest first, up to the limit', () => {
    const rows = new OutboxRows(direct(raw));
    rows.add(entry('old', '2024-01-01T00:00:00.000Z'));
    rows.add(entry('new', '2024-06-01T00:00:00.000Z'));
    rows.flush();
    expect(rows.unpublished(new Date('2024-03-01T00:00:00.000Z'), 10).map((e) => e.id)).toEqual(['old']);
    expect(rows.unpublished(LATER, 1).map((e) => e.id)).toEqual(['old']);
  });
});
