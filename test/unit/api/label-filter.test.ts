import { hasLabels, LABEL_SCAN_CHUNK, labelledPage, labelsOf } from '../../../lib/api/label-filter';
import { AloftError } from '../../../lib/model/errors';
import type { Execution } from '../../../lib/model/execution';
import type { ExecutionFilter, ExecutionPage } from '../../../lib/ports/state-store';

// A store that pages by cursor, as the state stores do: the token is the index of the next execution.
function store(executions: Execution[]): { list: (f: ExecutionFilter) => Promise<ExecutionPage>; reads: number } {
  const s = {
    reads: 0,
    async list(f: ExecutionFilter): Promise<ExecutionPage> {
      s.reads++;
      const from = f.pageToken ? Number(f.pageToken) : 0;
      const to = from + (f.pageSize ?? 25);
      return { executions: executions.slice(from, to), ...(to < executions.length ? { nextPageToken: String(to) } : {}) };
    },
  };
  return s;
}
const execution = (i: number, labels?: Record<string, string>): Execution => ({ id: `e${i}`, ...(labels ? { labels } : {}) }) as unknown as Execution;
const ids = (p: ExecutionPage): string[] => p.executions.map((e) => e.id);

describe('the labels filter of the executions search', () => {
  it('reads key:value labels, the value keeping its colons, and matches executions carrying all of them', () => {
    expect(labelsOf(['team:data', 'url:http://x:1'])).toEqual({ team: 'data', url: 'http://x:1' });
    expect(hasLabels({ team: 'data', env: 'prod' }, { team: 'data' })).toBe(true);
    expect(hasLabels({ team: 'data' }, { team: 'data', env: 'prod' })).toBe(false);
    expect(hasLabels(undefined, { team: 'data' })).toBe(false);
  });

  it('pages through sparse matches across store chunks, each page starting right after the last one shown', async () => {
    // Every seventh execution matches: 3 chunks of the store hold 86 matches.
    const all = Array.from({ length: LABEL_SCAN_CHUNK * 3 }, (_, i) => execution(i, i % 7 === 0 ? { team: 'data' } : { team: 'web' }));
    const expected = all.filter((_, i) => i % 7 === 0).map((e) => e.id);
    const s = store(all);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await labelledPage(s.list, {}, { team: 'data' }, { size: 10, skip: 0, pageToken: token });
      expect(page.executions.length).toBeLessThanOrEqual(10);
      seen.push(...ids(page));
      token = page.nextPageToken;
    } while (token);
    expect(seen).toEqual(expected);
  });

  it('answers a page by number by skipping the earlier matches, and has no next page after the last match', async () => {
    const all = Array.from({ length: 50 }, (_, i) => execution(i, i % 2 === 0 ? { env: 'prod' } : undefined));
    const third = await labelledPage(store(all).list, {}, { env: 'prod' }, { size: 10, skip: 20, pageToken: undefined });
    expect(ids(third)).toEqual(['e40', 'e42', 'e44', 'e46', 'e48']);
    expect(third.nextPageToken).toBeUndefined();
  });

  it('passes the other filters to the store and reads it once for a page found in one chunk', async () => {
    const s = store([execution(0, { a: 'b' }), execution(1, { a: 'b' })]);
    const seen: ExecutionFilter[] = [];
    const list = (f: ExecutionFilter) => { seen.push(f); return s.list(f); };
    expect(ids(await labelledPage(list, { namespace: 'n', flowId: 'f' }, { a: 'b' }, { size: 1, skip: 0 }))).toEqual(['e0']);
    expect(seen).toEqual([{ namespace: 'n', flowId: 'f', pageSize: LABEL_SCAN_CHUNK }]);
  });

  it('refuses a page token that does not come from a search with labels, saying what to pass', async () => {
    const s = store([execution(0)]);
    for (const token of ['abc', 'l.!!!', `l.${Buffer.from('{"s":-1}').toString('base64url')}`]) {
      const err = await labelledPage(s.list, {}, { a: 'b' }, { size: 1, skip: 0, pageToken: token }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AloftError);
      expect((err as AloftError).code).toBe('MESSAGE_INVALID');
      expect((err as AloftError).message).toMatch(/^query pageToken: not a token of a search with labels/);
    }
  });
});
