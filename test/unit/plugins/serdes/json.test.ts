import { fakeTaskContext } from '../../../../lib/worker/testing';
import { rows, runSerdes, text } from './tasks';

let world: Awaited<ReturnType<typeof fakeTaskContext>>;
beforeEach(async () => { world = await fakeTaskContext({ taskId: 'convert' }); });
afterEach(async () => { await world.cleanup(); });

describe('json.JsonReader', () => {
  it('turns a JSON Lines file into a row file of this task run', async () => {
    const { uri } = await world.ctx.storage.put('in.jsonl', '{"a":1}\n\n{"a":2,"b":[true]}\n');
    const out = await runSerdes(world.ctx, 'json.JsonReader', { from: uri });
    expect(out.uri).toMatch(/\/tasks\/convert\/[^/]+\/result\.jsonl$/);
    expect(await rows(world.ctx, out.uri)).toEqual([{ a: 1 }, { a: 2, b: [true] }]);
    expect(world.ctx.recordedMetrics()).toMatchObject({ records: 2 });
  });

  it('reads a JSON array when newLine is false', async () => {
    const { uri } = await world.ctx.storage.put('in.json', '[{"a":1},\n{"a":2}]');
    expect(await rows(world.ctx, (await runSerdes(world.ctx, 'json.JsonReader', { from: uri, newLine: false })).uri)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('decodes the given charset', async () => {
    const { uri } = await world.ctx.storage.put('in.jsonl', Buffer.from('{"name":"Zoë"}\n', 'latin1'));
    expect(await rows(world.ctx, (await runSerdes(world.ctx, 'json.JsonReader', { from: uri, charset: 'ISO-8859-1' })).uri)).toEqual([{ name: 'Zoë' }]);
  });

  it('names the line that is not JSON', async () => {
    const { uri } = await world.ctx.storage.put('in.jsonl', '{"a":1}\nnope\n');
    await expect(runSerdes(world.ctx, 'json.JsonReader', { from: uri })).rejects.toThrow(/^line 2 of kestra:\/\/\/.*in\.jsonl is not valid JSON/);
  });

  it('refuses a file of another execution', async () => {
    const other = 'kestra:///io/aloft/tests/test/executions/other/tasks/t/r/in.jsonl';
    await world.blobs.put(other, '{"a":1}\n');
    await expect(runSerdes(world.ctx, 'json.JsonReader', { from: other })).rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
  });

  it('fails clearly on an unknown charset', async () => {
    const { uri } = await world.ctx.storage.put('in.jsonl', '{}\n');
    await expect(runSerdes(world.ctx, 'json.JsonReader', { from: uri, charset: 'klingon' })).rejects.toMatchObject({ message: 'unknown charset: klingon' });
  });
});

describe('json.JsonWriter', () => {
  it('writes JSON Lines by default', async () => {
    const { uri } = await world.ctx.storage.put('rows.jsonl', '{"a":1}\n{"a":"é"}\n');
    expect(await text(world.ctx, (await runSerdes(world.ctx, 'json.JsonWriter', { from: uri })).uri)).toBe('{"a":1}\n{"a":"é"}\n');
  });

  it('writes one JSON array when newLine is false', async () => {
    const { uri } = await world.ctx.storage.put('rows.jsonl', '{"a":1}\n{"a":2}\n');
    const out = await runSerdes(world.ctx, 'json.JsonWriter', { from: uri, newLine: false });
    expect(out.uri).toMatch(/result\.json$/);
    expect(JSON.parse(await text(world.ctx, out.uri))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('writes an empty array for an empty file', async () => {
    const { uri } = await world.ctx.storage.put('rows.jsonl', '');
    expect(await text(world.ctx, (await runSerdes(world.ctx, 'json.JsonWriter', { from: uri, newLine: false })).uri)).toBe('[]');
  });

  it('encodes the given charset', async () => {
    const { uri } = await world.ctx.storage.put('rows.jsonl', '{"a":"é"}\n');
    const out = await runSerdes(world.ctx, 'json.JsonWriter', { from: uri, charset: 'ISO-8859-1' });
    expect(await text(world.ctx, out.uri, 'latin1')).toBe('{"a":"é"}\n');
  });
});
