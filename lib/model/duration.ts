// ISO-8601 durations as Kestra writes them (PT5S, P1DT2H, PT0.5S), plus plain milliseconds.
import { z } from 'zod';

const ISO = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const UNITS_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/** Milliseconds for an ISO-8601 duration, or undefined when it does not parse. */
export function parseDurationMs(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return undefined;
  let ms = 0;
  for (let i = 0; i < UNITS_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNITS_MS[i];
  return Math.round(ms);
}

/** The ISO-8601 text for a number of milliseconds (PT1M30S). */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return 'PT0S';
  let rest = ms;
  const d = Math.floor(rest / 86_400_000); rest -= d * 86_400_000;
  const h = Math.floor(rest / 3_600_000); rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000); rest -= m * 60_000;
  const s = rest / 1000;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}`;
}

/** A duration property: ISO text in YAML; a template is allowed and checked after rendering. */
export const Duration = z.string().refine((s) => s.includes('{{') || parseDurationMs(s) !== undefined, {
  message: 'expected an ISO-8601 duration such as PT30S or PT1H',
});
export type Duration = z.infer<typeof Duration>;
