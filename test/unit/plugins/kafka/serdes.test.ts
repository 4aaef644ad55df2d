import {
  protobufWireFormat, readProtobufWireFormat, readWireFormat, SchemaRegistry, wireFormat, type RegisteredSchema,
} from '../../../../lib/plugins/kafka/registry';
import { deserializer, SerdeError, serializer } from '../../../../lib/plugins/kafka/serdes';
import type { SerdeType } from '../../../../lib/plugins/kafka/properties';

const ser = (type: Exclude<SerdeType, 'PROTOBUF'>) => serializer(type, { isKey: false });
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

  it('give a JSON record\'s own text for a row, its line breaks as spaces so the row stays one line, and refuse text that is not JSON', () => {
    const text = deserializer('JSON').text!;
    expect(text(Buffer.from('{"id": 1, "big": 12345678901234567890}'))).toBe('{"id": 1, "big": 12345678901234567890}');
    expect(text(Buffer.from('{"a":\r\n [1,\n2]}'))).toBe('{"a":   [1, 2]}');
    expect(text(Buffer.from('{\n  "id": 12345678901234567890,\n  "s": "a\\nb",\n  "x": 1.50\n}'))).toBe('{   "id": 12345678901234567890,   "s": "a\\nb",   "x": 1.50 }');
    expect(text(null)).toBe('null');
    expect(() => text(Buffer.from('{"a":'))).toThrow(SerdeError);
  });

  it('decode a JSON number as its text where JavaScript would write it back as another number (2^60 among them), every other number as a number', () => {
    const record = '{"id": 12345678901234567890, "neg": -9007199254740993, "pow": 1152921504606846976, "n": 1, "f": 1.50, "e": 1.5e3,'
      + ' "long": 0.12345678901234567890, "huge": 1e400, "tiny": 1e-400, "s": "12345678901234567890 1e400", "list": [9007199254740993, 2]}';
    expect(de('JSON')(Buffer.from(record))).toEqual({
      id: '12345678901234567890', neg: '-9007199254740993', pow: '1152921504606846976', n: 1, f: 1.5, e: 1500,
      long: '0.12345678901234567890', huge: '1e400', tiny: '1e-400', s: '12345678901234567890 1e400', list: ['9007199254740993', 2],
    });
    expect(de('JSON')(Buffer.from('12345678901234567890'))).toBe('12345678901234567890');
    expect(de('JSON')(Buffer.from('"a \\" 12345678901234567890"'))).toBe('a " 12345678901234567890');
    expect(de('JSON')(Buffer.from('[0.1, -0, 0.30000000000000004, 5e-324, 2e-324]'))).toEqual([0.1, -0, 0.30000000000000004, 5e-324, '2e-324']);
  });
});

describe('the Confluent wire format', () => {
  it('is a zero magic byte, the schema id on 4 bytes big-endian, then the payload', () => {
    const buf = wireFormat(258, Buffer.from([9]));
    expect(buf).toEqual(Buffer.from([0, 0, 0, 1, 2, 9]));
    expect(readWireFormat(buf)).toEqual({ id: 258, payload: Buffer.from([9]) });
    expect(() => readWireFormat(Buffer.from([1, 0, 0, 0, 1]))).toThrow(/not in the Confluent wire format/);
  });

  it('for Protobuf, puts the message index path between the schema id and the message, [0] as the single byte 0', () => {
    const payload = Buffer.from('089601', 'hex');
    // Confluent's documented layout: magic 0, id, then zig-zag varints: the count, then each index.
    expect(protobufWireFormat(1, [0], payload).toString('hex')).toBe('0000000001' + '00' + '089601');
    expect(protobufWireFormat(1, [1], payload).toString('hex')).toBe('0000000001' + '0202' + '089601');
    expect(protobufWireFormat(1, [1, 0], payload).toString('hex')).toBe('0000000001' + '040200' + '089601');
    expect(protobufWireFormat(1, [64], payload).toString('hex')).toBe('0000000001' + '02' + '8001' + '089601');
    for (const indexes of [[0], [1], [1, 0], [64], [3, 2, 1]]) {
      expect(readProtobufWireFormat(protobufWireFormat(7, indexes, payload))).toEqual({ id: 7, indexes, payload });
    }
    // A producer may also write [0] in full: a count of 1, then 0.
    expect(readProtobufWireFormat(Buffer.from('00000000070200089601', 'hex'))).toEqual({ id: 7, indexes: [0], payload });
    expect(() => readProtobufWireFormat(Buffer.from('000000000702', 'hex'))).toThrow('the message indexes are cut short');
    expect(() => readProtobufWireFormat(Buffer.from('00000000070201', 'hex'))).toThrow('message index -1 is negative');
  });

  it('a registry that cannot be reached fails naming its address and the request', async () => {
    const registry = new SchemaRegistry('http://127.0.0.1:1');
    await expect(registry.schema(3)).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'serdeProperties' }, message: expect.stringMatching(/^schema registry http:\/\/127\.0\.0\.1:1: GET \/schemas\/ids\/3 failed: /),
    });
  });
});

/** Answers as a registry holding the given schemas (by id) and subject versions; records what was registered. */
function registryHolding(byId: Record<number, RegisteredSchema>, versions: Record<string, RegisteredSchema> = {}) {
  const registered: { subject: string; schema: string; schemaType: string }[] = [];
  const registry = {
    register: async (subject: string, schema: string, schemaType = 'AVRO') => {
      registered.push({ subject, schema, schemaType });
      return 5;
    },
    schema: async (id: number) => byId[id],
    subjectVersion: async (subject: string, version: number) => versions[`${subject}/${version}`],
  } as unknown as SchemaRegistry;
  return { registry, registered };
}

describe('the PROTOBUF serde', () => {
  const PROTO = 'syntax = "proto3";\nmessage Test { int32 a = 1; string b = 2; }\nmessage Other { string c = 1; }';

  it('registers the schema under topic-value as PROTOBUF and writes the first message in Confluent\'s wire format', async () => {
    const { registry, registered } = registryHolding({});
    const write = await serializer('PROTOBUF', { isKey: false, protobufSchema: `  ${PROTO}\n`, registry });
    expect((await write({ a: 150, b: 'testing' }, 'orders'))!.toString('hex')).toBe('0000000005' + '00' + '089601120774657374696e67');
    expect(await write(null, 'orders')).toBeNull();
    expect(registered).toEqual([{ subject: 'orders-value', schema: PROTO, schemaType: 'PROTOBUF' }]);
  });

  it('needs its schema and a registry, and refuses a schema it cannot use before any record', async () => {
    await expect(serializer('PROTOBUF', { isKey: true })).rejects.toThrow('PROTOBUF needs keyProtobufSchema');
    await expect(serializer('PROTOBUF', { isKey: false, protobufSchema: PROTO })).rejects.toThrow('PROTOBUF needs serdeProperties.schema.registry.url');
    await expect(serializer('PROTOBUF', { isKey: false, protobufSchema: 'syntax = "proto3"; import "x.proto"; message M { X x = 1; }', registry: registryHolding({}).registry }))
      .rejects.toThrow('valueProtobufSchema is not a usable Protobuf schema: it imports "x.proto", which is neither a schema reference nor a well-known google/protobuf type');
  });

  it('names the field of a value that does not fit', async () => {
    const write = await serializer('PROTOBUF', { isKey: false, protobufSchema: PROTO, registry: registryHolding({}).registry });
    expect(() => write({ a: 'x' }, 't')).toThrow(expect.objectContaining({ field: 'a', message: expect.stringContaining('cannot convert "x" to int32') }));
  });

  it('reads the message its index path names, resolving the schema\'s references through their subjects', async () => {
    const main = 'syntax = "proto3"; import "money.proto"; message Head { string h = 1; } message Price { Money amount = 1; string label = 2; }';
    const money = 'syntax = "proto3"; message Money { string currency = 1; int64 units = 2; }';
    const { registry } = registryHolding(
      { 9: { schema: main, schemaType: 'PROTOBUF', references: [{ name: 'money.proto', subject: 'money-value', version: 2 }] } },
      { 'money-value/2': { schema: money, schemaType: 'PROTOBUF', references: [] } },
    );
    const read = deserializer('PROTOBUF', registry);
    // Price { amount { currency "EUR" units 12 } label "x" }, at index path [1].
    const record = protobufWireFormat(9, [1], Buffer.from('0a070a03455552100c120178', 'hex'));
    await read.prepare!(record);
    expect(read.decode(record)).toEqual({ amount: { currency: 'EUR', units: 12 }, label: 'x' });
    expect(read.decode(null)).toBeNull();
  });

  it('refuses a record whose schema is not Protobuf, and an AVRO reader one whose schema is', async () => {
    const { registry } = registryHolding({
      1: { schema: '"string"', schemaType: 'AVRO', references: [] },
      2: { schema: 'syntax = "proto3"; message M { string s = 1; }', schemaType: 'PROTOBUF', references: [] },
    });
    await expect(deserializer('PROTOBUF', registry).prepare!(protobufWireFormat(1, [0], Buffer.alloc(0))))
      .rejects.toThrow(new SerdeError("PROTOBUF: the record's schema 1 is AVRO, not PROTOBUF"));
    await expect(deserializer('AVRO', registry).prepare!(wireFormat(2, Buffer.alloc(0))))
      .rejects.toThrow(new SerdeError("AVRO: the record's schema 2 is PROTOBUF, not AVRO"));
  });
});

describe('the AVRO serializer', () => {
  it('keeps an empty string and "NA" as text: only a null is null, as Kestra sends a row\'s values', async () => {
    const schema = JSON.stringify({ type: 'record', name: 'R', fields: ['e', 'na', 'n'].map((name) => ({ name, type: ['null', 'string'] })) });
    const write = serializer('AVRO', { isKey: false, avroSchema: schema, registry: registryHolding({}).registry });
    // Each field: its union branch as a zig-zag long (1 = string, 0 = null), then a string's length and bytes.
    expect((await write({ e: '', na: 'NA', n: null }, 't'))!.subarray(5).toString('hex')).toBe('0200' + '02044e41' + '00');
  });
});
