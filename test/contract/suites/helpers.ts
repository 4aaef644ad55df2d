// Small helpers shared by the port contract suites.
import { randomUUID } from 'node:crypto';

/** A short unique suffix, so every test isolates its own data in a shared backend. */
export const unique = (prefix = 't'): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** The code of a rejection, or 'RESOLVED' when the promise resolved. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'RESOLVED';
  } catch (err) {
    return String((err as { code?: unknown }).code ?? 'NO_CODE');
  }
}

/**
 * Polls until `check` returns true. The limit is a safety net against a hung test, not an
 * assertion on speed: backends on emulators may take seconds.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const start = process.hrtime.bigint();
  for (;;) {
    if (await check()) return;
    if (Number(process.hrtime.bigint() - start) / 1e6 > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Lets pending deliveries happen, for assertions that something did NOT happen. */
export const settle = (ms = 300): Promise<void> => new Promise((r) => setTimeout(r, ms));
