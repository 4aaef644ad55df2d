import avro from 'avsc';
import { fakeTaskContext } from '../../../../lib/worker/testing';
import { rows, runSerdes } from './tasks';

let world: Awaited<ReturnType<typeof fakeTaskContext>>;
beforeEach(async () => { world = await fakeTaskContext({ taskId: 'convert' }); });
afterEach(async () => { await world.cleanup(); });

const schema = JSON.stringify({
  type: 'record', name: 'User', namespace: 'io.aloft',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: ['null', 'string'] },
    { name: 'active', type: 'boolean' },
    { name: 'score', type: ['null', 'double'] },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 30, scale: 2 } },
    { name: 'born', type: ['null', { type: 'int', logicalType: 'date' }] },
    { name: 'created', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'at', type: { type: 'int', logicalType: 'time-millis' } },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'int' } },
    { name: 'avatar', type: ['null', 'bytes'] },
    { name: 'address', type: ['null', { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] }] },
  ],
});

const rowsFile = async (lines: unknown[]) => (await world.ctx.storage.put('rows.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n')).uri;

const row = {
  id: '9007199254740993', name: 'Zoë', active: 'yes', score: '1,5', price: '-1234567890123456789.125', born: '1990-05-06',
  created: '2024-01-02T03:04:05.123456Z', at: '10:11:12.5', kind: 'B', tags: ['x'], attrs: { n: '3' }, avatar: 'AQL/', address: { city: 'Lyon' },
};

describe('avro.AvroWriter and avro.AvroReader', () => {
  it('write rows with Kestra coercions and read them back with logical types as text', async () => {
    const written = await runSerdes(world.ctx, 'avro.AvroWriter', { from: await rowsFile([row, { ...row, id: 2, name: 'NA', score: null, born: null, avatar: null, address: null }]), schema, decimalSeparator: ',' });
    expect(written.uri).toMatch(/result\.avro$/);
    const read = await runSerdes(world.ctx, 'avro.AvroReader', { from: written.uri });
    const expected = {
      id: '9007199254740993', name: 'Zoë', active: true, score: 1.5, price: '-1234567890123456789.12', born: '1990-05-06',
      created: '2024-01-02T03:04:05.123456Z', at: '10:11:12.500', kind: 'B', tags: ['x'], attrs: { n: 3 }, avatar: 'AQL/', address: { city: 'Lyon' },
    };
    expect(await rows(world.ctx, read.uri)).toEqual([expected, { ...expected, id: 2, name: null, score: null, born: null, avatar: null, address: null }]);
  });

  it('write a file other Avro readers decode', async () => {
    // Plain avsc reads longs as JS numbers: keep this one below 2^53.
    const written = await runSerdes(world.ctx, 'avro.AvroWriter', { from: await rowsFile([{ ...row, id: 42 }]), schema, decimalSeparator: ',' });
    const records: any[] = [];
    const decoder = new avro.streams.BlockDecoder();
    let header: any;
    decoder.on('metadata', (_type, _codec, h) => { header = h; });
    (await world.ctx.storage.get(written.uri)).pipe(decoder);
    for await (const r of decoder) records.push(r);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: 42, name: 'Zoë', active: true, kind: 'B' });
    expect(JSON.parse(header.meta['avro.schema'].toString()).fields.find((f: any) => f.name === 'price').type).toEqual({ type: 'bytes', logicalType: 'decimal', precision: 30, scale: 2 });
  });

  it('name the line and field of a value that does not fit the schema', async () => {
    const bad = { ...row, kind: 'C' };
    await expect(runSerdes(world.ctx, 'avro.AvroWriter', { from: await rowsFile([row, bad]), schema, decimalSeparator: ',' }))
      .rejects.toThrow(/^line 2 of kestra:\/\/\/.*rows\.jsonl, field kind: cannot convert "C" to one of A, B$/);
  });

  it('reject fields the schema does not declare with strictSchema', async () => {
    await expect(runSerdes(world.ctx, 'avro.AvroWriter', { from: await rowsFile([{ ...row, extra: 1 }]), schema, decimalSeparator: ',', strictSchema: true }))
      .rejects.toThrow(/the row has fields the schema does not declare: extra/);
  });

  it('honour trueValues, falseValues and nullValues', async () => {
    const simple = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'b', type: 'boolean' }, { name: 's', type: ['null', 'string'] }] });
    const written = await runSerdes(world.ctx, 'avro.AvroWriter', {
      from: await rowsFile([{ b: 'oui', s: '-' }, { b: 'non', s: 'x' }]), schema: simple, trueValues: ['oui'], falseValues: ['non'], nullValues: ['-'],
    });
    expect(await rows(world.ctx, (await runSerdes(world.ctx, 'avro.AvroReader', { from: written.uri })).uri)).toEqual([{ b: true, s: null }, { b: false, s: 'x' }]);
  });

  it('reject an invalid schema at validation', async () => {
    await expect(runSerdes(world.ctx, 'avro.AvroWriter', { from: 'kestra:///x', schema: '{"type":"nope"}' })).rejects.toThrow(/not a valid Avro schema/);
  });

  it('fail clearly on a file that is not Avro', async () => {
    const { uri } = await world.ctx.storage.put('not.avro', 'hello');
    await expect(runSerdes(world.ctx, 'avro.AvroReader', { from: uri })).rejects.toThrow(/not\.avro is not a readable Avro file/);
  });
});
