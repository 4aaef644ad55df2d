// A page of BigQuery results read as it arrives: the members around `rows` and the rows, the same
// whatever the pieces the network cuts the text into.
import { PageReader, type PageEvent, type PageMembers, type RawRow } from '../../../../lib/plugins/gcp/bigquery/page-reader';

/** Reads `text` in pieces of `size` characters; returns the members (merged) and the rows in order. */
function read(text: string, size: number): { members: PageMembers[]; rows: RawRow[]; batches: number } {
  const reader = new PageReader();
  const events: PageEvent[] = [];
  for (let i = 0; i < text.length; i += size) events.push(...reader.push(text.slice(i, i + size)));
  events.push(...reader.end());
  const members = events.flatMap((e) => ('members' in e ? [e.members] : []));
  const batches = events.filter((e) => 'rows' in e);
  return { members, rows: batches.flatMap((e) => ('rows' in e ? e.rows : [])), batches: batches.length };
}

const tricky: RawRow[] = [
  { f: [{ v: '1' }, { v: 'braces } ] { [ and "quotes"' }] },
  { f: [{ v: '2' }, { v: 'a backslash at the end \\' }] },
  { f: [{ v: '3' }, { v: '\\"}],{"f":[' }] },
  { f: [{ v: null }, { v: [{ v: 'x' }, { v: 'y' }] }] },
  { f: [{ v: { f: [{ v: 'nested' }, { v: { f: [{ v: 'deeper' }] } }] } }, { v: 'ünïcödé ✓ 𝄞' }] },
];

describe('PageReader', () => {
  const page = {
    kind: 'bigquery#getQueryResultsResponse', schema: { fields: [{ name: 'a', type: 'STRING' }, { name: 'b', type: 'STRING' }] },
    totalRows: '5', pageToken: 'next', rows: tricky, jobComplete: true,
  };
  const text = JSON.stringify(page);

  it.each([1, 2, 3, 7, 64, text.length])('gives the same members and rows when the text arrives %i characters at a time', (size) => {
    const { members, rows } = read(text, size);
    const { rows: _rows, ...around } = page;
    expect(members).toEqual([{ kind: around.kind, schema: around.schema, totalRows: '5', pageToken: 'next' }, { jobComplete: true }]);
    expect(rows).toEqual(tricky);
  });

  it('hands the members before `rows` on before any row, so that the schema is known first', () => {
    const reader = new PageReader();
    const events = reader.push(text.slice(0, text.indexOf('"rows"') + 20));
    expect(events[0]).toEqual({ members: expect.objectContaining({ schema: page.schema, pageToken: 'next' }) });
    expect(events.slice(1).every((e) => 'rows' in e)).toBe(true);
  });

  it('parses the rows a piece at a time rather than the page at once', () => {
    const many = JSON.stringify({ schema: page.schema, rows: Array.from({ length: 1000 }, (_, i) => ({ f: [{ v: String(i) }, { v: 'x' }] })) });
    const { rows, batches } = read(many, 1024);
    expect(rows).toHaveLength(1000);
    expect(rows[999]).toEqual({ f: [{ v: '999' }, { v: 'x' }] });
    expect(batches).toBeGreaterThan(10);
  });

  it('reads a page with no rows, empty rows, rows first, or a member whose value is the text "rows"', () => {
    expect(read('{"totalRows":"0","jobComplete":true}', 5)).toEqual({ members: [{ totalRows: '0', jobComplete: true }], rows: [], batches: 0 });
    expect(read('{"totalRows":"0","rows":[]}', 3)).toEqual({ members: [{ totalRows: '0' }, {}], rows: [], batches: 0 });
    expect(read('{"rows":[{"f":[{"v":"1"}]}],"schema":{"fields":[]}}', 4).members).toEqual([{}, { schema: { fields: [] } }]);
    expect(read('{"kind":"rows","x":["rows"],"rows":[{"f":[{"v":"1"}]}]}', 2)).toEqual({
      members: [{ kind: 'rows', x: ['rows'] }, {}], rows: [{ f: [{ v: '1' }] }], batches: 1,
    });
  });

  it('reads the pretty-printed text (whitespace between tokens) as the compact one', () => {
    const { members, rows } = read(JSON.stringify(page, null, 2), 5);
    expect(rows).toEqual(tricky);
    expect(members[0]).toMatchObject({ pageToken: 'next' });
  });

  it('throws a SyntaxError on a page cut short or that is not JSON', () => {
    expect(() => read(text.slice(0, text.length - 40), 10)).toThrow(SyntaxError);
    expect(() => read('<html>Bad gateway</html>', 10)).toThrow(SyntaxError);
  });
});
