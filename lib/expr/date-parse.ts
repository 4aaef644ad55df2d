// Parses date strings the way Kestra's date filters do: ISO-8601 by default (with offset, local
// date-time, or date only), or a java.time pattern given as `existingFormat`. Patterns are turned
// into an anchored regular expression of bounded, non-nested groups, so parsing stays linear.

import { DateTime, FixedOffsetZone, type Zone } from 'luxon';
import { compilePattern } from './date-format';
import { hardFailure } from './failure';

const ISO = /^([+-]?\d{4,9})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(?:\[([^\]]{1,64})\])?)?$/;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

interface Fields {
  year?: number;
  month?: number;
  day?: number;
  ordinal?: number;
  hour?: number;
  minute?: number;
  second?: number;
  millisecond?: number;
  pm?: boolean;
  offset?: number;
  zone?: string;
}

/** Minutes east of UTC for `Z`, `+02`, `+0200`, `+02:00`, `GMT+2`. */
export function parseOffset(s: string): number | undefined {
  if (s === 'Z' || s === 'z' || s === 'GMT' || s === 'UTC' || s === 'UT') return 0;
  const m = /^(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(s);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

function build(f: Fields, defaultZone: Zone, zoneOf: (name: string) => Zone, input: string): DateTime {
  if (f.year === undefined || (f.ordinal === undefined && (f.month === undefined || f.day === undefined))) {
    throw hardFailure(`cannot read a date from '${input}'`);
  }
  let hour = f.hour ?? 0;
  if (f.pm !== undefined) hour = (hour % 12) + (f.pm ? 12 : 0);
  const zone = f.offset !== undefined ? FixedOffsetZone.instance(f.offset) : f.zone ? zoneOf(f.zone) : defaultZone;
  const time = { hour, minute: f.minute ?? 0, second: f.second ?? 0, millisecond: f.millisecond ?? 0 };
  const dt = f.ordinal !== undefined
    ? DateTime.fromObject({ year: f.year, ordinal: f.ordinal, ...time }, { zone })
    : DateTime.fromObject({ year: f.year, month: f.month, day: f.day, ...time }, { zone });
  if (!dt.isValid) throw hardFailure(`cannot read a date from '${input}': ${dt.invalidExplanation ?? dt.invalidReason}`);
  return dt;
}

function millis(fraction: string): number {
  return Number(fraction.padEnd(3, '0').slice(0, 3));
}

/** ISO_ZONED_DATE_TIME, then ISO_LOCAL_DATE_TIME in the given zone, then ISO_LOCAL_DATE at midnight. */
export function parseIso(s: string, zone: Zone, zoneOf: (name: string) => Zone): DateTime {
  const m = ISO.exec(s.trim());
  if (!m) throw hardFailure(`cannot read a date from '${s}': expected ISO-8601 such as 2024-01-31T10:00:00Z`);
  const f: Fields = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (m[4] !== undefined) {
    f.hour = Number(m[4]);
    f.minute = Number(m[5]);
    if (m[6] !== undefined) f.second = Number(m[6]);
    if (m[7] !== undefined) f.millisecond = millis(m[7]);
    if (m[8] !== undefined) f.offset = parseOffset(m[8]);
    if (m[9] !== undefined) f.zone = m[9];
  }
  return build(f, zone, zoneOf, s);
}

type Setter = (f: Fields, v: string) => void;

function group(letter: string, n: number): [string, Setter | null] {
  const num = (key: keyof Fields): Setter => (f, v) => {
    (f as Record<string, number>)[key] = Number(v);
  };
  // Like java.time's adjacent value parsing: `MM` reads exactly two digits, `M` one or two.
  const digits = n >= 2 ? `(\\d{${n}})` : '(\\d{1,2})';
  switch (letter) {
    case 'y':
    case 'u':
      if (n === 2) return ['(\\d{2})', (f, v) => (f.year = 2000 + Number(v))];
      return [n >= 4 ? `([+-]?\\d{${n},9}?)` : '([+-]?\\d{1,9}?)', num('year')];
    case 'M':
    case 'L':
      if (n <= 2) return [digits, num('month')];
      return ['([A-Za-z\\u00C0-\\u017F.]{3,12})', (f, v) => (f.month = monthNumber(v))];
    case 'd':
      return [digits, num('day')];
    case 'D':
      return ['(\\d{1,3})', num('ordinal')];
    case 'H':
    case 'k':
    case 'h':
    case 'K':
      return [digits, num('hour')];
    case 'm':
      return [digits, num('minute')];
    case 's':
      return [digits, num('second')];
    case 'S':
      return [`(\\d{${n}})`, (f, v) => (f.millisecond = millis(v))];
    case 'n':
      return ['(\\d{1,9})', (f, v) => (f.millisecond = Math.floor(Number(v) / 1_000_000))];
    case 'a':
      return ['([AaPp][Mm])', (f, v) => (f.pm = v.toUpperCase() === 'PM')];
    case 'E':
    case 'e':
    case 'c':
      return n <= 2 && letter !== 'E' ? ['(\\d)', null] : ['([A-Za-z\\u00C0-\\u017F.]{1,12})', null];
    case 'G':
      return ['([A-Za-z ]{1,12})', null];
    case 'X':
    case 'x':
    case 'Z':
    case 'O':
      return ['(Z|(?:GMT|UTC)?(?:[+-]\\d{1,2}(?::?\\d{2}){0,2})?)', (f, v) => (f.offset = parseOffset(v || 'Z'))];
    case 'V':
    case 'z':
      return ['([A-Za-z][A-Za-z0-9_+\\-]{0,30}(?:/[A-Za-z0-9_+\\-]{1,30}){0,2})', (f, v) => {
        const o = parseOffset(v);
        if (o !== undefined) f.offset = o;
        else f.zone = v;
      }];
    default:
      throw hardFailure(`the date letter '${letter}' cannot be used to read a date`);
  }
}

function monthNumber(name: string): number {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  if (i < 0) throw hardFailure(`unknown month '${name}'`);
  return i + 1;
}

const PARSERS = new Map<string, { re: RegExp; setters: (Setter | null)[] }>();

function compileParser(pattern: string): { re: RegExp; setters: (Setter | null)[] } {
  const cached = PARSERS.get(pattern);
  if (cached) return cached;
  let src = '^';
  const setters: (Setter | null)[] = [];
  for (const part of compilePattern(pattern)) {
    if ('lit' in part) {
      src += part.lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
    } else {
      const [re, set] = group(part.letter, part.count);
      src += re;
      setters.push(set);
    }
  }
  const parser = { re: new RegExp(`${src}$`, 'i'), setters };
  if (PARSERS.size > 500) PARSERS.clear();
  PARSERS.set(pattern, parser);
  return parser;
}

/** Reads `s` with a java.time pattern; missing time fields are midnight, a missing zone is `zone`. */
export function parsePattern(s: string, pattern: string, zone: Zone, zoneOf: (name: string) => Zone): DateTime {
  const { re, setters } = compileParser(pattern);
  const m = re.exec(s.trim());
  if (!m) throw hardFailure(`cannot read a date from '${s}' with the format '${pattern}'`);
  const f: Fields = {};
  setters.forEach((set, i) => set?.(f, m[i + 1]));
  return build(f, zone, zoneOf, s);
}
