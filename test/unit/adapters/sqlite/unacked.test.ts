import { SqliteDatabase } from '../../../../lib/adapters/sqlite/database';
import { Unacked } from '../../../../lib/adapters/sqlite/unacked';
import { rmSync } from 'node:fs';
import { tempDir } from './temp-data';

describe('Unacked', () => {
  let dir: string;
  let db: SqliteDatabase;
  beforeEach(() => {
    dir = tempDir();
    db = SqliteDatabase.open(dir);
    db.db.exec('CREATE TABLE t (k PRIMARY KEY, v)');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a key written in a batch not committed yet, and leaves it to the database once committed', async () => {
    const put = db.statement<[string, string]>('INSERT INTO t VALUES (?, ?) ON CONFLICT DO UPDATE SET v = excluded.v');
    const read = (k: string): unknown => db.db.prepare('SELECT v FROM t WHERE k = ?').pluck().get(k);
    const unacked = new Unacked<string | null>(db);
    put.run('a', 'one');
    unacked.set('a', 'one');
    // The main connection sees only what is committed.
    expect(read('a')).toBeUndefined();
    expect(unacked.get('a')).toMatchObject({ value: 'one' });
    expect(unacked.get('b')).toBeUndefined();
    await db.durable();
    expect(unacked.get('a')).toBeUndefined();
    expect(read('a')).toBe('one');
  });

  it('forgets the keys a wider write covers', () => {
    const unacked = new Unacked<number>(db);
    db.write();
    unacked.set('t1\u0000a', 1);
    unacked.set('t2\u0000a', 2);
    unacked.forget((k) => k.startsWith('t1\u0000'));
    expect(unacked.get('t1\u0000a')).toBeUndefined();
    expect(unacked.get('t2\u0000a')).toMatchObject({ value: 2 });
  });
});
