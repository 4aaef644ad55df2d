import { DEFAULT_CONVERT, fromAvro, parseSchema, toAvro } from '../../../../lib/plugins/serdes/avro-values';

const roundTrip = (schema: unknown, value: unknown, options = DEFAULT_CONVERT) => {
  const type = parseSchema(schema);
  return fromAvro(type, type.fromBuffer(type.toBuffer(toAvro(type, value, options))));
};
const decimal = { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 };

describe('Avro values', () => {
  it('round decimals half-even to the scale, as Kestra does', () => {
    expect(roundTrip(decimal, '1.005')).toBe('1.00');
    expect(roundTrip(decimal, '1.015')).toBe('1.02');
    expect(roundTrip(decimal, '1.0151')).toBe('1.02');
    expect(roundTrip(decimal, '-0.5')).toBe('-0.50');
    expect(roundTrip(decimal, 12)).toBe('12.00');
  });

  it('write decimals into fixed types at their size', () => {
    expect(roundTrip({ type: 'fixed', name: 'D', size: 8, logicalType: 'decimal', precision: 10, scale: 1 }, '-12.3')).toBe('-12.3');
  });

  it('keep longs beyond 2^53 as text and smaller ones as numbers', () => {
    expect(roundTrip('long', '9223372036854775807')).toBe('9223372036854775807');
    expect(roundTrip('long', 42)).toBe(42);
  });

  it('read timestamps and dates as ISO text, zoneless for local timestamps', () => {
    expect(roundTrip({ type: 'long', logicalType: 'timestamp-millis' }, '2024-01-02T04:04:05.123+01:00')).toBe('2024-01-02T03:04:05.123Z');
    expect(roundTrip({ type: 'long', logicalType: 'timestamp-millis' }, 0)).toBe('1970-01-01T00:00:00.000Z');
    expect(roundTrip({ type: 'long', logicalType: 'local-timestamp-micros' }, '2024-01-02T03:04:05.000001')).toBe('2024-01-02T03:04:05.000001');
    expect(roundTrip({ type: 'int', logicalType: 'date' }, '2024-02-29T23:00:00Z')).toBe('2024-02-29');
    expect(roundTrip({ type: 'long', logicalType: 'time-micros' }, '23:59:59.999999')).toBe('23:59:59.999999');
  });

  it('read a zoneless date-time in timeZoneId', () => {
    expect(roundTrip({ type: 'long', logicalType: 'timestamp-millis' }, '2024-01-02T03:04:05', { ...DEFAULT_CONVERT, timeZoneId: 'Europe/Paris' }))
      .toBe('2024-01-02T02:04:05.000Z');
  });

  it('parse dates with a custom dateFormat', () => {
    expect(roundTrip({ type: 'int', logicalType: 'date' }, '06/05/1990', { ...DEFAULT_CONVERT, dateFormat: 'dd/MM/yyyy' })).toBe('1990-05-06');
  });

  it('pick the first union branch that takes the value', () => {
    expect(roundTrip(['null', 'int', 'string'], '12')).toBe(12);
    expect(roundTrip(['null', 'int', 'string'], 'twelve')).toBe('twelve');
    expect(roundTrip(['null', 'int'], 'null')).toBeNull();
  });

  it('refuse what fits no type, naming the field path', () => {
    const type = parseSchema({ type: 'record', name: 'R', fields: [{ name: 'inner', type: { type: 'record', name: 'I', fields: [{ name: 'n', type: 'int' }] } }] });
    expect(() => toAvro(type, { inner: { n: 'x' } }, DEFAULT_CONVERT)).toThrow(expect.objectContaining({ path: 'inner.n', message: 'cannot convert "x" to int' }));
  });
});
