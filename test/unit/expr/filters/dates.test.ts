import { render, renderTyped } from '../../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const ZONED = '2013-09-08T16:19:12.123456+01:00';
const r = (t: string, vars: Record<string, unknown> = { zoned: ZONED }) => render(t, vars, { now: NOW });

// Expectations from Kestra's DateFilterTest, where they do not depend on the server's zone.
describe('date filters', () => {
  it('formats with named formats and patterns in a given zone', () => {
    expect(r(`{{ zoned | date(format="iso", timeZone="Europe/Paris") }}`)).toBe('2013-09-08T17:19:12.123000+02:00');
    expect(r(`{{ zoned | date(format="iso_sec", timeZone="Europe/Paris") }}`)).toBe('2013-09-08T17:19:12+02:00');
    expect(r(`{{ zoned | date("yyyy-MM-dd HH:mm:ss.SSSSSSXXX", timeZone="UTC") }}`)).toBe('2013-09-08 15:19:12.123000Z');
  });

  it('reads strings in ISO form, local date-times and dates in the given zone', () => {
    expect(r(`{{ "July 24, 2001" | date("yyyy-MM-dd", existingFormat="MMMM dd, yyyy") }}`)).toBe('2001-07-24');
    expect(r(`{{ "2013-09-08T17:19:12+02:00" | date(timeZone="Europe/Paris") }}`)).toBe('2013-09-08T17:19:12.000000+02:00');
    expect(r(`{{ "2013-09-08T17:19:12" | date(timeZone="Europe/Paris") }}`)).toBe('2013-09-08T17:19:12.000000+02:00');
    expect(r(`{{ "2013-09-08" | date(timeZone="Europe/Paris") }}`)).toBe('2013-09-08T00:00:00.000000+02:00');
  });

  it('reads RFC 1123 dates', () => {
    expect(r(`{{ 'Tue, 08 Feb 2022 19:38:26 GMT' | date(existingFormat='rfc_1123_date_time', timeZone="Europe/Paris") }}`))
      .toBe('2022-02-08T20:38:26.000000+01:00');
  });

  it('defaults to UTC and reads numbers as epoch seconds', () => {
    expect(r("{{ 1378653552 | date('yyyy-MM-dd HH:mm:ss XXX') }}")).toBe('2013-09-08 15:19:12 Z');
    expect(r("{{ now() | date('EEEE d MMMM yyyy') }}")).toBe('Wednesday 25 November 2026');
  });

  it('gives epoch seconds, milliseconds, microseconds and nanoseconds', () => {
    expect(renderTyped('{{ zoned | timestamp(timeZone="Europe/Paris") }}', { zoned: ZONED }, { now: NOW })).toBe(1378653552);
    expect(renderTyped('{{ zoned | timestampMilli }}', { zoned: ZONED }, { now: NOW })).toBe(1378653552123);
    expect(r('{{ zoned | timestampMicro }} {{ zoned | timestampNano }}')).toBe('1378653552123000 1378653552123000000');
  });

  it('compares timestamps after dateAdd', () => {
    expect(r("{{ (zoned | timestamp) > (zoned | dateAdd(-1, 'DAYS') | timestamp) }}")).toBe('true');
  });

  it('adds ChronoUnit amounts and formats the result', () => {
    expect(r(`{{ zoned | dateAdd(-1, "DAYS", timeZone="Europe/Paris") }}`)).toBe('2013-09-07T17:19:12.123000+02:00');
    expect(r(`{{ now() | dateAdd(90, 'MINUTES', 'HH:mm') }}`)).toBe('02:32');
    expect(r(`{{ '2024-01-31' | dateAdd(1, 'MONTHS', 'yyyy-MM-dd') }}`)).toBe('2024-02-29');
  });

  it('names what is wrong with a bad zone, unit or date', () => {
    expect(() => r("{{ zoned | date(timeZone='Nowhere/Land') }}")).toThrow("unknown time zone 'Nowhere/Land'");
    expect(() => r("{{ zoned | dateAdd(1, 'AGES') }}")).toThrow("unknown time unit 'AGES'");
    expect(() => r("{{ 'yesterday' | date }}")).toThrow("cannot read a date from 'yesterday'");
  });

  it('leaves null as null', () => {
    expect(r('[{{ x | date }}]', { x: null })).toBe('[]');
  });
});
