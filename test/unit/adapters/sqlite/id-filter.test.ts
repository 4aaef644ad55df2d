import { IdFilter } from '../../../../lib/adapters/sqlite/id-filter';

describe('IdFilter', () => {
  const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i.toString(36)}-0190a1b2c3d4`);

  it('answers maybe for every id added, and no for nearly every id never added', () => {
    const filter = new IdFilter(10_000);
    const added = ids('added', 10_000);
    for (const id of added) filter.add(id);
    expect(added.every((id) => filter.mightHave(id))).toBe(true);
    const wrongly = ids('other', 10_000).filter((id) => filter.mightHave(id)).length;
    // Sized at 10 bits an id with 7 hashes: about 1% (a fixed set of ids, so the count is fixed too).
    expect(wrongly).toBeLessThan(300);
    expect(filter.full).toBe(false);
  });

  it('says it is full once more ids were added than it was sized for', () => {
    const filter = new IdFilter(1024);
    for (const id of ids('x', 1025)) filter.add(id);
    expect(filter.full).toBe(true);
  });
});
