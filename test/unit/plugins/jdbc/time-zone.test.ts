import { isTimeZoneId, isoDateTime, isoFromDate, timeZoneOf, wallTimeOf } from '../../../../lib/plugins/jdbc/time-zone';

const zone = (id: string) => {
  const z = timeZoneOf(id);
  if (!z) throw new Error(`no zone ${id}`);
  return z;
};

describe('time zones', () => {
  it('knows IANA names, UTC and fixed offsets, and rejects the rest', () => {
    expect(isTimeZoneId('Europe/Paris')).toBe(true);
    expect(isTimeZoneId('UTC')).toBe(true);
    expect(isTimeZoneId('+05:30')).toBe(true);
    expect(isTimeZoneId('Mars/Olympus')).toBe(false);
    expect(isTimeZoneId('+25:00')).toBe(false);
  });

  it('defaults to UTC', () => {
    expect(timeZoneOf(undefined)?.offsetAt(0)).toBe(0);
  });

  it('follows daylight saving time', () => {
    expect(zone('Europe/Paris').offsetAt(Date.UTC(2024, 0, 15))).toBe(60);
    expect(zone('Europe/Paris').offsetAt(Date.UTC(2024, 6, 15))).toBe(120);
  });
});

describe('isoDateTime', () => {
  it('reads a zoneless wall time in the zone and keeps its microseconds', () => {
    expect(isoDateTime('2024-01-02 03:04:05.123456', zone('Europe/Paris'))).toBe('2024-01-02T03:04:05.123456+01:00');
    expect(isoDateTime('2024-07-02 03:04:05', zone('UTC'))).toBe('2024-07-02T03:04:05.000Z');
  });

  it('renders an instant with an offset in the zone', () => {
    expect(isoDateTime('2024-01-02 03:04:05.5+00', zone('Europe/Paris'))).toBe('2024-01-02T04:04:05.500+01:00');
    expect(isoDateTime('2024-01-02T03:04:05Z', zone('-03:00'))).toBe('2024-01-02T00:04:05.000-03:00');
  });

  it('reads a wall time the driver gave in another zone (a TIMESTAMP read in a UTC session)', () => {
    expect(isoDateTime('2024-01-02 03:04:05', zone('Europe/Paris'), zone('UTC'))).toBe('2024-01-02T04:04:05.000+01:00');
  });

  it('leaves what is not a plain date-time alone', () => {
    expect(isoDateTime('infinity', zone('UTC'))).toBe('infinity');
    expect(isoDateTime('0000-00-00 00:00:00', zone('UTC'))).toBe('0000-00-00 00:00:00');
  });

  it('renders JS Dates in the zone', () => {
    expect(isoFromDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), zone('Asia/Kolkata'))).toBe('2024-01-02T08:34:05.006+05:30');
  });
});

describe('wallTimeOf', () => {
  it('turns ISO instants into wall times of the zone for databases that reject offsets', () => {
    expect(wallTimeOf('2024-01-02T03:04:05.123Z', zone('UTC'))).toBe('2024-01-02 03:04:05.123');
    expect(wallTimeOf('2024-01-02T04:04:05.123456+01:00', zone('UTC'))).toBe('2024-01-02 03:04:05.123456');
    expect(wallTimeOf('2024-01-02T03:04:05Z', zone('Europe/Paris'))).toBe('2024-01-02 04:04:05');
  });

  it('leaves every other string untouched', () => {
    expect(wallTimeOf('2024-01-02 03:04:05', zone('UTC'))).toBeUndefined();
    expect(wallTimeOf('2024-01-02', zone('UTC'))).toBeUndefined();
    expect(wallTimeOf('hello world, 2024-01-02T03:04:05Z', zone('UTC'))).toBeUndefined();
  });
});
