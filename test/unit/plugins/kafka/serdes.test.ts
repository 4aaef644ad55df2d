import { SchemaRegistry, readWireFormat, wireFormat } from '../../../../lib/plugins/kafka/registry';
import { deserializer, SerdeError, serializer } from '../../../../lib/plugins/kafka/serdes';

const ser = (type: Parameters<typeof serializer>[0]) => serializer(type, { isKey: false });
const de = (type: Parameters<typeof deserializer>[0]) => deserializer(type).decode;

describe('Kafka serializers', () => {
  it('write the Java client byte layouts: big-endian numbers, UTF-8 text, UUIDs as text', () => {
    expect(ser('INTEGER')(-2, 't')).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    expect(ser('SHORT')('258', 't')).toEqual(Buffer.from([1, 2]));
    expect(ser('LONG')('9223372036854775807', 't')).toEqual(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(ser('DOUBLE')(1, 't')).toEqual(Buffer.from([0x3f, 0xf0, 0, 0, 0, 0, 0, 0]));
    expect(ser('FLOAT')(1, 't')).toEqual(Buffer.from([0x3f, 0x80, 0, 0]));
    expect(ser('STRING')('é', 't')).toEqual(Buffer.from([0xc3, 0xa9]));
    expect(ser('UUID')('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 't')).toEqual(Buffer.from('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'));
    expect(ser('BYTES')('AQL/', 't')).toEqual(Buffer.from([1, 2, 255]));
    expect(ser('JSON')({ a: [1, null] }, 't')).toEqual(Buffer.from('{"a":[1,null]}'));
  });

  it('write a JSON value holding a bigint (a long beyond 2^53) as its digits', () => {
    expect(ser('JSON')({ id: 9007199254740993n, n: 1 }, 't')).toEqual(Buffer.from('{"id":"9007199254740993","n":1}'));
  });

  it('send null as a null record (a tombstone) with every type', () => {
    for (const type of ['STRING', 'INTEGER', 'JSON', 'VOID', 'UUID'] as const) expect(ser(type)(null, 't')).toBeNull();
  });

  it('refuse values their type cannot hold, saying what they got', () => {
    expect(() => ser('INTEGER')(2147483648, 't')).toThrow(new SerdeError('INTEGER needs a whole number from -2147483648 to 2147483647, got 2147483648'));
    expect(() => ser('SHORT')(1.5, 't')).toThrow(/^SHORT needs a whole number/);
    expect(() => ser('UUID')('nope', 't')).toThrow(/^UUID needs a UUID/);
    expect(() => ser('VOID')('x', 't')).toThrow('VOID accepts only null, got "x"');
    expect(() => ser('STRING')({ a: 1 }, 't')).toThrow('STRING needs text, got {"a":1}');
    expect(() => ser('BYTES')('not base64!', 't')).toThrow(/^BYTES needs bytes as base64 text/);
  });

  it('AVRO needs its schema and a registry', () => {
    expect(() => serializer('AVRO', { isKey: true })).toThrow('AVRO needs keyAvroSchema');
    expect(() => serializer('AVRO', { isKey: false, avroSchema: '{"type":"record"}' })).toThrow('AVRO needs serdeProperties.schema.registry.url');
  });
});

describe('Kafka deserializers', () => {
  it('read back what the serializers wrote', () => {
    expect(de('INTEGER')(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toBe(-2);
    expect(de('LONG')(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe('9223372036854775807');
    expect(de('LONG')(Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]))).toBe(7);
    expect(de('BYTE_ARRAY')(Buffer.from([1, 2, 255]))).toBe('AQL/');
    expect(de('JSON')(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(de('STRING')(null)).toBeNull();
  });

  it('refuse records of the wrong size or shape', () => {
    expect(() => de('INTEGER')(Buffer.from([1, 2]))).toThrow('INTEGER needs 4 bytes, the record has 2');
    expect(() => de('JSON')(Buffer.from('{'))).toThrow(/^JSON: /);
    expect(() => de('VOID')(Buffer.from([1]))).toThrow('VOID: the record holds 1 bytes, not null');
  });
});

describe('the Confluent wire format', () => {
  it('is a zero magic byte, the schema id on 4 bytes big-endian, then the payload', () => {
    const buf = wireFormat(258, Buffer.from([9]));
    expect(buf).toEqual(Buffer.from([0, 0, 0, 1, 2, 9]));
    expect(readWireFormat(buf)).toEqual({ id: 258, payload: Buffer.from([9]) });
    expect(() => readWireFormat(Buffer.from([1, 0, 0, 0, 1]))).toThrow(/not in the Confluent wire format/);
  });

  it('a registry that cannot be reached fails naming its address and the request', async () => {
    const registry = new SchemaRegistry('http://127.0.0.1:1');
    await expect(registry.schema(3)).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'serdeProperties' }, message: expect.stringMatching(/^schema registry http:\/\/127\.0\.0\.1:1: GET \/schemas\/ids\/3 failed: /),
    });
  });
});
