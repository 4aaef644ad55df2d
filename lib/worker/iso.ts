// ISO timestamps for results and log lines. Formatting a Date costs more than a short task, and
// in a burst many attempts start and end within the same millisecond, so the last one is reused.
let lastMs = Number.NaN;
let lastIso = '';

export function isoOf(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = date.toISOString();
  }
  return lastIso;
}
