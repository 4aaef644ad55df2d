// Kestra's execution and task run states, and how the UI writes times and durations.
export const STATES = ['CREATED', 'QUEUED', 'RUNNING', 'PAUSED', 'RETRYING', 'RESTARTED', 'KILLING', 'SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'SKIPPED', 'CANCELLED'];
export const TERMINAL = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'SKIPPED'];

/** `2026-12-06 18:30:01` in the browser's time zone; empty for no date. */
export function shortDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** `1.234 s`, `2 min 3 s`; empty while it has not ended. */
export function duration(start, end) {
  if (!start || !end) return '';
  const ms = Date.parse(end) - Date.parse(start);
  if (ms < 60_000) return `${(ms / 1000).toFixed(3)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
