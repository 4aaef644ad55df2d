import { DateTime } from 'luxon';
import { addToDate, formatDate, toDateTime, zoneOf } from '../../../lib/expr/dates';
import { failure } from './helpers';

const UTC = zoneOf(undefined);
const AT = DateTime.fromISO('2026-11-25T01:02:03.450Z', { zone: UTC });


describe('dates', () => {
  it('accepts IANA names, UTC aliases and fixed offsets as time zones', () => {
    expect(zoneOf('Europe/Paris').name).toBe('Europe/Paris');
    expect(zoneOf('Z').offset(0)).toBe(0);
    expect(zoneOf('+05:30').offset(0)).toBe(330);
    expect(zoneOf('GMT-2').offset(0)).toBe(-120);
    expect(failure(() => zoneOf('Mars/Olympus')).message).toBe("unknown time zone 'Mars/Olympus'");
  });

  it('reads epoch seconds, ISO strings and Date objects', () => {
    expect(toDateTime(1378653552, UTC).toISO()).toBe('2013-09-08T15:19:12.000Z');
    expect(toDateTime('2013-09-08T15:19:12Z', UTC).toMillis()).toBe(1378653552000);
    expect(toDateTime(new Date(1378653552000), UTC).toMillis()).toBe(1378653552000);
    expect(failure(() => toDateTime(true, UTC)).message).toContain('cannot read a date from true');
  });

  it('reads with named formats and patterns given as existingFormat', () => {
    expect(toDateTime('Tue, 08 Feb 2022 19:38:26 GMT', UTC, 'rfc_1123_date_time').toUTC().toISO()).toBe('2022-02-08T19:38:26.000Z');
    expect(toDateTime('2022-02-08 19:38:26', UTC, 'sql_seq').toISO()).toBe('2022-02-08T19:38:26.000Z');
    expect(toDateTime('2022-02-08', UTC, 'iso_local_date').toISO()).toBe('2022-02-08T00:00:00.000Z');
  });

  it("formats with Kestra's default 'iso' format: microseconds and an offset", () => {
    expect(formatDate(AT, undefined)).toBe('2026-11-25T01:02:03.450000Z');
  });

  it('formats with the named java.time formatters', () => {
    const paris = AT.setZone('Europe/Paris');
    expect(formatDate(AT, 'iso_sec')).toBe('2026-11-25T01:02:03Z');
    expect(formatDate(AT, 'sql')).toBe('2026-11-25 01:02:03.450000');
    expect(formatDate(AT, 'sql_seq')).toBe('2026-11-25 01:02:03');
    expect(formatDate(AT, 'iso_instant')).toBe('2026-11-25T01:02:03.450Z');
    expect(formatDate(AT, 'iso_local_date_time')).toBe('2026-11-25T01:02:03.45');
    expect(formatDate(AT, 'iso_local_date')).toBe('2026-11-25');
    expect(formatDate(AT, 'iso_date')).toBe('2026-11-25Z');
    expect(formatDate(paris, 'iso_date_time')).toBe('2026-11-25T02:02:03.45+01:00[Europe/Paris]');
    expect(formatDate(paris, 'iso_offset_date_time')).toBe('2026-11-25T02:02:03.45+01:00');
    expect(formatDate(AT, 'iso_week_date')).toBe('2026-W48-3Z');
    expect(formatDate(AT, 'iso_ordinal_date')).toBe('2026-329Z');
    expect(formatDate(AT, 'rfc_1123_date_time')).toBe('Wed, 25 Nov 2026 01:02:03 GMT');
  });

  it('formats with localized styles and locales', () => {
    expect(formatDate(AT, 'medium')).toMatch(/^Nov 25, 2026, 1:02:03\sAM$/);
    expect(formatDate(AT, 'MMMM', 'fr_FR')).toBe('novembre');
  });

  it('adds calendar units across daylight saving and clock units by the clock', () => {
    const beforeDst = DateTime.fromISO('2024-03-30T12:00:00', { zone: 'Europe/Paris' });
    expect(addToDate(beforeDst, 1, 'DAYS').toISO()).toBe('2024-03-31T12:00:00.000+02:00');
    expect(addToDate(beforeDst, 24, 'HOURS').toISO()).toBe('2024-03-31T13:00:00.000+02:00');
    expect(addToDate(AT, -1, 'MONTHS').toISODate()).toBe('2026-10-25');
    expect(addToDate(AT, 2, 'WEEKS').toISODate()).toBe('2026-12-09');
    expect(addToDate(AT, 1, 'DECADES').year).toBe(2036);
    expect(addToDate(AT, 5, 'MILLIS').millisecond).toBe(455);
  });

  it('rejects unknown units and fractional amounts', () => {
    expect(failure(() => addToDate(AT, 1, 'FORTNIGHTS')).message).toContain("unknown time unit 'FORTNIGHTS'");
    expect(failure(() => addToDate(AT, 1.5, 'DAYS')).message).toContain('whole number');
  });
});
