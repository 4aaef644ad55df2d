// "Did you mean …?" for unknown task types, properties, inputs and task ids.

/** Levenshtein distance, case-insensitive (a case slip counts as no edit). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length];
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a likely typo
 * (at most a third of the word's length, and at least 2 edits allowed).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // Dotted names (task types) share long prefixes: io.kestra.plugin.core.kv.Set is a few edits from
    // io.kestra.plugin.core.log.Log, yet no typo of it. Their last segments must be close too.
    if (word.includes('.') && !near(lastSegment(word), lastSegment(c))) continue;
    const d = editDistance(word, c);
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

const lastSegment = (name: string): string => name.slice(name.lastIndexOf('.') + 1);
const near = (a: string, b: string): boolean => editDistance(a, b) <= Math.max(2, Math.floor(a.length / 3));

/** `; did you mean 'x'?` or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : `; did you mean '${c}'?`;
}
