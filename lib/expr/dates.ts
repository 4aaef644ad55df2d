// Kestra's date semantics (AbstractDate): inputs are ISO strings, epoch seconds or dates; formats are
// java.time patterns or named formatters ("iso", "sql", "iso_instant"...); the default time zone is
// UTC here (Kestra uses the server's zone, which we never read).

import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import { formatPattern, isoFraction, isoOffset, zoneId } from './date-format';
import { parseIso, parseOffset, parsePattern } from './date-parse';
import { hardFailure } from './failure';
import { describe } from './values';

export const DEFAULT_LOCALE = 'en-US';

/** Named patterns from Kestra's AbstractDate. The others are computed in `formatNamed`. */
const NAMED_PATTERNS: Readonly<Record<string, string>> = {
  iso: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
  iso_sec: "yyyy-MM-dd'T'HH:mm:ssXXX",
  sql: 'yyyy-MM-dd HH:mm:ss.SSSSSS',
  sql_seq: 'yyyy-MM-dd HH:mm:ss',
};

const STYLES: Readonly<Record<string, Intl.DateTimeFormatOptions>> = {
  short: { year: '2-digit', month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit' },
  medium: { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' },
  long: { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'short' },
  full: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZoneName: 'long' },
};

const ZONES = new Map<string, Zone>();

/** Java ZoneId names: IANA regions, `UTC`, `Z`, `+02:00`, `GMT+2`, `UTC-05:30`. Unknown names fail. */
export function zoneOf(name: unknown): Zone {
  if (name === undefined || name === null) return FixedOffsetZone.utcInstance;
  if (typeof name !== 'string') throw hardFailure(`the time zone must be a string, got ${describe(name)}`);
  const cached = ZONES.get(name);
  if (cached) return cached;
  let zone: Zone | undefined;
  if (name === 'UTC' || name === 'Z' || name === 'GMT' || name === 'UT') zone = FixedOffsetZone.utcInstance;
  else if (/^(?:GMT|UTC|UT)?[+-]/.test(name)) {
    const minutes = parseOffset(name);
    if (minutes !== undefined) zone = FixedOffsetZone.instance(minutes);
  } else if (IANAZone.isValidZone(name)) zone = IANAZone.create(name);
  if (!zone) throw hardFailure(`unknown time zone '${name}'`);
  if (ZONES.size > 1000) ZONES.clear();
  ZONES.set(name, zone);
  return zone;
}

function stringArg(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw hardFailure(`${what} must be a string, got ${describe(v)}`);
  return v;
}

/** Converts a template value to a date, as Kestra's AbstractDate.convert does. */
export function toDateTime(input: unknown, zone: Zone, existingFormat?: unknown): DateTime {
  if (typeof input === 'number') {
    // Epoch seconds, like Kestra's Long inputs.
    const dt = DateTime.fromMillis(Math.round(input * 1000), { zone });
    if (!dt.isValid) throw hardFailure(`${input} is not a valid epoch second`);
    return dt;
  }
  if (input instanceof Date) {
    const dt = DateTime.fromJSDate(input, { zone });
    if (!dt.isValid) throw hardFailure('invalid date');
    return dt;
  }
  if (typeof input !== 'string') throw hardFailure(`cannot read a date from ${describe(input)}`);
  const format = stringArg(existingFormat, 'existingFormat');
  if (format === undefined || format.startsWith('iso')) return parseIso(input, zone, zoneOf);
  if (format === 'rfc_1123_date_time') {
    const dt = DateTime.fromRFC2822(input, { zone, setZone: true });
    if (!dt.isValid) throw hardFailure(`cannot read a date from '${input}' with the format '${format}'`);
    return dt;
  }
  if (STYLES[format]) throw hardFailure(`the style '${format}' cannot be used to read a date`);
  return parsePattern(input, NAMED_PATTERNS[format] ?? format, zone, zoneOf);
}

export function formatDate(dt: DateTime, format: unknown, locale?: unknown): string {
  const f = stringArg(format, 'format') ?? 'iso';
  const loc = stringArg(locale, 'locale')?.replace(/_/g, '-') ?? DEFAULT_LOCALE;
  // Always explicit: luxon would otherwise use the machine's locale for month and day names.
  const d = dt.setLocale(loc);
  const style = STYLES[f];
  if (style) return d.toLocaleString(style);
  const named = formatNamed(d, f);
  if (named !== undefined) return named;
  return formatPattern(d, NAMED_PATTERNS[f] ?? f);
}

function formatNamed(dt: DateTime, f: string): string | undefined {
  const localDate = formatPattern(dt, 'yyyy-MM-dd');
  const localTime = `${formatPattern(dt, 'HH:mm:ss')}${isoFraction(dt.millisecond)}`;
  const zoneSuffix = dt.zone instanceof IANAZone ? `[${zoneId(dt)}]` : '';
  switch (f) {
    case 'iso_date_time':
    case 'iso_zoned_date_time':
      return `${localDate}T${localTime}${isoOffset(dt)}${zoneSuffix}`;
    case 'iso_offset_date_time':
      return `${localDate}T${localTime}${isoOffset(dt)}`;
    case 'iso_date':
      return `${localDate}${isoOffset(dt)}`;
    case 'iso_time':
    case 'iso_offset_time':
      return `${localTime}${isoOffset(dt)}`;
    case 'iso_local_date':
      return localDate;
    case 'iso_local_time':
      return localTime;
    case 'iso_local_date_time':
      return `${localDate}T${localTime}`;
    case 'iso_instant': {
      const u = dt.toUTC();
      const ms = u.millisecond ? `.${String(u.millisecond).padStart(3, '0')}` : '';
      return `${formatPattern(u, "yyyy-MM-dd'T'HH:mm:ss")}${ms}Z`;
    }
    case 'iso_ordinal_date':
      return `${formatPattern(dt, 'yyyy-DDD')}${isoOffset(dt)}`;
    case 'iso_week_date':
      return `${String(dt.weekYear).padStart(4, '0')}-W${String(dt.weekNumber).padStart(2, '0')}-${dt.weekday}${isoOffset(dt)}`;
    case 'rfc_1123_date_time':
      return formatPattern(dt, dt.offset === 0 ? "EEE, d MMM yyyy HH:mm:ss 'GMT'" : 'EEE, d MMM yyyy HH:mm:ss Z');
    default:
      return undefined;
  }
}

const UNITS: Readonly<Record<string, [string, number]>> = {
  NANOS: ['milliseconds', 1e-6],
  MICROS: ['milliseconds', 1e-3],
  MILLIS: ['milliseconds', 1],
  SECONDS: ['seconds', 1],
  MINUTES: ['minutes', 1],
  HOURS: ['hours', 1],
  HALF_DAYS: ['hours', 12],
  DAYS: ['days', 1],
  WEEKS: ['weeks', 1],
  MONTHS: ['months', 1],
  YEARS: ['years', 1],
  DECADES: ['years', 10],
  CENTURIES: ['years', 100],
  MILLENNIA: ['years', 1000],
};

/** ZonedDateTime.plus(amount, ChronoUnit): days and longer follow the calendar, shorter units the clock. */
export function addToDate(dt: DateTime, amount: unknown, unit: unknown): DateTime {
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    throw hardFailure(`dateAdd needs a whole number amount, got ${describe(amount)}`);
  }
  const u = typeof unit === 'string' ? UNITS[unit.toUpperCase()] : undefined;
  if (!u) throw hardFailure(`unknown time unit ${describe(unit)}: use one of ${Object.keys(UNITS).join(', ')}`);
  const out = dt.plus({ [u[0]]: amount * u[1] });
  if (!out.isValid) throw hardFailure('the date is out of range');
  return out;
}
