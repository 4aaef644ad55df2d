// A predictable Ids: "id1", "id2", ... (or with a prefix).
import type { Ids } from '../../../../lib/ports/system';

export function fakeIds(prefix = 'id'): Ids & { count(): number } {
  let n = 0;
  return { next: () => `${prefix}${++n}`, count: () => n };
}
