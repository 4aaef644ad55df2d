// Compiled templates, keyed by source text, in a least-recently-used map bounded both in entries and
// in source characters (a compiled template's size follows its source's): 10,000 templates of 70 KB
// each, which a fuzz run or a generated flow can send, would otherwise hold hundreds of MB. Parse
// failures are cached too, so a broken template rendered in a loop is not re-parsed either.

import type { Template } from './ast';
import { ExprFailure } from './failure';
import { parse } from './parser';

const MAX_ENTRIES = 10_000;
/** Source characters held at most, all entries together. */
const MAX_CHARS = 4_000_000;
/** A longer source is compiled each time: one template may not take a large part of the cache. */
const MAX_ENTRY_CHARS = MAX_CHARS / 16;

interface Entry {
  tpl?: Template;
  failure?: ExprFailure;
  /** When the entry was last moved to the young end; refreshing on every hit would cost a delete and an insert. */
  tick: number;
}

const entries = new Map<string, Entry>();
let tick = 0;
let chars = 0;

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
    if (source.length <= MAX_ENTRY_CHARS) {
      while (entries.size >= MAX_ENTRIES || (entries.size > 0 && chars + source.length > MAX_CHARS)) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
        chars -= oldest.length;
      }
      entries.set(source, entry);
      chars += source.length;
    }
  }
  if (entry.failure) throw entry.failure;
  return entry.tpl!;
}

/** How many compiled templates are held (for tests and diagnostics). */
export function templateCacheSize(): number {
  return entries.size;
}

/** Source characters the compiled templates held stand for (for tests and diagnostics). */
export function templateCacheChars(): number {
  return chars;
}

export const TEMPLATE_CACHE_LIMIT = MAX_ENTRIES;
export const TEMPLATE_CACHE_CHARS = MAX_CHARS;
