import { compile, decode, encode, ProtobufValueError } from '../../../../lib/plugins/kafka/protobuf';

const ORDER = `
syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Status { UNKNOWN = 0; PAID = 1; SHIPPED = 2; }

message Order {
  int64 id = 1;
  string customer = 2;
  Status status = 3;
  google.protobuf.Timestamp created = 4;
  Address address = 5;
  repeated Line lines = 6;
  map<string, int32> counts = 7;
  bytes signature = 8;
  uint64 big = 9;
  double score = 10;
  bool active = 11;
  google.protobuf.StringValue note = 12;
  oneof payment { string card = 13; string iban = 14; }
  sint32 delta = 15;
  message Line { string sku = 1; int32 quantity = 2; }
}

message Address { string street = 1; string city = 2; Geo geo = 3; message Geo { double lat = 1; double lon = 2; } }
`;

describe('Protobuf schemas', () => {
  it('finds messages by Confluent index path: top-level messages of the file in order, then nested ones', () => {
    const schema = compile(ORDER, new Map());
    expect(schema.typeAt([0]).fullName).toBe('.shop.v1.Order');
    expect(schema.typeAt([0, 0]).fullName).toBe('.shop.v1.Order.Line');
    expect(schema.typeAt([1]).fullName).toBe('.shop.v1.Address');
    expect(schema.typeAt([1, 0]).fullName).toBe('.shop.v1.Address.Geo');
    expect(() => schema.typeAt([2])).toThrow('the schema has no message at index path [2]');
  });

  it('resolves imports from the texts given for them, and refuses one that is neither given nor well-known', () => {
    const main = 'syntax = "proto3"; import "common/money.proto"; message Price { common.Money amount = 1; }';
    const money = 'syntax = "proto3"; package common; message Money { string currency = 1; int64 units = 2; }';
    const price = compile(main, new Map([['common/money.proto', money]])).typeAt([0]);
    expect(decode(price, encode(price, { amount: { currency: 'EUR', units: 12 } }))).toEqual({ amount: { currency: 'EUR', units: 12 } });
    expect(() => compile(main, new Map())).toThrow('it imports "common/money.proto", which is neither a schema reference nor a well-known google/protobuf type');
  });

  it('reports a syntax error and a file without messages', () => {
    expect(() => compile('syntax = "proto3"; message {', new Map())).toThrow(/illegal|unexpected/i);
    expect(() => compile('syntax = "proto3"; enum E { A = 0; }', new Map())).toThrow('the schema declares no message');
  });
});

describe('Protobuf values', () => {
  const order = compile(ORDER, new Map()).typeAt([0]);

  it('encode the protocol buffers documentation example byte for byte', () => {
    const test = compile('syntax = "proto3"; message Test { int32 a = 1; string b = 2; }', new Map()).typeAt([0]);
    expect(encode(test, { a: 150, b: 'testing' }).toString('hex')).toBe('089601120774657374696e67');
    expect(encode(test, { a: '150' }).toString('hex')).toBe('089601');
  });

  it('come back from a round trip as rows: enums by name, bytes as base64, longs as text beyond 2^53, Timestamps as ISO text', () => {
    const row = {
      id: '9007199254740993', customer: 'Zoë', status: 'SHIPPED', created: '2024-01-02T03:04:05.123456Z',
      address: { street: '1 Rue de la Paix', city: 'Paris', geo: { lat: 48.8686, lon: -2.5 } },
      lines: [{ sku: 'a', quantity: 2 }, { sku: 'b', quantity: 1 }], counts: { x: 1, y: -3 }, signature: 'AQL/',
      big: '18446744073709551615', score: 1.5, active: true, note: 'fragile', card: '4111', delta: -7,
    };
    expect(decode(order, encode(order, row))).toEqual({ ...row, iban: null });
  });

  it('decode every field of a message, unset messages and oneof members as null, proto3 scalars as their defaults', () => {
    expect(decode(order, encode(order, { id: 1, created: 0 }))).toEqual({
      id: 1, customer: '', status: 'UNKNOWN', created: '1970-01-01T00:00:00.000Z', address: null, lines: [], counts: {}, signature: '',
      big: 0, score: 0, active: false, note: null, card: null, iban: null, delta: 0,
    });
  });

  it('read Timestamps from epoch milliseconds and from ISO text with an offset, keeping nanoseconds', () => {
    const at = (created: unknown) => (decode(order, encode(order, { created })) as { created: string }).created;
    expect(at(1_700_000_000_123)).toBe('2023-11-14T22:13:20.123Z');
    expect(at('2024-01-02T03:04:05.123456789+02:00')).toBe('2024-01-02T01:04:05.123456789Z');
    expect(at('1969-12-31T23:59:59.5Z')).toBe('1969-12-31T23:59:59.500Z');
  });

  it('refuse a value that does not fit, naming the field by its path', () => {
    const failure = (row: unknown): { path: string; message: string } => {
      try {
        encode(order, row);
      } catch (err) {
        expect(err).toBeInstanceOf(ProtobufValueError);
        return { path: (err as ProtobufValueError).path, message: (err as Error).message };
      }
      throw new Error('encoded');
    };
    expect(failure({ address: { geo: { lat: 'north' } } })).toEqual({ path: 'address.geo.lat', message: 'cannot convert "north" to double' });
    expect(failure({ lines: [{ sku: 'a' }, { quantity: 2.5 }] })).toEqual({
      path: 'lines[1].quantity', message: 'cannot convert 2.5 to int32 (a whole number from -2147483648 to 2147483647)',
    });
    expect(failure({ status: 'LOST' })).toEqual({ path: 'status', message: 'cannot convert "LOST" to Status (one of UNKNOWN, PAID, SHIPPED)' });
    expect(failure({ id: '9223372036854775808' }).path).toBe('id');
    expect(failure({ big: -1 }).path).toBe('big');
    expect(failure({ counts: { x: 'many' } }).path).toBe('counts["x"]');
    expect(failure({ created: 'yesterday' }).message).toBe('cannot convert "yesterday" to a Timestamp (ISO 8601 text or epoch milliseconds)');
    expect(failure({ card: '4111', iban: 'FR76' })).toEqual({ path: 'payment', message: 'only one of card, iban may be set, got card and iban' });
    expect(failure({ address: { zip: '75002' } })).toEqual({ path: 'address.zip', message: 'message Address has no field zip (fields: street, city, geo)' });
    expect(failure('not a map')).toEqual({ path: '', message: 'cannot convert "not a map" to message Order' });
  });
});
