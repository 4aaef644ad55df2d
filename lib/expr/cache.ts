// Compiled templates, keyed by source text, in a bounded least-recently-used map. Parse failures are
// cached too, so a broken template rendered in a loop is not re-parsed either.

import type { Template } from './ast';
import { ExprFailure } from './failure';
import { parse } from './parser';

const MAX_ENTRIES = 10_000;

interface Entry {
  tpl?: Template;
  failure?: ExprFailure;
  /** When the entry was last moved to the young end; refreshing on every hit would cost a delete and an insert. */
  tick: number;
}

const entries = new Map<string, Entry>();
let tick = 0;

/** Returns the compiled template, or throws its syntax failure. */
export function compile(source: string): Template {
  tick++;
  let entry = entries.get(source);
  if (entry) {
    if (tick - entry.tick > MAX_ENTRIES >> 1) {
      entries.delete(source);
      entries.set(source, entry);
      entry.tick = tick;
    }
  } else {
    entry = { tick };
    try {
      entry.tpl = parse(source);
    } catch (e) {
      if (!(e instanceof ExprFailure)) throw e;
      entry.failure = e;
    }
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    entries.set(source, entry);
  }
  if (entry.failure) throw entry.failure;
  return entry.tpl!;
}

/** How many compiled templates are held (for tests and diagnostics). */
export function templateCacheSize(): number {
  return entries.size;
}

export const TEMPLATE_CACHE_LIMIT = MAX_ENTRIES;
