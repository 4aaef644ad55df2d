import { fakeTaskContext } from '../../../../lib/worker/testing';
import { rows, runSerdes, text } from './tasks';

let world: Awaited<ReturnType<typeof fakeTaskContext>>;
beforeEach(async () => { world = await fakeTaskContext({ taskId: 'convert' }); });
afterEach(async () => { await world.cleanup(); });

const put = async (content: string | Buffer) => (await world.ctx.storage.put('in.csv', content)).uri;

describe('csv.CsvReader', () => {
  it('reads a CSV with a header into one object per row', async () => {
    const out = await runSerdes(world.ctx, 'csv.CsvReader', { from: await put('id,name\n1,"Doe, John"\n2,"say ""hi"""\n') });
    expect(await rows(world.ctx, out.uri)).toEqual([{ id: '1', name: 'Doe, John' }, { id: '2', name: 'say "hi"' }]);
    expect(world.ctx.recordedMetrics()).toMatchObject({ records: 2 });
  });

  it('reads rows as lists without a header', async () => {
    const out = await runSerdes(world.ctx, 'csv.CsvReader', { from: await put('1;a\n2;b\n'), header: false, fieldSeparator: ';' });
    expect(await rows(world.ctx, out.uri)).toEqual([['1', 'a'], ['2', 'b']]);
  });

  it('honours textDelimiter, skipRows, skipEmptyRows and charset', async () => {
    const csv = Buffer.from("id,name\n0,'skipped'\n\n1,'Zoë, x'\n", 'latin1');
    const out = await runSerdes(world.ctx, 'csv.CsvReader', { from: await put(csv), textDelimiter: "'", skipRows: 1, skipEmptyRows: true, charset: 'ISO-8859-1' });
    expect(await rows(world.ctx, out.uri)).toEqual([{ id: '1', name: 'Zoë, x' }]);
  });

  it('fails on rows of a different length only when errorOnDifferentFieldCount is set', async () => {
    const from = await put('a,b\n1,2\n3\n');
    expect(await rows(world.ctx, (await runSerdes(world.ctx, 'csv.CsvReader', { from })).uri)).toEqual([{ a: '1', b: '2' }, { a: '3' }]);
    await expect(runSerdes(world.ctx, 'csv.CsvReader', { from, errorOnDifferentFieldCount: true })).rejects.toMatchObject({
      code: 'TASK_FAILED', message: expect.stringMatching(/in\.csv: .*line 3/),
    });
  });

  it('rejects a multi-character field separator at validation', async () => {
    await expect(runSerdes(world.ctx, 'csv.CsvReader', { from: 'x', fieldSeparator: ';;' })).rejects.toThrow(/single character/);
  });
});

describe('csv.CsvWriter', () => {
  const rowsFile = async (lines: unknown[]) => (await world.ctx.storage.put('rows.jsonl', lines.map((l) => JSON.stringify(l)).join('\n'))).uri;

  it('writes a header from the first row and quotes what needs it', async () => {
    const from = await rowsFile([{ id: 1, name: 'Doe, John', ok: true, note: null }, { id: 2, name: 'say "hi"', ok: false, note: { a: 1 } }]);
    expect(await text(world.ctx, (await runSerdes(world.ctx, 'csv.CsvWriter', { from })).uri))
      .toBe('id,name,ok,note\n1,"Doe, John",true,\n2,"say ""hi""",false,"{""a"":1}"\n');
  });

  it('honours fieldSeparator, textDelimiter, lineDelimiter, alwaysDelimitText and header: false', async () => {
    const from = await rowsFile([{ a: 'x', b: 1 }, ['y', 2]]);
    const out = await runSerdes(world.ctx, 'csv.CsvWriter', {
      from, header: false, fieldSeparator: ';', textDelimiter: "'", lineDelimiter: '\r\n', alwaysDelimitText: true,
    });
    expect(await text(world.ctx, out.uri)).toBe("'x';'1'\r\n'y';'2'\r\n");
  });

  it('refuses list rows when a header is wanted, naming the line', async () => {
    await expect(runSerdes(world.ctx, 'csv.CsvWriter', { from: await rowsFile([[1, 2]]) })).rejects.toThrow(/^line 1 of .*: a row written as a list has no column names/);
  });

  it('round-trips through CsvReader', async () => {
    const from = await rowsFile([{ id: '1', text: 'multi\nline, "quoted"' }]);
    const csv = await runSerdes(world.ctx, 'csv.CsvWriter', { from });
    expect(await rows(world.ctx, (await runSerdes(world.ctx, 'csv.CsvReader', { from: csv.uri })).uri)).toEqual([{ id: '1', text: 'multi\nline, "quoted"' }]);
  });
});
