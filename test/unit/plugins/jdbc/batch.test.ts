import { rowValues } from '../../../../lib/plugins/jdbc/batch';

describe('rowValues', () => {
  it("binds an object's values in its key order", () => {
    expect(rowValues({ id: 1, name: 'a', note: null }, undefined, 3)).toEqual([1, 'a', null]);
  });

  it('binds the listed columns in the order of `columns`', () => {
    expect(rowValues({ id: 1, name: 'a', note: 'x' }, ['note', 'id'], 2)).toEqual(['x', 1]);
  });

  it('binds an array row as it is', () => {
    expect(rowValues([1, 'a'], undefined, 2)).toEqual([1, 'a']);
  });

  it('explains a column-count mismatch', () => {
    expect(rowValues({ id: 1, name: 'a' }, undefined, 3)).toBe(
      'column-count mismatch: the row has 2 values but the sql has 3 ? placeholders (list the wanted ones in `columns`)',
    );
  });

  it('names a listed column the row does not have', () => {
    expect(rowValues({ id: 1 }, ['id', 'nmae'], 2)).toMatch(/the row has no column "nmae" \(columns: id\)/);
  });

  it('refuses rows that are neither objects nor arrays', () => {
    expect(rowValues(42, undefined, 1)).toMatch(/must be a JSON object or array, got number/);
    expect(rowValues(null, undefined, 1)).toMatch(/got null/);
  });
});
