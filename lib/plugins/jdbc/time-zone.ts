// Date/time values as ISO 8601 text in the task's `timeZoneId`, without a date library.
// Database drivers hand us wall times (zoneless columns) or UTC instants; both keep their
// sub-millisecond digits because we work on the text, never through a JS Date's milliseconds.

/** A time zone: an IANA name (Europe/Paris), UTC, or a fixed offset (+02:00). */
export interface TimeZone {
  readonly id: string;
  /** Offset from UTC in minutes at the given UTC instant. */
  offsetAt(epochMs: number): number;
}

const OFFSET_RE = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;
const zones = new Map<string, TimeZone>();

/** Parses a time zone id, or returns undefined when it is unknown. */
export function timeZoneOf(id: string | undefined): TimeZone | undefined {
  const key = id ?? 'UTC';
  const cached = zones.get(key);
  if (cached) return cached;
  const zone = buildZone(key);
  if (zone) zones.set(key, zone);
  return zone;
}

export const isTimeZoneId = (id: string): boolean => timeZoneOf(id) !== undefined;

function buildZone(id: string): TimeZone | undefined {
  if (id === 'Z' || id === 'UTC' || id === 'GMT' || id === 'Etc/UTC') return fixed(id, 0);
  const m = OFFSET_RE.exec(id);
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return minutes > 18 * 60 ? undefined : fixed(id, m[1] === '-' ? -minutes : minutes);
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: id, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return undefined;
  }
  // Offsets only change on transitions, which fall on quarter hours: cache per 15-minute slot.
  const slots = new Map<number, number>();
  return {
    id,
    offsetAt(epochMs: number): number {
      const slot = Math.floor(epochMs / 900_000);
      let offset = slots.get(slot);
      if (offset === undefined) {
        const p: Record<string, number> = {};
        for (const part of format.formatToParts(slot * 900_000)) if (part.type !== 'literal') p[part.type] = Number(part.value);
        offset = Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - slot * 900_000) / 60_000);
        if (slots.size > 50_000) slots.clear();
        slots.set(slot, offset);
      }
      return offset;
    },
  };
}

function fixed(id: string, minutes: number): TimeZone {
  return { id, offsetAt: () => minutes };
}

// YYYY-MM-DD[ T]HH:MM[:SS[.fraction]][Z|±HH[:MM]|±HHMM]
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

interface Parsed { wallMs: number; fraction: string; offset?: number }

function parse(text: string): Parsed | undefined {
  const m = DATE_TIME_RE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year); // Date.UTC maps years below 100 to 19xx
  if (date.getUTCDate() !== day) return undefined; // 31 February and the like
  const wallMs = date.getTime();
  let offset: number | undefined;
  if (m[8] === 'Z') offset = 0;
  else if (m[8]) {
    const digits = m[8].replace(':', '');
    offset = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0));
  }
  return { wallMs, fraction: m[7] ?? '', offset };
}

/** At least milliseconds, at most microseconds (what the databases store), trailing zeros past ms trimmed. */
function fractionText(fraction: string): string {
  let f = fraction.slice(0, 6).padEnd(3, '0');
  while (f.length > 3 && f.endsWith('0')) f = f.slice(0, -1);
  return f;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function offsetText(minutes: number): string {
  if (minutes === 0) return 'Z';
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

function format(wallMs: number, fraction: string, offset: number): string {
  const d = new Date(wallMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${fractionText(fraction)}${offsetText(offset)}`;
}

/** The UTC instant of a wall time in a zone (the earlier one when the wall time is ambiguous). */
function wallToInstant(wallMs: number, zone: TimeZone): number {
  let guess = wallMs - zone.offsetAt(wallMs) * 60_000;
  guess = wallMs - zone.offsetAt(guess) * 60_000;
  return guess;
}

/**
 * A date-time read from the database as ISO 8601 with the zone's offset. Text with its own offset is an
 * instant; text without one is a wall time in `zone` (zoneless DATETIME/TIMESTAMP columns), or in
 * `sourceZone` when the driver already converted it (a TIMESTAMP read in a UTC session).
 * Text that is not a plain date-time (infinity, BC dates) is returned unchanged.
 */
export function isoDateTime(text: string, zone: TimeZone, sourceZone?: TimeZone): string {
  const p = parse(text);
  if (!p) return text;
  const instant = p.offset !== undefined ? p.wallMs - p.offset * 60_000 : wallToInstant(p.wallMs, sourceZone ?? zone);
  const offset = zone.offsetAt(instant);
  return format(instant + offset * 60_000, p.fraction, offset);
}

/** A JS Date (drivers that only give Dates) as ISO 8601 in the zone. */
export function isoFromDate(date: Date, zone: TimeZone): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return String(date);
  const offset = zone.offsetAt(ms);
  return format(ms + offset * 60_000, pad(((ms % 1000) + 1000) % 1000, 3), offset);
}

/**
 * The wall time in `zone` of an ISO 8601 date-time with an offset, as `YYYY-MM-DD HH:MM:SS[.ffffff]`,
 * for databases that reject offsets in date-time literals (MySQL/MariaDB). Undefined when the text is
 * not such a date-time, so ordinary strings are never touched.
 */
export function wallTimeOf(text: string, zone: TimeZone): string | undefined {
  if (text.length < 17 || text.length > 40 || text.charCodeAt(4) !== 45 /* - */) return undefined;
  const p = parse(text);
  if (!p || p.offset === undefined) return undefined;
  const instant = p.wallMs - p.offset * 60_000;
  const d = new Date(instant + zone.offsetAt(instant) * 60_000);
  const f = p.fraction ? `.${p.fraction.slice(0, 6)}` : '';
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${f}`;
}
