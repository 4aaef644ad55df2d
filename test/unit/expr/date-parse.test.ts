import { FixedOffsetZone, IANAZone } from 'luxon';
import { parseIso, parseOffset, parsePattern } from '../../../lib/expr/date-parse';
import { failure } from './helpers';

const UTC = FixedOffsetZone.utcInstance;
const PARIS = IANAZone.create('Europe/Paris');
const zoneOf = (name: string) => IANAZone.create(name);


describe('date-parse', () => {
  it('reads offsets in their usual spellings', () => {
    expect(parseOffset('Z')).toBe(0);
    expect(parseOffset('+02')).toBe(120);
    expect(parseOffset('-0530')).toBe(-330);
    expect(parseOffset('+05:30')).toBe(330);
    expect(parseOffset('GMT+2')).toBe(120);
    expect(parseOffset('Europe/Paris')).toBeUndefined();
  });

  it('reads an ISO date-time with its offset, whatever the default zone', () => {
    expect(parseIso('2013-09-08T16:19:12.123456+01', PARIS, zoneOf).toUTC().toISO()).toBe('2013-09-08T15:19:12.123Z');
    expect(parseIso('2013-09-08T16:19:12Z', PARIS, zoneOf).toUTC().toISO()).toBe('2013-09-08T16:19:12.000Z');
  });

  it('reads a local ISO date-time or date in the default zone, dates at midnight', () => {
    expect(parseIso('2013-09-08T17:19:12', PARIS, zoneOf).toUTC().toISO()).toBe('2013-09-08T15:19:12.000Z');
    expect(parseIso('2013-09-08', PARIS, zoneOf).toUTC().toISO()).toBe('2013-09-07T22:00:00.000Z');
    expect(parseIso('2013-09-08T17:19', UTC, zoneOf).toUTC().toISO()).toBe('2013-09-08T17:19:00.000Z');
  });

  it('reads a bracketed zone id when there is no offset', () => {
    expect(parseIso('2013-09-08T17:19:12[Europe/Paris]', UTC, zoneOf).toUTC().toISO()).toBe('2013-09-08T15:19:12.000Z');
  });

  it('rejects what is not ISO-8601, and impossible dates', () => {
    expect(failure(() => parseIso('08/09/2013', UTC, zoneOf)).message).toContain('expected ISO-8601');
    expect(failure(() => parseIso('2013-02-30', UTC, zoneOf)).message).toContain("cannot read a date from '2013-02-30'");
  });

  it('reads dates with java.time patterns, month names included', () => {
    expect(parsePattern('July 24, 2001', 'MMMM dd, yyyy', UTC, zoneOf).toISODate()).toBe('2001-07-24');
    expect(parsePattern('24/07/2001 13:45', 'dd/MM/yyyy HH:mm', UTC, zoneOf).toISO()).toBe('2001-07-24T13:45:00.000Z');
    expect(parsePattern('20240131', 'yyyyMMdd', UTC, zoneOf).toISODate()).toBe('2024-01-31');
    expect(parsePattern('01:30 PM 2024-01-31', 'hh:mm a yyyy-MM-dd', UTC, zoneOf).hour).toBe(13);
    expect(parsePattern("2024-01-31T10:00:00.250+02:00", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", UTC, zoneOf).toUTC().toISO())
      .toBe('2024-01-31T08:00:00.250Z');
  });

  it('fails clearly when the text does not match the pattern or lacks a date', () => {
    expect(failure(() => parsePattern('2024/01/31', 'yyyy-MM-dd', UTC, zoneOf)).message)
      .toBe("cannot read a date from '2024/01/31' with the format 'yyyy-MM-dd'");
    expect(failure(() => parsePattern('10:00', 'HH:mm', UTC, zoneOf)).message).toContain("cannot read a date from '10:00'");
  });
});
