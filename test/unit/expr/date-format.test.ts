import { DateTime, FixedOffsetZone } from 'luxon';
import { compilePattern, formatPattern } from '../../../lib/expr/date-format';
import { failure } from './helpers';

const UTC = DateTime.fromISO('2026-11-05T01:02:03.456Z', { zone: 'UTC' });
const PARIS = UTC.setZone('Europe/Paris');
const INDIA = UTC.setZone(FixedOffsetZone.instance(330));
const NEW_YORK = UTC.setZone('America/New_York');


describe('date-format', () => {
  it('splits patterns into letter runs and literals, with quotes and doubled quotes', () => {
    expect(compilePattern("yyyy-MM-dd'T'HH 'o''clock'''")).toEqual([
      { letter: 'y', count: 4 }, { lit: '-' }, { letter: 'M', count: 2 }, { lit: '-' }, { letter: 'd', count: 2 },
      { lit: 'T' }, { letter: 'H', count: 2 }, { lit: " o'clock'" },
    ]);
  });

  it('formats the common ISO-like pattern with milliseconds and a Z offset', () => {
    expect(formatPattern(UTC, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")).toBe('2026-11-05T01:02:03.456Z');
    expect(formatPattern(PARIS, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")).toBe('2026-11-05T02:02:03.456+01:00');
  });

  it('pads or truncates the fraction to the number of S letters', () => {
    expect(formatPattern(UTC, 'S|SS|SSS|SSSSSS|SSSSSSSSS')).toBe('4|45|456|456000|456000000');
  });

  it('prints each offset style as java.time does', () => {
    expect(formatPattern(UTC, 'X|XX|XXX|x|xx|xxx|Z|ZZZZ|ZZZZZ|O|OOOO')).toBe('Z|Z|Z|+00|+0000|+00:00|+0000|GMT|Z|GMT|GMT');
    expect(formatPattern(INDIA, 'X|XX|XXX|x|Z|ZZZZ|ZZZZZ|O|OOOO')).toBe('+0530|+0530|+05:30|+0530|+0530|GMT+05:30|+05:30|GMT+5:30|GMT+05:30');
    expect(formatPattern(NEW_YORK, 'X|XXX|Z')).toBe('-05|-05:00|-0500');
  });

  it('prints day and month names, numbers without padding, and 12-hour clocks', () => {
    expect(formatPattern(UTC, 'EEE EEEE MMM MMMM d M yy h a')).toBe('Thu Thursday Nov November 5 11 26 1 AM');
    expect(formatPattern(UTC.set({ hour: 13 }), 'hh:mm a K k')).toBe('01:02 PM 1 13');
    expect(formatPattern(UTC.set({ hour: 0 }), 'h K k H')).toBe('12 0 24 0');
  });

  it('prints zone ids, day of year, quarter, week and era', () => {
    expect(formatPattern(PARIS, 'VV')).toBe('Europe/Paris');
    expect(formatPattern(INDIA, 'VV')).toBe('+05:30');
    expect(formatPattern(UTC, 'VV')).toBe('UTC');
    expect(formatPattern(UTC, 'D DDD Q QQQ w G')).toBe('309 309 4 Q4 45 AD');
  });

  it('ignores optional-section brackets when formatting', () => {
    expect(formatPattern(UTC, 'HH:mm[:ss]')).toBe('01:02:03');
  });

  it('rejects reserved characters, unknown letters and unclosed quotes', () => {
    expect(failure(() => formatPattern(UTC, 'yyyy#')).message).toContain("reserved character '#'");
    expect(failure(() => formatPattern(UTC, 'yyyy-bb')).message).toContain("unknown date pattern letter 'b'");
    expect(failure(() => formatPattern(UTC, "yyyy'T")).message).toContain('unclosed quote');
  });
});
