// Formats a luxon DateTime with a java.time DateTimeFormatter pattern ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").
// Java letters do not map one-to-one onto luxon tokens (Java `XXX` prints `Z` at offset zero, `SS` is
// a truncated fraction, `Z` is +HHmm), so each Java field is rendered here from the DateTime's
// values; luxon supplies calendar fields, zones and localized names.

import type { DateTime } from 'luxon';
import { hardFailure } from './failure';

export type PatternPart = { lit: string } | { letter: string; count: number };

const LETTERS = /[A-Za-z]/;
const PATTERN_CACHE = new Map<string, PatternPart[]>();

/** Splits a Java pattern into literals and letter runs; quoted text is literal and '' is a quote. */
export function compilePattern(pattern: string): PatternPart[] {
  const cached = PATTERN_CACHE.get(pattern);
  if (cached) return cached;
  const parts: PatternPart[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ lit });
    lit = '';
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        lit += "'";
        i += 2;
        continue;
      }
      const end = findQuoteEnd(pattern, i + 1);
      lit += pattern.slice(i + 1, end).replace(/''/g, "'");
      i = end + 1;
    } else if (LETTERS.test(c)) {
      flush();
      let n = 1;
      while (pattern[i + n] === c) n++;
      parts.push({ letter: c, count: n });
      i += n;
    } else if (c === '[' || c === ']') {
      i++; // optional sections always print when formatting a full date-time
    } else if (c === '{' || c === '}' || c === '#') {
      throw hardFailure(`the date pattern '${pattern}' uses the reserved character '${c}'`);
    } else {
      lit += c;
      i++;
    }
  }
  flush();
  if (PATTERN_CACHE.size > 500) PATTERN_CACHE.clear();
  PATTERN_CACHE.set(pattern, parts);
  return parts;
}

function findQuoteEnd(pattern: string, from: number): number {
  for (let i = from; i < pattern.length; i++) {
    if (pattern[i] === "'") {
      if (pattern[i + 1] === "'") i++;
      else return i;
    }
  }
  throw hardFailure(`the date pattern '${pattern}' has an unclosed quote`);
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

/** +HH, +HHmm, +HH:mm and so on; `zero` is what offset zero prints as (`Z` or a numeric form). */
function offset(minutes: number, style: 'H' | 'HHmm' | 'HH:mm' | 'HHmm?' | 'H?', zero: string | null): string {
  if (minutes === 0 && zero !== null) return zero;
  const sign = minutes < 0 ? '-' : '+';
  const h = pad(Math.floor(Math.abs(minutes) / 60), 2);
  const m = pad(Math.abs(minutes) % 60, 2);
  switch (style) {
    case 'H':
      return `${sign}${h}`;
    case 'H?':
      return m === '00' ? `${sign}${h}` : `${sign}${h}${m}`;
    case 'HHmm':
    case 'HHmm?':
      return `${sign}${h}${m}`;
    default:
      return `${sign}${h}:${m}`;
  }
}

function gmt(minutes: number, long: boolean): string {
  if (minutes === 0) return 'GMT';
  const sign = minutes < 0 ? '-' : '+';
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  if (long) return `GMT${sign}${pad(h, 2)}:${pad(m, 2)}`;
  return `GMT${sign}${h}${m ? `:${pad(m, 2)}` : ''}`;
}

function fraction(ms: number, digits: number): string {
  const s = pad(ms, 3);
  return digits <= 3 ? s.slice(0, digits) : s.padEnd(digits, '0');
}

function text(dt: DateTime, token: string): string {
  return dt.toFormat(token);
}

function field(dt: DateTime, letter: string, n: number): string {
  switch (letter) {
    case 'G':
      return n === 4 ? text(dt, 'GG') : n === 5 ? text(dt, 'GGGGG') : text(dt, 'G');
    case 'u':
    case 'y':
      return n === 2 ? pad(dt.year % 100, 2) : pad(dt.year, n);
    case 'Y':
      return n === 2 ? pad(dt.weekYear % 100, 2) : pad(dt.weekYear, n);
    case 'Q':
    case 'q':
      return n <= 2 ? pad(dt.quarter, n) : n === 3 ? `Q${dt.quarter}` : `${['1st', '2nd', '3rd', '4th'][dt.quarter - 1]} quarter`;
    case 'M':
    case 'L':
      return n <= 2 ? pad(dt.month, n) : text(dt, n === 3 ? 'MMM' : n === 4 ? 'MMMM' : 'MMMMM');
    case 'w':
      return pad(dt.weekNumber, n);
    case 'd':
      return pad(dt.day, n);
    case 'D':
      return pad(dt.ordinal, n);
    case 'F':
      return pad(Math.floor((dt.day - 1) / 7) + 1, n);
    case 'E':
      return text(dt, n <= 3 ? 'EEE' : n === 4 ? 'EEEE' : 'EEEEE');
    case 'e':
    case 'c':
      // Localized day-of-week number for the en-US default locale: Sunday is 1.
      return n <= 2 ? pad((dt.weekday % 7) + 1, n) : text(dt, n === 3 ? 'EEE' : n === 4 ? 'EEEE' : 'EEEEE');
    case 'a':
      return dt.hour < 12 ? 'AM' : 'PM';
    case 'h':
      return pad(dt.hour % 12 === 0 ? 12 : dt.hour % 12, n);
    case 'K':
      return pad(dt.hour % 12, n);
    case 'k':
      return pad(dt.hour === 0 ? 24 : dt.hour, n);
    case 'H':
      return pad(dt.hour, n);
    case 'm':
      return pad(dt.minute, n);
    case 's':
      return pad(dt.second, n);
    case 'S':
      return fraction(dt.millisecond, n);
    case 'A':
      return pad(((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1000 + dt.millisecond, n);
    case 'n':
      return pad(dt.millisecond * 1_000_000, n);
    case 'N':
      return pad((((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1000 + dt.millisecond) * 1_000_000, n);
    case 'V':
      return zoneId(dt);
    case 'z':
      return n <= 3 ? dt.offsetNameShort ?? gmt(dt.offset, false) : dt.offsetNameLong ?? gmt(dt.offset, true);
    case 'O':
      return gmt(dt.offset, n === 4);
    case 'X':
    case 'x': {
      const zero = letter === 'X' ? 'Z' : null;
      if (n === 1) return offset(dt.offset, 'H?', zero);
      if (n === 2 || n === 4) return offset(dt.offset, 'HHmm', zero);
      return offset(dt.offset, 'HH:mm', zero);
    }
    case 'Z':
      if (n <= 3) return offset(dt.offset, 'HHmm', null);
      if (n === 4) return gmt(dt.offset, true);
      return offset(dt.offset, 'HH:mm', 'Z');
    default:
      throw hardFailure(`unknown date pattern letter '${letter}'`);
  }
}

/** The zone as Java names it: a region id, or the offset for fixed-offset zones. */
export function zoneId(dt: DateTime): string {
  const name = dt.zoneName ?? 'UTC';
  if (name === 'UTC') return 'UTC';
  if (/^UTC[+-]/.test(name)) return offset(dt.offset, 'HH:mm', 'Z');
  return name;
}

export function formatPattern(dt: DateTime, pattern: string): string {
  let out = '';
  for (const part of compilePattern(pattern)) out += 'lit' in part ? part.lit : field(dt, part.letter, part.count);
  return out;
}

/** ISO_LOCAL_TIME's fraction: as few digits as needed, none when zero. */
export function isoFraction(ms: number): string {
  return ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
}

export function isoOffset(dt: DateTime): string {
  return offset(dt.offset, 'HH:mm', 'Z');
}
